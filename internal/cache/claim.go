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
	pollMax   = 100 * time.Millisecond
)

// lookupScript reads a URL's entry and, when there is none, claims the
// fetch, in one round trip.
// KEYS: entry, claim. ARGV: token, claim TTL in ms.
// Returns the entry if there is one, else 1 if the caller now holds the
// claim, else 0 (another worker holds it). Run twice with one token, it
// answers 1 both times: a pipeline sent again after NOSCRIPT on some
// cluster nodes, or a command re-sent after a lost reply, must not find
// the caller's own claim and wait for itself.
var lookupScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[2]) == ARGV[1] then return 1 end
return 0
`)

// storeScript stores an entry and releases the caller's claim, if it still
// holds it, in one round trip; a worker whose claim expired and was taken
// over does not delete the new holder's claim. With no value it only
// releases.
// KEYS: entry, claim. ARGV: token, value, TTL in ms.
var storeScript = redis.NewScript(`
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 0
`)

// claimAndFetch looks a URL up in L2 and, when it is missing, claims it
// and fetches it. If another worker holds the claim, it waits for that
// worker's result (merged is then true) and fetches only if none comes
// within WaitFor.
func (c *Cache) claimAndFetch(ctx context.Context, url, norm, ek string, fetch Fetch) (r check.Result, merged bool) {
	ck, token := c.keys.claim(ek), strconv.FormatUint(rand.Uint64(), 36)
	reply, err := lookupScript.Run(ctx, c.rdb, []string{ek, ck}, token, c.cfg.ClaimTTL.Milliseconds()).Result()
	if err != nil {
		// Redis is failing; fetch without the cache's help.
		c.log.Debug("cache lookup failed", "url", url, "err", err)
		return c.fetchAndStore(ctx, url, norm, ek, "", fetch), false
	}
	switch v := reply.(type) {
	case string:
		if e, ok, _ := c.decodeReply(ek, v, nil); ok {
			c.l1Put(norm, e)
			return e.result(url, SourceL2), false
		}
	case int64:
		if v == 1 {
			return c.fetchAndStore(ctx, url, norm, ek, token, fetch), false
		}
		if e, ok := c.awaitPeer(ctx, ek, ck); ok {
			c.l1Put(norm, e)
			return e.result(url, SourceL2), true
		}
	}
	return c.fetchAndStore(ctx, url, norm, ek, "", fetch), false
}

// store writes value (may be empty) to ek and releases the claim held
// under token (may be empty), behind the caller with WriteBehind.
func (c *Cache) store(ctx context.Context, ek, token string, value []byte, ttl time.Duration) {
	if token == "" && len(value) == 0 {
		return
	}
	r := storeReq{ek: ek, token: token, value: value, ttl: ttl}
	if c.w != nil {
		c.w.add(ctx, r)
		return
	}
	c.storeNow(ctx, r)
}

func (c *Cache) storeNow(ctx context.Context, r storeReq) {
	ck := c.keys.claim(r.ek)
	if err := storeScript.Run(ctx, c.rdb, []string{r.ek, ck}, r.token, r.value, r.ttl.Milliseconds()).Err(); err != nil {
		c.log.Warn("cache store failed", "key", r.ek, "err", err)
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
