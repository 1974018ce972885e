package hostlimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestConcurrencyAcrossWorkers has two workers ask for ten slots at once
// on a host that allows four.
func TestConcurrencyAcrossWorkers(t *testing.T) {
	cfg := Config{Default: Policy{Concurrency: 4}, BusyWait: 100 * time.Millisecond}
	l1, l2, _ := twoWorkers(t, cfg)
	type answer struct {
		p    Permit
		wait time.Duration
		ok   bool
		err  error
	}
	answers := make(chan answer, 10)
	var wg sync.WaitGroup
	for i := range 10 {
		l := []*Limiter{l1, l2}[i%2]
		wg.Go(func() {
			p, wait, ok, err := l.Acquire(context.Background(), "example.com")
			answers <- answer{p, wait, ok, err}
		})
	}
	wg.Wait()
	close(answers)
	var granted []Permit
	for a := range answers {
		switch {
		case a.err != nil:
			t.Fatalf("Acquire: %v", a.err)
		case a.ok:
			granted = append(granted, a.p)
		default:
			within(t, "busy wait", a.wait, 50*time.Millisecond, 150*time.Millisecond)
		}
	}
	if len(granted) != 4 {
		t.Fatalf("got %d permits; want 4", len(granted))
	}
	mustRefuse(t, l2, "EXAMPLE.com")
	mustRelease(t, granted[0])
	mustRelease(t, granted[0]) // idempotent: frees nothing more
	mustAcquire(t, l2, "example.com")
	mustRefuse(t, l1, "example.com")
	if err := l1.ReleaseMany(context.Background(), granted[1:]); err != nil {
		t.Fatalf("ReleaseMany: %v", err)
	}
	for range 3 {
		mustAcquire(t, l1, "example.com")
	}
	mustRefuse(t, l1, "example.com")
}

// TestLeaseExpiry checks that a dead holder's slot frees itself when its
// lease ends, not before, and that its late Release cannot free the slot
// of the permit that took its place.
func TestLeaseExpiry(t *testing.T) {
	const lease = 200 * time.Millisecond
	l1, l2, _ := twoWorkers(t, Config{Default: Policy{Concurrency: 1}, Lease: lease})
	start := time.Now()
	stale := mustAcquire(t, l1, "example.com")
	p := pollAcquire(t, l2, "example.com", 5*time.Second)
	// The lease runs on the Redis clock: allow for it and ours to differ
	// in rounding.
	if got := time.Since(start); got < lease-2*time.Millisecond {
		t.Errorf("slot reused after %v; want at least the lease, %v", got, lease)
	}
	mustRelease(t, stale)
	mustRefuse(t, l1, "example.com")
	mustRelease(t, p)
	mustAcquire(t, l1, "example.com")
}

// TestAcquireReplay runs the script twice with one token, as go-redis does
// when it loses a reply: the second run must not take a second slot.
func TestAcquireReplay(t *testing.T) {
	l1, l2, _ := twoWorkers(t, Config{Default: Policy{Concurrency: 2, Rate: 1000, Burst: 5}})
	pol := l1.Policy("example.com")
	for i := range 2 {
		_, _, ok, err := l1.acquire(context.Background(), "example.com", pol, "token", 0)
		if err != nil || !ok {
			t.Fatalf("run %d: ok %v, err %v; want a permit", i+1, ok, err)
		}
	}
	mustAcquire(t, l2, "example.com")
	mustRefuse(t, l2, "example.com")
}

// TestRate has two workers ask for a host allowing 10 requests a second as
// fast as they can: one gets through (more only if the loop is slow), and
// the others are told to come back one interval apart, never later than
// MaxPause.
func TestRate(t *testing.T) {
	const interval = 100 * time.Millisecond
	l1, l2, _ := twoWorkers(t, Config{Default: Policy{Rate: 10}, MaxPause: time.Second})
	granted := 0
	var waits []time.Duration
	start := time.Now()
	for i := range 50 {
		p, wait, ok, err := []*Limiter{l1, l2}[i%2].Acquire(context.Background(), "example.com")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			granted++
			mustRelease(t, p)
			continue
		}
		waits = append(waits, wait)
	}
	elapsed := time.Since(start)
	if hi := 1 + int(elapsed/interval); granted < 1 || granted > hi {
		t.Errorf("granted %d of 50 in %v; want 1 to %d", granted, elapsed, hi)
	}
	within(t, "first wait", waits[0], 1, interval)
	for i := 1; i < len(waits); i++ {
		if waits[i] == time.Second {
			continue // capped at MaxPause
		}
		// Each wait is one interval after the previous one, less the
		// time that passed between the two calls.
		within(t, "wait after the previous one", waits[i]-waits[i-1], interval-elapsed, interval)
	}
	within(t, "last wait", waits[len(waits)-1], time.Second, time.Second)
}

// TestRateOverTime polls a host allowing 10 requests a second for 550ms.
func TestRateOverTime(t *testing.T) {
	l, _, _ := twoWorkers(t, Config{Default: Policy{Rate: 10}})
	granted := 0
	deadline := time.Now().Add(550 * time.Millisecond)
	for time.Now().Before(deadline) {
		_, _, ok, err := l.Acquire(context.Background(), "example.com")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			granted++
		}
	}
	// 1 at once, then one every 100ms: 6, or fewer if a call stalls.
	if granted < 4 || granted > 6 {
		t.Errorf("granted %d in 550ms at 10/s; want 6 (4 if the loop stalls)", granted)
	}
}

// TestBurst asks 20 times in a row: a burst gets through at once, and then
// only what the rate allows in the time the loop took.
func TestBurst(t *testing.T) {
	for _, tc := range []struct {
		pol   Policy
		burst int
	}{
		{Policy{Rate: 100}, 10}, // burst max(1, 100/10)
		{Policy{Rate: 100, Burst: 3}, 3},
		{Policy{Rate: 2}, 1}, // burst at least 1
		{Policy{Rate: 2, Concurrency: 5}, 1},
		{Policy{Rate: 1000, Burst: 50, Concurrency: 5}, 5}, // the slots run out first
	} {
		l, _, _ := twoWorkers(t, Config{Default: tc.pol})
		granted := 0
		start := time.Now()
		for range 20 {
			_, _, ok, err := l.Acquire(context.Background(), "example.com")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				granted++
			}
		}
		hi := tc.burst + int(tc.pol.Rate*time.Since(start).Seconds())
		if tc.pol.Concurrency > 0 {
			hi = min(hi, tc.pol.Concurrency)
		}
		if granted < tc.burst || granted > hi {
			t.Errorf("%+v: granted %d of 20; want %d to %d", tc.pol, granted, tc.burst, hi)
		}
	}
}

// TestKeysExpire checks that every key a host uses has a TTL.
func TestKeysExpire(t *testing.T) {
	l, _, srv := twoWorkers(t, Config{Default: Policy{Concurrency: 2, Rate: 1}})
	mustAcquire(t, l, "example.com")
	mustRefuse(t, l, "example.com")
	if _, err := l.Backoff(context.Background(), "example.com"); err != nil {
		t.Fatal(err)
	}
	rdb := srv.Client(t)
	k := newKeys(DefaultPrefix, "example.com")
	for _, key := range []string{k.slots, k.rate, k.tail, k.pause, k.backoff} {
		if ttl := rdb.PTTL(context.Background(), key).Val(); ttl <= 0 {
			t.Errorf("PTTL %s = %v; want more than 0", key, ttl)
		}
	}
}

// TestUnlimitedSkipsRedis acquires for an unlimited host with the server
// gone.
func TestUnlimitedSkipsRedis(t *testing.T) {
	l, _, srv := twoWorkers(t, Config{Hosts: map[string]Policy{"Slow.Test": {Concurrency: 1}}})
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"example.com", true},
		{"slow.test", false},
		{"SLOW.TEST", false},
		{"slow.test:8080", true}, // the port counts
	} {
		if got := l.Unlimited(tc.host); got != tc.want {
			t.Errorf("Unlimited(%q) = %v; want %v", tc.host, got, tc.want)
		}
	}
	srv.Kill(t)
	p := mustAcquire(t, l, "example.com")
	mustRelease(t, p)
	if err := p.Recover(context.Background()); err != nil {
		t.Errorf("Recover on a healthy host: %v; want no round trip", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, _, err := l.Acquire(ctx, "slow.test"); err == nil {
		t.Error("Acquire on a limited host with Redis gone: no error")
	}
}

func TestAcquireBadHost(t *testing.T) {
	l, _, _ := twoWorkers(t, Config{})
	for _, host := range []string{"", "a{b}", "a/b", "a b"} {
		if _, _, _, err := l.Acquire(context.Background(), host); err == nil {
			t.Errorf("Acquire(%q): no error", host)
		}
	}
}

// TestBusyPace: callers turned away by a busy host that give a pace come
// back one pace apart, across workers, capped by MaxPause; without a pace
// the wait is the plain BusyWait.
func TestBusyPace(t *testing.T) {
	const pace, busy = time.Second, 100 * time.Millisecond
	cfg := Config{Default: Policy{Concurrency: 1}, BusyWait: busy, MaxPause: 3500 * time.Millisecond,
		Rand: func() float64 { return 0 }}
	a, b, srv := twoWorkers(t, cfg)
	mustAcquire(t, a, "h")
	var waits []time.Duration
	for i := range 5 {
		l := []*Limiter{a, b}[i%2]
		_, wait, ok, err := l.AcquirePaced(context.Background(), "h", pace)
		if err != nil || ok {
			t.Fatalf("AcquirePaced %d = ok %v, err %v; want turned away", i, ok, err)
		}
		waits = append(waits, wait)
	}
	// Each wait is its slot's time from now, a few ms off for the time
	// the calls took; the fourth and fifth are capped.
	for i, want := range []time.Duration{pace, 2 * pace, 3 * pace, 3500 * time.Millisecond, 3500 * time.Millisecond} {
		if d := want - waits[i]; d < 0 || d > 200*time.Millisecond {
			t.Errorf("wait %d = %v; want about %v", i, waits[i], want)
		}
	}
	if w := mustRefuse(t, a, "h"); w != busy/2 {
		t.Errorf("wait without a pace = %v; want BusyWait/2 = %v (no jitter here)", w, busy/2)
	}
	if ttl := srv.Client(t).PTTL(context.Background(), newKeys(DefaultPrefix, "h").busy).Val(); ttl <= 0 {
		t.Errorf("PTTL of the busy tail = %v; want it to expire", ttl)
	}
}
