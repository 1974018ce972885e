package hostlimit

import (
	"context"
	"testing"

	"github.com/urlcheck/url-checker/internal/redistest"
)

// BenchmarkAcquireRelease measures one permit on a host with a concurrency
// limit: the acquire script and the ZREM, two round trips.
func BenchmarkAcquireRelease(b *testing.B) {
	ctx := context.Background()
	l := newLimiter(b, redistest.Start(b).Client(b), Config{Default: Policy{Concurrency: 8}})
	b.ReportAllocs()
	for b.Loop() {
		p, _, ok, err := l.Acquire(ctx, "example.com")
		if err != nil || !ok {
			b.Fatalf("Acquire = ok %v, err %v", ok, err)
		}
		if err := p.Release(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAcquireReleaseParallel has many goroutines share one host with
// room for all of them, as the workers of a fleet would.
func BenchmarkAcquireReleaseParallel(b *testing.B) {
	ctx := context.Background()
	l := newLimiter(b, redistest.Start(b).Client(b), Config{Default: Policy{Concurrency: 100000, Rate: MaxRate}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, _, _, err := l.Acquire(ctx, "example.com")
			if err != nil {
				b.Error(err)
				return
			}
			if err := p.Release(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAcquireUnlimited measures the cost on a host with no limits,
// which Redis never sees.
func BenchmarkAcquireUnlimited(b *testing.B) {
	ctx := context.Background()
	l := newLimiter(b, redistest.Start(b).Client(b), Config{})
	b.ReportAllocs()
	for b.Loop() {
		p, _, _, err := l.Acquire(ctx, "example.com")
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Release(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
