package check

import (
	"context"
	"sync"
	"time"
)

// HeadMemory remembers hosts where HEAD does not work, so later checks go
// straight to GET. Hosts are URL hosts in lower case, with the port if the
// URL has one ("example.com", "example.com:8080"). Implementations must be
// safe for concurrent use; a failing one should answer false and forget.
type HeadMemory interface {
	HeadBroken(ctx context.Context, host string) bool
	MarkHeadBroken(ctx context.Context, host string)
}

// Defaults of the in-memory HeadMemory.
const (
	DefaultHeadMemoryTTL   = time.Hour
	DefaultHeadMemoryHosts = 10_000
)

// NewHeadMemory returns an in-memory HeadMemory that forgets a host ttl
// after it was marked (DefaultHeadMemoryTTL if ttl <= 0) and holds at most
// DefaultHeadMemoryHosts hosts, forgetting the oldest marks first. now
// tells the time (time.Now if nil). It is safe for concurrent use.
func NewHeadMemory(ttl time.Duration, now func() time.Time) HeadMemory {
	if ttl <= 0 {
		ttl = DefaultHeadMemoryTTL
	}
	if now == nil {
		now = time.Now
	}
	return &headMemory{ttl: ttl, now: now, max: DefaultHeadMemoryHosts, until: map[string]time.Time{}}
}

// headMemory holds marks in a map, for lookups, and in a queue in marking
// order, for forgetting the oldest. A host marked again is queued again; its
// older queue entry is then stale and skipped.
type headMemory struct {
	ttl time.Duration
	now func() time.Time
	max int

	mu    sync.Mutex           // guards until and queue
	until map[string]time.Time // host → when its mark expires
	queue []headMark           // oldest first; len(until) <= len(queue) <= max
}

type headMark struct {
	host  string
	until time.Time
}

var _ HeadMemory = (*headMemory)(nil)

// HeadBroken reports whether host was marked less than the TTL ago.
func (m *headMemory) HeadBroken(_ context.Context, host string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.until[host]
	return ok && m.now().Before(until)
}

// MarkHeadBroken marks host for the TTL.
func (m *headMemory) MarkHeadBroken(_ context.Context, host string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.forget(now)
	until := now.Add(m.ttl)
	m.until[host] = until
	m.queue = append(m.queue, headMark{host, until})
}

// forget drops expired marks and makes room for one more.
func (m *headMemory) forget(now time.Time) {
	for len(m.queue) > 0 && (len(m.queue) >= m.max || !now.Before(m.queue[0].until)) {
		old := m.queue[0]
		m.queue[0] = headMark{} // let the string go
		m.queue = m.queue[1:]
		if m.until[old.host] == old.until {
			delete(m.until, old.host)
		}
	}
}
