package hostlimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/redistest"
)

func newLimiter(tb testing.TB, rdb redis.UniversalClient, cfg Config) *Limiter {
	tb.Helper()
	l, err := New(context.Background(), rdb, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return l
}

// twoWorkers starts a server and returns two Limiters on it, each with its
// own client, as two worker processes would have.
func twoWorkers(tb testing.TB, cfg Config) (*Limiter, *Limiter, *redistest.Server) {
	tb.Helper()
	srv := redistest.Start(tb)
	return newLimiter(tb, srv.Client(tb), cfg), newLimiter(tb, srv.Client(tb), cfg), srv
}

func mustAcquire(tb testing.TB, l *Limiter, host string) Permit {
	tb.Helper()
	p, wait, ok, err := l.Acquire(context.Background(), host)
	if err != nil || !ok {
		tb.Fatalf("Acquire(%q) = wait %v, ok %v, err %v; want a permit", host, wait, ok, err)
	}
	return p
}

// mustRefuse checks that Acquire says "not now" and returns the wait.
func mustRefuse(tb testing.TB, l *Limiter, host string) time.Duration {
	tb.Helper()
	p, wait, ok, err := l.Acquire(context.Background(), host)
	if err != nil || ok {
		_ = p.Release(context.Background())
		tb.Fatalf("Acquire(%q) = ok %v, err %v; want not now", host, ok, err)
	}
	if wait <= 0 {
		tb.Fatalf("Acquire(%q) wait = %v; want more than 0", host, wait)
	}
	return wait
}

func mustRelease(tb testing.TB, p Permit) {
	tb.Helper()
	if err := p.Release(context.Background()); err != nil {
		tb.Fatalf("Release: %v", err)
	}
}

// pollAcquire calls Acquire every millisecond until it grants a permit, and
// fails the test if that takes longer than limit.
func pollAcquire(tb testing.TB, l *Limiter, host string, limit time.Duration) Permit {
	tb.Helper()
	deadline := time.After(limit)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		p, _, ok, err := l.Acquire(context.Background(), host)
		if err != nil {
			tb.Fatalf("Acquire(%q): %v", host, err)
		}
		if ok {
			return p
		}
		select {
		case <-deadline:
			tb.Fatalf("Acquire(%q) still says not now after %v", host, limit)
		case <-tick.C:
		}
	}
}

// within fails the test unless lo <= got <= hi.
func within(tb testing.TB, what string, got, lo, hi time.Duration) {
	tb.Helper()
	if got < lo || got > hi {
		tb.Errorf("%s = %v; want %v to %v", what, got, lo, hi)
	}
}
