package hostlimit

import (
	"context"
	"strconv"
	"testing"
	"time"
)

func mustPause(tb testing.TB, l *Limiter, host string, d time.Duration) time.Duration {
	tb.Helper()
	got, err := l.Pause(context.Background(), host, d)
	if err != nil {
		tb.Fatalf("Pause(%q, %v): %v", host, d, err)
	}
	return got
}

func mustBackoff(tb testing.TB, l *Limiter, host string) time.Duration {
	tb.Helper()
	got, err := l.Backoff(context.Background(), host)
	if err != nil {
		tb.Fatalf("Backoff(%q): %v", host, err)
	}
	return got
}

// TestPauseStopsEveryWorker pauses a host through one worker and checks
// that the other is told to wait out the rest of the pause, then let in.
func TestPauseStopsEveryWorker(t *testing.T) {
	const pause, busy = 300 * time.Millisecond, 100 * time.Millisecond
	l1, l2, _ := twoWorkers(t, Config{Default: Policy{Concurrency: 2}, BusyWait: busy})
	start := time.Now()
	if got := mustPause(t, l1, "example.com", pause); got != pause {
		t.Errorf("Pause = %v; want %v", got, pause)
	}
	within(t, "wait", mustRefuse(t, l2, "example.com"), pause-time.Since(start), pause+busy)
	mustRelease(t, pollAcquire(t, l2, "example.com", 5*time.Second))
	// Redis expires keys on a millisecond clock, so allow for its rounding.
	if got := time.Since(start); got < pause-2*time.Millisecond {
		t.Errorf("let in after %v; want at least the pause, %v", got, pause)
	}
}

func TestPauseKeepsLonger(t *testing.T) {
	l, _, _ := twoWorkers(t, Config{Default: Policy{Concurrency: 2}, MaxPause: time.Second})
	for _, tc := range []struct {
		host     string
		pauses   []time.Duration
		min, max time.Duration
	}{
		{"capped.test", []time.Duration{time.Hour}, time.Second, time.Second},
		{"longer.test", []time.Duration{800 * time.Millisecond, 100 * time.Millisecond}, 700 * time.Millisecond, 800 * time.Millisecond},
		{"shorter.test", []time.Duration{100 * time.Millisecond, 800 * time.Millisecond}, 800 * time.Millisecond, 800 * time.Millisecond},
		{"zero.test", []time.Duration{0, -time.Second}, 0, 0},
	} {
		var got time.Duration
		for _, d := range tc.pauses {
			got = mustPause(t, l, tc.host, d)
		}
		within(t, "Pause "+tc.host, got, tc.min, tc.max)
	}
	mustAcquire(t, l, "zero.test")
	within(t, "wait on capped.test", mustRefuse(t, l, "capped.test"), 900*time.Millisecond, time.Second+l.cfg.BusyWait)
}

// TestBackoff checks that each step doubles the pause up to MaxPause, that
// failures during a pause take no step, and that Recover starts over.
func TestBackoff(t *testing.T) {
	cfg := Config{BackoffBase: 100 * time.Millisecond, MaxPause: 250 * time.Millisecond, Rand: func() float64 { return 0.5 }}
	l, other, _ := twoWorkers(t, cfg)
	const host = "example.com"
	// With jitter 0.5 a step pauses 3/4 of its ceiling: 100, 200, then 250 (capped).
	for _, want := range []time.Duration{75, 150, 187, 187} {
		want *= time.Millisecond
		if got := mustBackoff(t, l, host); got != want {
			t.Errorf("Backoff = %v; want %v", got, want)
		}
		within(t, "Backoff during the pause", mustBackoff(t, other, host), 1, want)
		pollAcquire(t, l, host, 5*time.Second)
	}
	if err := l.Recover(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	if got, want := mustBackoff(t, l, host), 75*time.Millisecond; got != want {
		t.Errorf("Backoff after Recover = %v; want %v", got, want)
	}
}

// TestPermitRecover checks that a permit granted while the host had a
// backoff ends it.
func TestPermitRecover(t *testing.T) {
	cfg := Config{Default: Policy{Concurrency: 4}, BackoffBase: 20 * time.Millisecond, Rand: func() float64 { return 0 }}
	l, _, _ := twoWorkers(t, cfg)
	const host = "example.com"
	mustBackoff(t, l, host)
	pollAcquire(t, l, host, 5*time.Second)
	if got, want := mustBackoff(t, l, host), 20*time.Millisecond; got != want {
		t.Fatalf("second Backoff = %v; want %v", got, want)
	}
	p := pollAcquire(t, l, host, 5*time.Second)
	if err := p.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := mustBackoff(t, l, host), 10*time.Millisecond; got != want {
		t.Errorf("Backoff after Permit.Recover = %v; want %v", got, want)
	}
}

// TestPauseUnlimitedHost checks that a Limiter that paused an unlimited
// host consults Redis for it until MaxPause after the pause, while a
// Limiter that did not still skips Redis.
func TestPauseUnlimitedHost(t *testing.T) {
	now := time.Unix(1000, 0)
	cfg := Config{MaxPause: 10 * time.Second, Now: func() time.Time { return now }}
	l1, l2, _ := twoWorkers(t, cfg)
	const host = "example.com"
	mustPause(t, l1, host, 5*time.Second)
	if l1.Unlimited(host) {
		t.Error("Unlimited after Pause = true; want false")
	}
	mustRefuse(t, l1, host)
	if !l2.Unlimited(host) {
		t.Error("Unlimited on the other worker = false; want true (it skips Redis)")
	}
	now = now.Add(15 * time.Second)
	if !l1.Unlimited(host) {
		t.Error("Unlimited after pause + MaxPause = false; want true")
	}
}

func TestWatchListPrunes(t *testing.T) {
	w := watchList{hosts: map[string]time.Time{}}
	now := time.Unix(1000, 0)
	for i := range pruneAt {
		w.add(strconv.Itoa(i), now, now.Add(time.Second))
	}
	later := now.Add(time.Minute)
	w.add("new", later, later.Add(time.Second))
	if got := len(w.hosts); got != 1 {
		t.Errorf("watched %d hosts after their time; want 1", got)
	}
	if !w.has("new", func() time.Time { return later }) || w.has("0", func() time.Time { return later }) {
		t.Error(`has: want "new" watched and "0" forgotten`)
	}
}
