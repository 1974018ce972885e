package cache

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/redistest"
)

const testPrefix = "test:cache:"

// newCache returns a Cache with cfg on rdb; an empty cfg.Prefix means
// testPrefix.
func newCache(tb testing.TB, rdb redis.UniversalClient, cfg Config) *Cache {
	tb.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = testPrefix
	}
	c, err := New(rdb, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

// newRedis starts a private redis-server and returns a client for it.
func newRedis(tb testing.TB) (*redistest.Server, *redis.Client) {
	tb.Helper()
	s := redistest.Start(tb)
	return s, s.Client(tb)
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	ns atomic.Int64
}

func newFakeClock() *fakeClock {
	f := &fakeClock{}
	f.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return f
}

func (f *fakeClock) Now() time.Time          { return time.Unix(0, f.ns.Load()) }
func (f *fakeClock) Advance(d time.Duration) { f.ns.Add(int64(d)) }

// origin is a fetch function that counts its calls and returns result.
// With gate set, each call first reports on entered, then waits for gate to
// close; ctxErr records the context error it saw when the gate opened.
type origin struct {
	result  check.Result
	calls   atomic.Int64
	entered chan struct{}
	gate    chan struct{}
	ctxErr  atomic.Value
}

func newOrigin(r check.Result) *origin {
	return &origin{result: r}
}

// gated makes fetches block until the returned function is called.
func (o *origin) gated() (release func()) {
	o.entered = make(chan struct{}, 100)
	o.gate = make(chan struct{})
	var once sync.Once
	return func() { once.Do(func() { close(o.gate) }) }
}

func (o *origin) fetch(ctx context.Context) check.Result {
	o.calls.Add(1)
	if o.gate != nil {
		o.entered <- struct{}{}
		<-o.gate
		o.ctxErr.Store(errOrNone{ctx.Err()})
	}
	return o.result
}

// errOrNone lets atomic.Value hold a nil error.
type errOrNone struct{ err error }

// okResult is a successful check of url, as check would report it.
func okResult(url string) check.Result {
	return check.Result{
		ID: "job-1", URL: url, OK: true, Status: 200, FinalURL: url,
		DurationMS: 12.5, Attempts: 1, Worker: "w1",
		CheckedAt: time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC),
	}
}

// cmdCounter is a Redis hook that counts the commands a client sends, by
// name, and calls onCmd after each.
type cmdCounter struct {
	mu    sync.Mutex
	n     map[string]int
	onCmd func(cmd redis.Cmder)
}

var _ redis.Hook = (*cmdCounter)(nil)

func countCommands(rdb *redis.Client) *cmdCounter {
	h := &cmdCounter{n: make(map[string]int)}
	rdb.AddHook(h)
	return h
}

func (h *cmdCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *cmdCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.record(cmd)
		return err
	}
}

func (h *cmdCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			h.record(cmd)
		}
		return err
	}
}

func (h *cmdCounter) record(cmd redis.Cmder) {
	h.mu.Lock()
	h.n[cmd.Name()]++
	onCmd := h.onCmd
	h.mu.Unlock()
	if onCmd != nil {
		onCmd(cmd)
	}
}

func (h *cmdCounter) count(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[name]
}

func (h *cmdCounter) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.n)
}

// waitUntil polls cond until it holds, failing the test after 10s.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

// httpOrigin starts an HTTP server answering 200 "ok" and counting its
// requests; with gate non-nil each request first waits for gate to close.
func httpOrigin(tb testing.TB, gate <-chan struct{}) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if gate != nil {
			<-gate
		}
		_, _ = w.Write([]byte("ok"))
	}))
	tb.Cleanup(srv.Close)
	return srv, &hits
}

// httpFetch returns a fetch function that GETs url with client, a plain
// stand-in for the checker.
func httpFetch(client *http.Client, url string) Fetch {
	return func(ctx context.Context) check.Result {
		start := time.Now()
		r := check.Result{URL: url, FinalURL: url, CheckedAt: start.UTC()}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				r.Status, r.OK = resp.StatusCode, resp.StatusCode < 400
			}
		}
		if err != nil {
			r.Error, r.ErrorKind = err.Error(), check.KindOther
		}
		r.DurationMS = float64(time.Since(start)) / float64(time.Millisecond)
		return r
	}
}
