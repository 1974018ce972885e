package queue

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Lazy creates its Queue on first use, so that a long-running reader (the
// monitor, the API) can start, and report, while Redis is down: New has to
// ask the server for its version. It is safe for concurrent use.
type Lazy struct {
	rdb redis.UniversalClient
	cfg Config

	mu sync.Mutex // guards q; held while New talks to Redis
	q  *Queue
}

// NewLazy returns a Lazy that will create the queue with New(ctx, rdb, cfg).
// A bad cfg shows up as the error of every Get.
func NewLazy(rdb redis.UniversalClient, cfg Config) *Lazy {
	return &Lazy{rdb: rdb, cfg: cfg}
}

// Get returns the queue, creating it if no earlier call succeeded.
func (l *Lazy) Get(ctx context.Context) (*Queue, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.q != nil {
		return l.q, nil
	}
	q, err := New(ctx, l.rdb, l.cfg)
	if err != nil {
		return nil, err
	}
	l.q = q
	return q, nil
}

// Stats returns the queue's Stats, creating the queue first if need be.
func (l *Lazy) Stats(ctx context.Context) (Stats, error) {
	q, err := l.Get(ctx)
	if err != nil {
		return Stats{}, err
	}
	return q.Stats(ctx)
}
