package chaos

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/origintest"
)

// hostile is one kind of misbehaving origin and the verdict a check of it
// must end with.
type hostile struct {
	name     string
	base     string // URL prefix; the test appends a unique path
	slow     bool   // every attempt runs into the timeout
	kind     string // expected error_kind; "" for ok
	status   int    // expected final status
	attempts int    // expected attempts of the final result; 0 for 1..hostileTries
}

// Settings of the hostile-origin run.
const (
	perKind       = 200
	hostileTO     = time.Second // HTTP_TIMEOUT
	hostileTries  = 2           // MAX_RETRIES=1: one retry
	hostileConc   = 200         // CONCURRENCY
	maxHostileRSS = 200 << 20   // peak resident memory of the worker
	durationSlack = 750 * time.Millisecond
)

// TestHostileOrigins runs a worker against origins that never answer,
// trickle their body, send 1 GiB, redirect forever, reset the connection,
// answer garbage or always say 429. Every URL must end within the time
// budget with the right verdict, and the worker's memory must stay small.
func TestHostileOrigins(t *testing.T) {
	long(t)
	begin := time.Now()
	kinds := hostileOrigins(t)
	var list strings.Builder
	var slow int
	for _, k := range kinds {
		for i := range perKind {
			fmt.Fprintf(&list, "%s/%s/%d\n", k.base, k.name, i)
		}
		if k.slow {
			slow += perKind
		}
	}
	n := perKind * len(kinds)
	s := newSystem(t)
	s.run("producer", origintest.WriteFile(t, "hostile.txt", []byte(list.String())))
	// The 429 storm asks for an hour's pause; MAX_RETRY_AFTER caps the
	// wait before the retry at a second.
	w := s.start("worker", []string{"HTTP_TIMEOUT=1", "MAX_RETRIES=1", "RETRY_BASE=10ms", "MAX_RETRY_AFTER=1",
		fmt.Sprint("CONCURRENCY=", hostileConc)}, "hostile")

	// Slow URLs take the whole timeout per attempt, hostileConc at a time;
	// allow twice that, one more round per attempt, and a fixed margin.
	rounds := math.Ceil(float64(slow*hostileTries)/hostileConc) + hostileTries
	bound := 2*time.Duration(rounds)*hostileTO + 15*time.Second
	s.waitFinished(bound)
	took := time.Since(begin)
	peak := memField(t, w.Pid(), "VmHWM")
	w.Stop(t, 30*time.Second)
	t.Logf("%d URLs in %v (bound %v); worker peak RSS %d MiB", n, took.Round(time.Millisecond), bound, peak>>20)
	if peak > maxHostileRSS {
		t.Errorf("worker peak RSS %d MiB; want under %d MiB", peak>>20, maxHostileRSS>>20)
	}
	tl, results := s.verify(int64(n))
	report(t, "hostile_origins", n, fmt.Sprintf("%d_kinds_x_%d_URLs", len(kinds), perKind), tl, took)
	checkVerdicts(t, kinds, results)
}

// checkVerdicts compares every result with what its kind of origin must
// give, and bounds its duration by the timeout.
func checkVerdicts(t *testing.T, kinds []hostile, results map[string]check.Result) {
	t.Helper()
	maxMS := float64((hostileTO + durationSlack).Milliseconds())
	bad := make(map[string]int)
	for _, r := range results {
		k := kindOf(kinds, r.URL)
		if k == nil {
			t.Errorf("result for unknown URL %q", r.URL)
			continue
		}
		attemptsOK := r.Attempts == k.attempts || (k.attempts == 0 && r.Attempts >= 1 && r.Attempts <= hostileTries)
		ok := r.OK == (k.kind == "") && r.ErrorKind == k.kind && r.Status == k.status && attemptsOK
		if !ok || r.DurationMS > maxMS {
			if bad[k.name]++; bad[k.name] <= 3 {
				t.Errorf("%s: ok %v kind %q status %d attempts %d in %.0f ms (%s); want kind %q status %d attempts %d within %.0f ms",
					r.URL, r.OK, r.ErrorKind, r.Status, r.Attempts, r.DurationMS, r.Error, k.kind, k.status, k.attempts, maxMS)
			}
		}
	}
	for name, n := range bad {
		t.Errorf("%s: %d of %d results were wrong", name, n, perKind)
	}
}

func kindOf(kinds []hostile, url string) *hostile {
	for i := range kinds {
		if strings.HasPrefix(url, kinds[i].base+"/"+kinds[i].name+"/") {
			return &kinds[i]
		}
	}
	return nil
}

// hostileOrigins starts one server per kind of misbehaviour.
func hostileOrigins(tb testing.TB) []hostile {
	tb.Helper()
	return []hostile{
		{name: "silent", base: rawServer(tb, silent), slow: true, kind: check.KindTimeout, attempts: hostileTries},
		{name: "trickle", base: httpServer(tb, trickle), slow: true, kind: check.KindTimeout, status: 200, attempts: hostileTries},
		{name: "huge", base: httpServer(tb, hugeBody), status: 200, attempts: 1},
		{name: "loop", base: httpServer(tb, loop), kind: check.KindTooManyRedirects, status: 302, attempts: 1},
		{name: "reset", base: rawServer(tb, resetAfterRequest), kind: check.KindReset, attempts: hostileTries},
		{name: "garbage", base: rawServer(tb, garbage), kind: check.KindOther, attempts: 1},
		// A worker may retry the 429 or, told to wait an hour, give up at
		// once; it must not wait.
		{name: "429", base: httpServer(tb, tooMany), kind: check.KindHTTP4xx, status: 429},
	}
}

func httpServer(tb testing.TB, h http.HandlerFunc) string {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// trickle sends its headers at once, then one byte a second until the
// client gives up.
func trickle(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	for {
		if _, err := w.Write([]byte("x")); err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second): // the origin's pace, not synchronisation
		}
	}
}

// hugeBody announces and streams 1 GiB, generated as it goes rather than
// held in memory.
func hugeBody(w http.ResponseWriter, _ *http.Request) {
	const size = 1 << 30
	w.Header().Set("Content-Length", fmt.Sprint(size))
	_, _ = io.Copy(w, io.LimitReader(zeros{}, size))
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// loop redirects every path to itself.
func loop(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.Path, http.StatusFound)
}

// tooMany answers every request with 429 and asks for an hour's pause.
func tooMany(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Retry-After", "3600")
	w.WriteHeader(http.StatusTooManyRequests)
}

// rawServer serves TCP connections with handle, each in its own
// goroutine, until the test ends, and returns the base URL.
func rawServer(tb testing.TB, handle func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = make(map[net.Conn]struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// silent reads whatever comes and never answers.
func silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// resetAfterRequest reads the request head and resets the connection.
func resetAfterRequest(c net.Conn) {
	readHead(c)
	reset(c)
}

// garbage reads the request head and answers something that is not HTTP.
func garbage(c net.Conn) {
	readHead(c)
	_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n\x00\xff\xfe not http at all\r\n\r\n")
}

// readHead reads a request up to its blank line.
func readHead(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}
