package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/origintest"
)

// hostOrigin is an origin on its own loopback address (127.0.0.2, ...), so
// that one machine has several "hosts". It records the most requests it
// had in flight at once and when each request came.
type hostOrigin struct {
	*httptest.Server
	inflight, peak atomic.Int64
	mu             sync.Mutex
	times          []time.Time
}

func newHostOrigin(tb testing.TB, ip string, h func(w http.ResponseWriter, n int)) *hostOrigin {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		tb.Skipf("loopback address %s not usable here: %v", ip, err)
	}
	o := &hostOrigin{}
	o.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := o.inflight.Add(1)
		defer o.inflight.Add(-1)
		for p := o.peak.Load(); n > p && !o.peak.CompareAndSwap(p, n); p = o.peak.Load() {
		}
		o.mu.Lock()
		o.times = append(o.times, time.Now())
		count := len(o.times)
		o.mu.Unlock()
		h(w, count)
	}))
	o.Listener.Close()
	o.Listener = ln
	o.Start()
	tb.Cleanup(o.Close)
	return o
}

func writeLines(tb testing.TB, name string, lines []string) string {
	return origintest.WriteFile(tb, name, []byte(strings.Join(lines, "\n")+"\n"))
}

// TestHostConcurrencyAcrossWorkers: three workers, HOST_CONCURRENCY=4; the
// limited host never sees more than 4 requests at once, while a host whose
// limit is lifted in the hosts file is served at full speed.
func TestHostConcurrencyAcrossWorkers(t *testing.T) {
	slow := func(w http.ResponseWriter, _ int) { time.Sleep(20 * time.Millisecond) } // the origin's latency
	limited := newHostOrigin(t, "127.0.0.2", slow)
	free := newHostOrigin(t, "127.0.0.3", slow)
	hosts := writeLines(t, "hosts.json", []string{fmt.Sprintf(`{%q: {"concurrency": 0}}`, free.Listener.Addr().String())})
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("%s/a/%d", limited.URL, i), fmt.Sprintf("%s/b/%d", free.URL, i))
	}
	s := newSystem(t)
	s.run("producer", writeLines(t, "urls.txt", lines))
	s.drain(3, "HOST_CONCURRENCY=4", "HOSTS_FILE="+hosts, "CONCURRENCY=32")
	st := s.checkExactlyOnce(600)
	t.Logf("peak in flight: limited host %d, free host %d; deferred %d", limited.peak.Load(), free.peak.Load(), st.Counters["deferred"])
	if p := limited.peak.Load(); p > 4 || p < 2 {
		t.Errorf("limited host peak = %d; want at most 4 (and some concurrency)", p)
	}
	if p := free.peak.Load(); p <= 4 {
		t.Errorf("free host peak = %d; want more than the limited host's 4", p)
	}
}

// TestRetryAfterPausesEveryWorker: a host answers its first request with
// 429 and Retry-After: 2; no worker may ask it again for 2 s.
func TestRetryAfterPausesEveryWorker(t *testing.T) {
	o := newHostOrigin(t, "127.0.0.4", func(w http.ResponseWriter, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf("%s/p/%d", o.URL, i))
	}
	s := newSystem(t)
	s.run("producer", writeLines(t, "urls.txt", lines))
	s.drain(3, "HOST_CONCURRENCY=1", "CONCURRENCY=8")
	s.checkExactlyOnce(60)
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.times) < 2 {
		t.Fatalf("origin saw %d requests", len(o.times))
	}
	if gap := o.times[1].Sub(o.times[0]); gap < 2*time.Second {
		t.Errorf("second request came %v after the 429; want at least 2s", gap)
	}
	if w := maxWaited(t, s, 60); w < 2000 {
		t.Errorf("longest waited_ms = %d; want at least the 2000 ms of Retry-After", w)
	}
}

// maxWaited returns the largest waited_ms among the newest n results.
func maxWaited(tb testing.TB, s *system, n int) int64 {
	raws, err := s.q.Recent(context.Background(), n)
	if err != nil {
		tb.Fatal(err)
	}
	var most int64
	for _, raw := range raws {
		var r check.Result
		if err := json.Unmarshal(raw, &r); err != nil {
			tb.Fatalf("result %s: %v", raw, err)
		}
		most = max(most, r.WaitedMS)
	}
	return most
}

// TestHeadMemoryIsSharedByWorkers: a host that refuses HEAD is learned by
// one worker and remembered in Redis, so a later worker goes straight to
// GET there.
func TestHeadMemoryIsSharedByWorkers(t *testing.T) {
	var heads atomic.Int64
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			heads.Add(1)
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	}))
	t.Cleanup(o.Close)
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf("%s/h/%d", o.URL, i))
	}
	list := writeLines(t, "urls.txt", lines)
	s := newSystem(t)
	s.run("producer", list)
	s.drain(1, "METHOD=head,get", "CONCURRENCY=1", "CACHE=off")
	first := heads.Load()
	s.run("producer", "-force", list)
	s.drain(1, "METHOD=head,get", "CONCURRENCY=1", "CACHE=off")
	s.checkExactlyOnce(20)
	if first == 0 || heads.Load() != first {
		t.Errorf("HEAD requests: %d in the first run, %d in the second; want some, then none", first, heads.Load()-first)
	}
}

// TestHostsFileSettings: the hosts file's headers, method and accepted
// statuses reach the requests and verdicts of their host only.
func TestHostsFileSettings(t *testing.T) {
	var tunedBad atomic.Int64
	tuned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead || r.Header.Get("X-Token") != "abc" {
			tunedBad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(tuned.Close)
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(teapot.Close)
	hosts := writeLines(t, "hosts.json", []string{fmt.Sprintf(`{%q: {"headers": {"X-Token": "abc"}, "method": "head"},
		%q: {"accept": "200..299,418"}}`, tuned.Listener.Addr().String(), teapot.Listener.Addr().String())})
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf("%s/t/%d", tuned.URL, i), fmt.Sprintf("%s/p/%d", teapot.URL, i))
	}
	s := newSystem(t)
	s.run("producer", writeLines(t, "urls.txt", lines))
	s.drain(2, "HOSTS_FILE="+hosts)
	st := s.checkExactlyOnce(100)
	if st.Success != 100 || tunedBad.Load() != 0 {
		t.Errorf("success = %d, requests without the host's method and header = %d; want 100, 0", st.Success, tunedBad.Load())
	}
}

// TestBusyHostJobsWaitInTheWorker: a single-host list under a host limit is
// served by handing permits from one check to the next inside the worker;
// its jobs do not go round the delayed set (they did, about five times
// each, before the gate), and the limit holds.
func TestBusyHostJobsWaitInTheWorker(t *testing.T) {
	o := newHostOrigin(t, "127.0.0.5", func(http.ResponseWriter, int) {})
	const n = 2000
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("%s/s/%d", o.URL, i))
	}
	s := newSystem(t)
	s.run("producer", writeLines(t, "urls.txt", lines))
	s.drain(1, "HOST_CONCURRENCY=4", "CONCURRENCY=64")
	st := s.checkExactlyOnce(n)
	t.Logf("deferred %d of %d jobs; peak in flight %d", st.Counters["deferred"], n, o.peak.Load())
	if d := st.Counters["deferred"]; d >= n {
		t.Errorf("deferred = %d; want fewer than one per job", d)
	}
	if p := o.peak.Load(); p > 4 {
		t.Errorf("peak in flight = %d; want at most 4", p)
	}
}

// TestHostRateAcrossWorkers: three workers, HOST_RATE=20 with HOST_CONCURRENCY
// also set; the host sees requests no faster than 20 a second, since a
// permit of a host with a rate is never handed on or kept.
func TestHostRateAcrossWorkers(t *testing.T) {
	o := newHostOrigin(t, "127.0.0.6", func(http.ResponseWriter, int) {})
	const n = 41
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("%s/r/%d", o.URL, i))
	}
	s := newSystem(t)
	s.run("producer", writeLines(t, "urls.txt", lines))
	s.drain(3, "HOST_RATE=20", "HOST_CONCURRENCY=4", "CONCURRENCY=16", "CACHE=off")
	s.checkExactlyOnce(n)
	o.mu.Lock()
	defer o.mu.Unlock()
	// Burst 2 (20/10): the first two may come at once, then one every 50 ms.
	if span := o.times[len(o.times)-1].Sub(o.times[0]); span < (n-2)*50*time.Millisecond*9/10 {
		t.Errorf("%d requests came within %v; want at least %v at 20/s", len(o.times), span, (n-2)*50*time.Millisecond)
	}
}
