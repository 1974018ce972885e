package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startRun starts a run of n jobs in namespace ns and finishes done of
// them, the first one as a failure.
func startRun(tb testing.TB, addr, ns string, n, done int) *queue.Queue {
	tb.Helper()
	ctx := context.Background()
	rdb := (&config.Redis{Addr: addr}).Client()
	tb.Cleanup(func() { rdb.Close() })
	q, err := queue.New(ctx, rdb, queue.Config{Namespace: ns})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := q.NewRun(ctx); err != nil {
		tb.Fatal(err)
	}
	urls := make([]string, n)
	for i := range urls {
		urls[i] = "http://example.test/" + string(rune('a'+i))
	}
	if _, err := q.Enqueue(ctx, urls); err != nil {
		tb.Fatal(err)
	}
	finish(tb, q, done)
	return q
}

// finish claims and commits n jobs; the first is a failure.
func finish(tb testing.TB, q *queue.Queue, n int) {
	tb.Helper()
	ctx := context.Background()
	jobs, err := q.Claim(ctx, n)
	if err != nil || len(jobs) != n {
		tb.Fatalf("Claim = %d, %v; want %d", len(jobs), err, n)
	}
	outs := make([]queue.Outcome, 0, n)
	for i, j := range jobs {
		kind := queue.Succeeded
		if i == 0 {
			kind = queue.Failed
		}
		res, _ := json.Marshal(map[string]any{"id": j.ID, "url": j.URL, "ok": kind == queue.Succeeded})
		outs = append(outs, queue.Outcome{ID: j.ID, Token: j.Token, Kind: kind, Result: res})
	}
	if _, _, err := q.Commit(ctx, outs, queue.Deltas{Stats: map[string]int64{"origin": int64(n)}}); err != nil {
		tb.Fatal(err)
	}
}

func TestOnceJSON(t *testing.T) {
	addr := redistest.Start(t).Addr()
	startRun(t, addr, "m1", 4, 3)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-once", "-json"}, env(map[string]string{"REDIS_ADDR": addr, "NAMESPACE": "m1"}), &out, &errb)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, errb.String())
	}
	var r progress.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if r.Total != 4 || r.Done != 3 || r.Success != 2 || r.Error != 1 || r.Queued != 1 || r.Progress != 75 || r.Finished {
		t.Errorf("got %+v; want total 4 done 3 success 2 error 1 queued 1 progress 75, unfinished", r)
	}
	if r.Cache.Origin != 3 || r.Cache.HitRate == nil || *r.Cache.HitRate != 0 {
		t.Errorf("cache: got %+v; want origin 3, hit rate 0", r.Cache)
	}
}

func TestOncePlain(t *testing.T) {
	addr := redistest.Start(t).Addr()
	startRun(t, addr, "urlcheck", 4, 3)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"-once", "-redis-addr", addr}, env(nil), &out, &errb); err != nil {
		t.Fatalf("run: %v (stderr %q)", err, errb.String())
	}
	want := "Queue: 1 | Processing: 0 | Success: 2 | Error: 1 | Progress: 75.0% | Rate: - | ETA: - | Retrying: 0 | Workers: 0 | Cache hits: 0.0%\n"
	if out.String() != want {
		t.Errorf("got %q; want %q", out.String(), want)
	}
}

// TestRedisDownAtStartFailsFast: a wrong address is a clear error at
// start-up, naming it; outages after start are ridden through.
func TestRedisDownAtStartFailsFast(t *testing.T) {
	srv := redistest.Start(t)
	srv.Kill(t)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-once", "-redis-addr", srv.Addr()}, env(nil), &out, &errb)
	if code := config.ExitCode(err, &errb); code != 1 || !strings.Contains(errb.String(), "redis at "+srv.Addr()+" is not reachable") {
		t.Errorf("exit %d, stderr %q; want 1 and the address named", code, errb.String())
	}
}

func TestUntilDone(t *testing.T) {
	addr := redistest.Start(t).Addr()
	q := startRun(t, addr, "m2", 3, 1)
	out := &syncBuffer{seen: make(chan struct{}, 1)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(context.Background(), []string{"-until-done", "-interval", "10ms"},
			env(map[string]string{"REDIS_ADDR": addr, "NAMESPACE": "m2"}), out, &bytes.Buffer{})
	}()
	<-out.seen // it printed the unfinished run
	select {
	case err := <-errc:
		t.Fatalf("run returned %v before the run finished", err)
	default:
	}
	finish(t, q, 2)
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of the run finishing")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if first, last := lines[0], lines[len(lines)-1]; !strings.Contains(first, "Progress: 33.3%") || !strings.Contains(last, "Progress: 100.0%") {
		t.Errorf("first line %q, last %q; want 33.3%% and 100.0%%", first, last)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use that signals its
// first write on seen.
type syncBuffer struct {
	mu   sync.Mutex // guards b
	b    bytes.Buffer
	seen chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.seen <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestUntilDoneInterrupted(t *testing.T) {
	addr := redistest.Start(t).Addr()
	startRun(t, addr, "urlcheck", 2, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errb bytes.Buffer
	err := run(ctx, []string{"-until-done", "-redis-addr", addr}, env(nil), &bytes.Buffer{}, &errb)
	if code := config.ExitCode(err, &errb); code != 1 {
		t.Errorf("exit %d (%v); want 1", code, err)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"once and until-done", []string{"-once", "-until-done"}, nil, "exclude each other"},
		{"argument", []string{"extra"}, nil, "want no arguments"},
		{"bad interval", []string{"-interval", "0"}, nil, "-interval"},
		{"bad interval from env", nil, map[string]string{"MONITOR_INTERVAL": "soon"}, "MONITOR_INTERVAL"},
		{"bad namespace", []string{"-namespace", "a{b}"}, nil, "namespace"},
		{"unknown flag", []string{"-colour"}, nil, "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			err := run(context.Background(), tt.args, env(tt.env), &bytes.Buffer{}, &errb)
			if code := config.ExitCode(err, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("got exit %d, stderr %q; want 2 and %q", code, errb.String(), tt.want)
			}
		})
	}
}
