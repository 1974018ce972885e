package worker

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/backoff"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// origin answers /ok/N with 200, /missing/N with 404 and /flaky/N with 503.
func origin(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case len(r.URL.Path) > 8 && r.URL.Path[:9] == "/missing/":
			w.WriteHeader(http.StatusNotFound)
		case len(r.URL.Path) > 6 && r.URL.Path[:7] == "/flaky/":
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func newWorker(tb testing.TB, q *queue.Queue, cfg Config) *Worker {
	tb.Helper()
	c, err := check.New(check.Config{Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	if cfg.Name == "" {
		cfg.Name = "w"
	}
	w, err := New(q, c, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func setup(tb testing.TB, qc queue.Config) (*queue.Queue, *redis.Client) {
	tb.Helper()
	rdb := redistest.Start(tb).Client(tb)
	q, err := queue.New(context.Background(), rdb, qc)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := q.NewRun(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return q, rdb
}

func enqueue(tb testing.TB, q *queue.Queue, base string, paths ...string) {
	tb.Helper()
	urls := make([]string, len(paths))
	for i, p := range paths {
		urls[i] = base + p
	}
	if _, err := q.Enqueue(context.Background(), urls); err != nil {
		tb.Fatal(err)
	}
}

func paths(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestDrainChecksEverything(t *testing.T) {
	q, _ := setup(t, queue.Config{})
	srv := origin(t)
	enqueue(t, q, srv.URL, paths("/ok/", 900)...)
	enqueue(t, q, srv.URL, paths("/missing/", 90)...)
	enqueue(t, q, srv.URL, paths("/flaky/", 10)...)
	w := newWorker(t, q, Config{Drain: true, MaxRetries: 2, FlushInterval: 50 * time.Millisecond,
		RetryBackoff: fastRetry, IdleWait: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 1000 || s.Done != 1000 || s.Success != 900 || s.Error != 100 || s.Retried != 20 || !s.Finished() {
		t.Errorf("stats = %+v; want 1000 done, 900 ok, 100 errors, 20 retries", s)
	}
}

func TestShutdownFlushesHalfFullBatch(t *testing.T) {
	q, _ := setup(t, queue.Config{})
	srv := origin(t)
	enqueue(t, q, srv.URL, paths("/ok/", 100)...)
	// A batch of 500 and an hour's interval: only the shutdown flush can
	// write these 100 results.
	w := newWorker(t, q, Config{BatchSize: 500, FlushInterval: time.Hour, IdleWait: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitfor.Cond(t, 10*time.Second, "100 checks", func() bool { return w.Checked() == 100 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s, _ := q.Stats(context.Background())
	if s.Done != 100 || s.Processing != 0 {
		t.Errorf("after shutdown: done %d processing %d; want 100, 0", s.Done, s.Processing)
	}
}

var fastRetry = backoff.Policy{Base: time.Millisecond, Max: 5 * time.Millisecond}
