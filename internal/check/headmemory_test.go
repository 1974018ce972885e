package check

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the in-memory HeadMemory.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestHeadMemoryTTL(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewHeadMemory(time.Minute, clock.Now)
	steps := []struct {
		advance time.Duration
		mark    string
		host    string
		want    bool
	}{
		{host: "a.example", want: false},
		{mark: "a.example", host: "a.example", want: true},
		{host: "b.example", want: false},
		{advance: 59 * time.Second, host: "a.example", want: true},
		{mark: "b.example", host: "b.example", want: true},
		{advance: time.Second, host: "a.example", want: false},
		{host: "b.example", want: true},
		{mark: "a.example", host: "a.example", want: true}, // marked again after expiry
		{advance: 59 * time.Second, host: "a.example", want: true},
		{host: "b.example", want: false},
	}
	for i, s := range steps {
		clock.advance(s.advance)
		if s.mark != "" {
			m.MarkHeadBroken(ctx, s.mark)
		}
		if got := m.HeadBroken(ctx, s.host); got != s.want {
			t.Errorf("step %d: HeadBroken(%q) = %v; want %v", i, s.host, got, s.want)
		}
	}
}

func TestHeadMemoryBounded(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewHeadMemory(time.Hour, clock.Now)
	const n = DefaultHeadMemoryHosts + 100
	for i := range n {
		m.MarkHeadBroken(ctx, "h"+strconv.Itoa(i))
		m.MarkHeadBroken(ctx, "h0") // re-marks must not grow it either
	}
	hm := m.(*headMemory)
	if len(hm.until) > DefaultHeadMemoryHosts || len(hm.queue) > DefaultHeadMemoryHosts {
		t.Errorf("holds %d hosts in a queue of %d; want at most %d", len(hm.until), len(hm.queue), DefaultHeadMemoryHosts)
	}
	for host, want := range map[string]bool{"h0": true, "h1": false, "h" + strconv.Itoa(n-1): true} {
		if got := m.HeadBroken(ctx, host); got != want {
			t.Errorf("HeadBroken(%q) = %v; want %v", host, got, want)
		}
	}
}

func TestHeadMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	m := NewHeadMemory(0, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				host := strconv.Itoa(g*1000 + i)
				m.MarkHeadBroken(ctx, host)
				if !m.HeadBroken(ctx, host) {
					t.Errorf("HeadBroken(%q) = false just after marking; want true", host)
					return
				}
			}
		})
	}
	wg.Wait()
}
