package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/urlcheck/url-checker/internal/check"
)

// While another worker holds the claim on a URL, a waiter polls L2 for its
// result, first after pollFirst, then pollStep later each time, up to
// pollMax between polls.
const (
	pollFirst = 10 * time.Millisecond
	pollStep  = 5 * time.Millisecond
	pollMax   = 25 * time.Millisecond
)

// releaseScript deletes a claim if it still holds the caller's token, so
// that a worker whose claim expired and was taken over does not delete the
// new holder's claim.
// KEYS: claim key. ARGV: token. Returns 1 if it deleted the claim, else 0.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// claimAndFetch takes the claim on a URL missing from L2 and fetches it.
// If another worker holds the claim, it waits for that worker's result
// (merged is then true) and fetches only if none comes within WaitFor.
func (c *Cache) claimAndFetch(ctx context.Context, url, norm, ek string, fetch Fetch) (r check.Result, merged bool) {
	ck, token := c.keys.claim(ek), strconv.FormatUint(rand.Uint64(), 36)
	claimed, err := c.rdb.SetNX(ctx, ck, token, c.cfg.ClaimTTL).Result()
	if err != nil {
		c.log.Debug("cache claim failed", "key", ck, "err", err)
	}
	if err == nil && !claimed {
		if e, ok := c.awaitPeer(ctx, ek, ck); ok {
			c.l1Put(norm, e)
			return e.result(url, SourceL2), true
		}
	}
	r = c.fetchAndStore(ctx, url, norm, ek, fetch)
	if claimed {
		c.release(ctx, ck, token)
	}
	return r, false
}

// release deletes the claim ck if it still holds token.
func (c *Cache) release(ctx context.Context, ck, token string) {
	if err := releaseScript.Run(ctx, c.rdb, []string{ck}, token).Err(); err != nil {
		c.log.Debug("cache claim release failed", "key", ck, "err", err)
	}
}

// awaitPeer polls L2 for the entry ek that the holder of claim ck is
// loading, until the entry appears, the claim goes away, WaitFor passes or
// ctx ends. It reports whether it found the entry.
func (c *Cache) awaitPeer(ctx context.Context, ek, ck string) (entry, bool) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.WaitFor)
	defer cancel()
	delay := pollFirst
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return entry{}, false
		case <-timer.C:
		}
		e, found, held, err := c.peek(ctx, ek, ck)
		if err != nil && ctx.Err() == nil {
			c.log.Debug("cache wait failed", "key", ek, "err", err)
		}
		if found || !held || err != nil {
			return e, found
		}
		delay = min(delay+pollStep, pollMax)
		timer.Reset(delay)
	}
}

// peek reads entry ek and whether claim ck is still held, in one round
// trip. When the claim is gone but the entry was not seen, it reads the
// entry once more, since the holder may have stored the entry and released
// its claim between the two reads.
func (c *Cache) peek(ctx context.Context, ek, ck string) (e entry, found, held bool, err error) {
	pipe := c.rdb.Pipeline()
	get := pipe.Get(ctx, ek)
	exists := pipe.Exists(ctx, ck)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return entry{}, false, false, fmt.Errorf("peek %s: %w", ek, err)
	}
	if e, found, err = c.decodeReply(ek, get.Val(), get.Err()); found || err != nil {
		return e, found, true, err
	}
	if exists.Val() > 0 {
		return entry{}, false, true, nil
	}
	e, found, err = c.l2Get(ctx, ek)
	return e, found, false, err
}
