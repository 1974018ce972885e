package cache

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/urlcheck/url-checker/internal/check"
)

// l2Get reads entry ek from L2. A missing or unreadable entry is a miss.
func (c *Cache) l2Get(ctx context.Context, ek string) (entry, bool, error) {
	s, err := c.rdb.Get(ctx, ek).Result()
	return c.decodeReply(ek, s, err)
}

// decodeReply turns the reply to a GET of entry ek into an entry.
func (c *Cache) decodeReply(ek, s string, err error) (entry, bool, error) {
	if errors.Is(err, redis.Nil) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, fmt.Errorf("get %s: %w", ek, err)
	}
	e, err := decodeEntry(s)
	if err != nil {
		// A fetch will overwrite it.
		c.log.Debug("cache entry unreadable", "key", ek, "err", err)
		return entry{}, false, nil
	}
	return e, true, nil
}

// Lookup is the outcome of looking up one URL with GetMany.
type Lookup struct {
	Result check.Result // when Found: as Get would return it, with job fields zero
	Source string       // when Found: SourceL1 or SourceL2
	Found  bool
}

// pendingURL is a URL that GetMany looks up in L2.
type pendingURL struct {
	i    int // index in urls
	norm string
}

// GetMany looks up urls in L1 and then the L1 misses in L2, with one MGET
// (on a cluster, one pipeline of GETs per node); it never fetches. The
// i-th Lookup is for urls[i]. A found Result holds the URL and the
// URL-level fields, as a Get served from cache does. Successful results
// found in L2 are added to L1. Hits are counted, misses are not: the Get
// that follows a miss counts it. A URL that Normalize rejects is a miss.
//
// On a Redis error GetMany returns the L1 hits and an error wrapping
// Redis's; the caller may treat the other URLs as misses. GetMany is safe
// for concurrent use.
func (c *Cache) GetMany(ctx context.Context, urls []string) ([]Lookup, error) {
	out := make([]Lookup, len(urls))
	var pending []pendingURL
	var eks []string
	var hits int64
	for i, url := range urls {
		norm, err := Normalize(url)
		if err != nil {
			continue
		}
		if e, ok := c.l1Get(norm); ok {
			out[i] = Lookup{Result: e.result(url, SourceL1), Source: SourceL1, Found: true}
			hits++
			continue
		}
		if pending == nil {
			pending = make([]pendingURL, 0, len(urls)-i)
			eks = make([]string, 0, len(urls)-i)
		}
		pending = append(pending, pendingURL{i: i, norm: norm})
		eks = append(eks, c.keys.entry(norm))
	}
	c.counts.l1.Add(hits)
	if len(eks) == 0 {
		return out, nil
	}
	return out, c.getManyL2(ctx, urls, out, pending, eks)
}

// getManyL2 fills out with the entries eks of the pending URLs found in L2.
func (c *Cache) getManyL2(ctx context.Context, urls []string, out []Lookup, pending []pendingURL, eks []string) error {
	vals, err := c.mget(ctx, eks)
	if err != nil {
		return fmt.Errorf("cache get many: %w", err)
	}
	if len(vals) != len(eks) {
		return fmt.Errorf("cache get many: %d replies for %d keys", len(vals), len(eks))
	}
	var hits int64
	for j, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue
		}
		e, err := decodeEntry(s)
		if err != nil {
			c.log.Debug("cache entry unreadable", "key", eks[j], "err", err)
			continue
		}
		p := pending[j]
		out[p.i] = Lookup{Result: e.result(urls[p.i], SourceL2), Source: SourceL2, Found: true}
		c.l1Put(p.norm, e)
		hits++
	}
	c.counts.l2.Add(hits)
	return nil
}

// mget reads keys eks like MGET: a string or nil per key. A single server
// gets one MGET. Cluster and ring clients get a pipeline of GETs instead,
// which they split by node, since the keys spread over hash slots.
func (c *Cache) mget(ctx context.Context, eks []string) ([]any, error) {
	if _, single := c.rdb.(*redis.Client); single {
		return c.rdb.MGet(ctx, eks...).Result()
	}
	pipe := c.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(eks))
	for i, ek := range eks {
		cmds[i] = pipe.Get(ctx, ek)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	vals := make([]any, len(eks))
	for i, cmd := range cmds {
		if cmd.Err() == nil {
			vals[i] = cmd.Val()
		}
	}
	return vals, nil
}
