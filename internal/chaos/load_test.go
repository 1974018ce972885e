package chaos

import (
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// maxP99 bounds the 99th percentile latency of the API under wrk's load,
// on a two-core machine that also runs the workers and Redis.
const maxP99 = time.Second

// TestAPIUnderLoad hammers /stats and /results with wrk while two workers
// check 50,000 URLs: no answer may be an error, the tail latency stays
// bounded, and the run still completes exactly once.
func TestAPIUnderLoad(t *testing.T) {
	long(t)
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk not installed (apt-get install wrk); API load test skipped")
	}
	const n = 50000
	begin := time.Now()
	s := newSystem(t)
	o := origintest.New(t, 20*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	api := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	apiProc := s.start("api", []string{"API_ADDR=" + api})
	// 2 × 16 checks of 20 ms cap the run at 1,600 URLs/s, so it outlasts
	// both wrk runs.
	workers := make([]*proc, 2)
	for i := range workers {
		workers[i] = s.start("worker", []string{"CONCURRENCY=16"}, fmt.Sprint("load-", i))
	}
	waitfor.Cond(t, 30*time.Second, "the API and the first results", func() bool {
		return apiStatus(api) == http.StatusOK && s.stats().Done > 1000
	})
	for _, path := range []string{"/stats", "/results"} {
		before := s.stats().Done
		w := runWrk(t, wrk, "http://"+api+path)
		after := s.stats()
		t.Logf("CHAOS-WRK endpoint=%s requests=%d rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f non2xx=%d socket_errors=%d",
			path, w.requests, w.rps, ms(w.p50), ms(w.p99), ms(w.max), w.non2xx, w.socketErrors)
		t.Logf("%s: the run went from %d to %d results during the load", path, before, after.Done)
		if w.requests == 0 || w.non2xx != 0 || w.socketErrors != 0 || w.p99 > maxP99 {
			t.Errorf("wrk %s: %d requests, %d non-2xx, %d socket errors, p99 %v; want no errors and p99 under %v\n%s",
				path, w.requests, w.non2xx, w.socketErrors, w.p99, maxP99, w.out)
		}
		if after.Finished() {
			t.Errorf("the run finished during the load on %s; it proved nothing about load during a run", path)
		}
	}
	s.waitFinished(3 * time.Minute)
	for _, p := range append(workers, apiProc) {
		p.Stop(t, 30*time.Second)
	}
	tl, _ := s.verify(n)
	report(t, "api_under_load", n, "wrk_-t2_-c32_-d10s_on_/stats_and_/results", tl, time.Since(begin))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// wrkResult is what one wrk run reported.
type wrkResult struct {
	requests             int64
	rps                  float64
	p50, p99, max        time.Duration
	non2xx, socketErrors int64
	out                  string
}

// runWrk runs wrk with two threads and 32 connections for ten seconds.
func runWrk(tb testing.TB, wrk, url string) wrkResult {
	tb.Helper()
	out, err := exec.Command(wrk, "-t2", "-c32", "-d10s", "--timeout", "5s", "--latency", url).CombinedOutput()
	if err != nil {
		tb.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	return parseWrk(tb, string(out))
}

var (
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
	wrkRPS      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkLatency  = regexp.MustCompile(`Latency\s+\S+\s+\S+\s+(\S+)`)
	wrkPct      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)$`)
)

// parseWrk reads the numbers out of wrk's report. The Non-2xx and socket
// error lines appear only when there were some.
func parseWrk(tb testing.TB, out string) wrkResult {
	tb.Helper()
	r := wrkResult{out: out}
	if m := wrkRequests.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkRPS.FindStringSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.socketErrors += n
		}
	}
	if m := wrkLatency.FindStringSubmatch(out); m != nil {
		r.max = wrkDuration(tb, m[1])
	}
	for _, m := range wrkPct.FindAllStringSubmatch(out, -1) {
		d := wrkDuration(tb, m[2])
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.requests == 0 || r.p99 == 0 {
		tb.Fatalf("cannot read wrk's report:\n%s", out)
	}
	return r
}

// wrkDuration parses wrk's durations: 512.00us, 1.25ms, 2.00s, 1.00m.
func wrkDuration(tb testing.TB, s string) time.Duration {
	tb.Helper()
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				break
			}
			return time.Duration(f * float64(u.unit))
		}
	}
	tb.Fatalf("wrk duration %q not understood", s)
	return 0
}

func TestParseWrk(t *testing.T) {
	const out = `Running 10s test @ http://127.0.0.1:1/stats
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.50ms    3.10ms  95.00ms   80.00%
    Req/Sec     1.28k   100.00     1.50k    70.00%
  Latency Distribution
     50%   11.80ms
     75%   13.00ms
     90%   15.00ms
     99%   30.25ms
  25600 requests in 10.00s, 20.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   2559.90
Transfer/sec:      2.00MB
`
	got := parseWrk(t, out)
	want := wrkResult{requests: 25600, rps: 2559.90, p50: 11800 * time.Microsecond, p99: 30250 * time.Microsecond,
		max: 95 * time.Millisecond, non2xx: 7, socketErrors: 3, out: out}
	if got != want {
		t.Errorf("parseWrk = %+v; want %+v", got, want)
	}
}
