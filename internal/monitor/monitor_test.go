package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

// fakeSource returns its snapshots in turn, then the last one forever.
type fakeSource struct {
	mu    sync.Mutex // guards calls
	steps []step
	calls int
}

type step struct {
	st  queue.Stats
	err error
}

var _ Source = (*fakeSource)(nil)

func (f *fakeSource) Stats(context.Context) (queue.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.steps[min(f.calls, len(f.steps)-1)]
	f.calls++
	return s.st, s.err
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// running is a snapshot of a run at second sec with done results of total.
func running(sec int, done, total int64) queue.Stats {
	return queue.Stats{RunID: "r1", StartedAt: t0, Now: t0.Add(time.Duration(sec) * time.Second),
		Total: total, Done: done, Success: done, Queued: total - done}
}

func newMonitor(tb testing.TB, src Source, out *bytes.Buffer, cfg Config) *Monitor {
	tb.Helper()
	if cfg.Interval == 0 {
		cfg.Interval = time.Millisecond
	}
	m, err := New(src, out, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return m
}

func TestOnceJSON(t *testing.T) {
	var out bytes.Buffer
	src := &fakeSource{steps: []step{{st: running(0, 247, 1000)}}}
	if err := newMonitor(t, src, &out, Config{Once: true, Mode: JSON}).Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var r progress.Report
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decode %q: %v", out.String(), err)
	}
	if r.Total != 1000 || r.Done != 247 || r.RunID != "r1" || r.Rate != nil || dec.More() {
		t.Errorf("got %+v; want one report of run r1 with total 1000, done 247, rate null", r)
	}
}

func TestOnceUnreachableIsAnError(t *testing.T) {
	var out bytes.Buffer
	src := &fakeSource{steps: []step{{err: errors.New("connection refused")}}}
	err := newMonitor(t, src, &out, Config{Once: true}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redis unreachable") {
		t.Errorf("got %v; want a redis unreachable error", err)
	}
}

func TestUntilDone(t *testing.T) {
	var out bytes.Buffer
	src := &fakeSource{steps: []step{
		{st: queue.Stats{}},
		{err: errors.New("connection refused")},
		{st: running(1, 0, 100)},
		{st: running(2, 50, 100)},
		{st: running(3, 100, 100)},
		{st: running(4, 100, 100)},
	}}
	if err := newMonitor(t, src, &out, Config{UntilDone: true, Namespace: "ns"}).Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"No run in namespace ns yet",
		"redis unreachable, retrying: connection refused",
		"Queue: 100 | Processing: 0 | Success: 0 | Error: 0 | Progress: 0.0% | Rate: - | ETA: -",
		"Queue: 50 | Processing: 0 | Success: 50 | Error: 0 | Progress: 50.0% | Rate: 50/s | ETA: 1s",
		"Queue: 0 | Processing: 0 | Success: 100 | Error: 0 | Progress: 100.0% | Rate: 50/s | ETA: 0s",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %q; want %d", len(lines), lines, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d: got %q; want prefix %q", i, lines[i], want[i])
		}
	}
}

func TestUntilDoneInterrupted(t *testing.T) {
	var out bytes.Buffer
	src := &fakeSource{steps: []step{{st: running(0, 1, 2)}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newMonitor(t, src, &out, Config{UntilDone: true}).Run(ctx)
	if !errors.Is(err, ErrInterrupted) {
		t.Errorf("got %v; want ErrInterrupted", err)
	}
}

func TestTerminalRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	src := &fakeSource{steps: []step{
		{st: running(0, 10, 40)},
		{err: errors.New("connection refused")},
		{st: running(2, 40, 40)},
	}}
	if err := newMonitor(t, src, &out, Config{UntilDone: true, Mode: Terminal}).Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	want := ansiHideCursor + ansiClearDown +
		"Queue: 30 | Processing: 0 | Success: 10 | Error: 0 | Progress: 25.0% | Rate: - | ETA: -\n" +
		"[#######-----------------------] Retrying: 0 | Workers: 0 | Cache hits: -\n" +
		"\r\x1b[2A" + ansiClearDown +
		"redis unreachable, retrying: connection refused\n" +
		"Last seen: Queue: 30 | Processing: 0 | Success: 10 | Error: 0 | Progress: 25.0% | Rate: - | ETA: -\n" +
		"\r\x1b[2A" + ansiClearDown +
		"Queue: 0 | Processing: 0 | Success: 40 | Error: 0 | Progress: 100.0% | Rate: 15/s | ETA: 0s\n" +
		"[##############################] Retrying: 0 | Workers: 0 | Cache hits: -\n" +
		ansiRestore
	if got != want {
		t.Errorf("got\n%q;\nwant\n%q", got, want)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"once and until done", Config{Once: true, UntilDone: true}},
		{"negative interval", Config{Interval: -time.Second}},
		{"unknown mode", Config{Mode: 42}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(&fakeSource{}, &bytes.Buffer{}, tt.cfg); err == nil {
				t.Error("got nil error; want one")
			}
		})
	}
}

// lines is an io.Writer that hands each write to a channel.
type lines struct {
	ch   chan string
	done chan struct{}
}

func (l *lines) Write(p []byte) (int, error) {
	select {
	case l.ch <- string(p):
		return len(p), nil
	case <-l.done:
		return 0, errors.New("test over")
	}
}

// await reads lines until one contains want, failing after a deadline.
func (l *lines) await(tb testing.TB, want string) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-l.ch:
			if strings.Contains(s, want) {
				return
			}
		case <-deadline:
			tb.Fatalf("no line containing %q within 10s", want)
		}
	}
}

func TestRedisDownAndBack(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	lz := queue.NewLazy(rdb, queue.Config{Namespace: "mon"})
	out := &lines{ch: make(chan string), done: make(chan struct{})}
	m, err := New(lz, out, Config{Namespace: "mon", Interval: 10 * time.Millisecond, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		close(out.done)
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	out.await(t, "No run in namespace mon")
	q, err := lz.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.NewRun(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, []string{"http://a.test/", "http://b.test/"}); err != nil {
		t.Fatal(err)
	}
	out.await(t, "Queue: 2 |")

	srv.Kill(t)
	out.await(t, "redis unreachable")
	out.await(t, "redis unreachable") // and it keeps going

	srv.Restart(t)
	out.await(t, "No run in namespace mon") // the data died with the server
	if _, err := q.Enqueue(ctx, []string{"http://c.test/"}); err != nil {
		t.Fatal(err)
	}
	out.await(t, "Queue: 1 |")
}

// blockingSource answers only when its context ends.
type blockingSource struct{}

var _ Source = blockingSource{}

func (blockingSource) Stats(ctx context.Context) (queue.Stats, error) {
	<-ctx.Done()
	return queue.Stats{}, ctx.Err()
}

func TestSlowRedisIsUnreachable(t *testing.T) {
	var out bytes.Buffer
	err := newMonitor(t, blockingSource{}, &out, Config{Once: true, Timeout: 10 * time.Millisecond}).Run(context.Background())
	if want := "redis unreachable: no answer within 10ms"; err == nil || err.Error() != want {
		t.Errorf("got %v; want %q", err, want)
	}
}
