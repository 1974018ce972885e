package cache

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// storeReq is one entry to store and claim to release.
type storeReq struct {
	ek, token string
	value     []byte
	ttl       time.Duration
}

// writer sends stores behind the fetches that produce them, batching
// whatever piled up while the previous batch was in flight into one
// pipeline: one round trip for many misses under load, no added wait when
// idle. Safe for concurrent use.
type writer struct {
	c    *Cache
	reqs chan storeReq
	done chan struct{}
}

// maxStoreBatch bounds one pipeline.
const maxStoreBatch = 256

func newWriter(c *Cache) *writer {
	w := &writer{c: c, reqs: make(chan storeReq, 4*maxStoreBatch), done: make(chan struct{})}
	go w.loop()
	return w
}

// add queues a store; when the queue is full it stores at once instead.
func (w *writer) add(ctx context.Context, r storeReq) {
	select {
	case w.reqs <- r:
	default:
		w.c.storeNow(ctx, r)
	}
}

// close stores what is queued and stops the writer.
func (w *writer) close() {
	close(w.reqs)
	<-w.done
}

func (w *writer) loop() {
	defer close(w.done)
	for r := range w.reqs {
		batch := []storeReq{r}
		for len(batch) < maxStoreBatch {
			more, ok := w.tryRecv()
			if !ok {
				break
			}
			batch = append(batch, more)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		w.c.storeMany(ctx, batch)
		cancel()
	}
}

func (w *writer) tryRecv() (storeReq, bool) {
	select {
	case r, ok := <-w.reqs:
		return r, ok
	default:
		return storeReq{}, false
	}
}

// storeMany runs storeScript for every request in one pipeline, loading
// the script first if a restart emptied the script cache.
func (c *Cache) storeMany(ctx context.Context, batch []storeReq) {
	send := func() error {
		pipe := c.rdb.Pipeline()
		for _, r := range batch {
			storeScript.EvalSha(ctx, pipe, []string{r.ek, c.keys.claim(r.ek)}, r.token, r.value, r.ttl.Milliseconds())
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	err := send()
	if err != nil && strings.Contains(err.Error(), "NOSCRIPT") {
		if err = storeScript.Load(ctx, c.rdb).Err(); err == nil {
			err = send()
		}
	}
	if err != nil && err != redis.Nil {
		c.log.Warn("cache store failed", "entries", len(batch), "err", err)
	}
}
