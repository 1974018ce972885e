package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/check"
)

// Claim is the outcome of ClaimMany for one URL: either the entry turned up
// in L2 (Lookup.Found), or the caller now holds the fetch under Token, or
// neither (another worker or an earlier URL of the batch holds it, or the
// URL cannot be cached): fetch that one through Get, which waits for the
// holder.
type Claim struct {
	Lookup Lookup
	Token  string
}

// ClaimMany looks up each URL in L2 again and claims the fetch of the
// missing ones, atomically per URL and in one pipeline, for a caller that
// found them missing with GetMany and is about to fetch them. Looking again
// in the same step as claiming closes the gap in which another worker could
// store the entry and release its claim. ClaimMany is safe for concurrent
// use; on a Redis error every Claim is empty and the error is returned.
func (c *Cache) ClaimMany(ctx context.Context, urls []string) ([]Claim, error) {
	claims := make([]Claim, len(urls))
	norms := make([]string, len(urls))
	seen := make(map[string]bool, len(urls))
	for i, url := range urls {
		norm, err := Normalize(url)
		if err != nil || seen[norm] {
			continue
		}
		seen[norm] = true
		norms[i] = norm
		claims[i].Token = strconv.FormatUint(rand.Uint64(), 36)
	}
	if len(seen) == 0 {
		return claims, nil
	}
	cmds, err := c.runLookups(ctx, norms, claims)
	if err != nil {
		clear(claims)
		return claims, fmt.Errorf("cache claim many: %w", err)
	}
	var hits int64
	for i, cmd := range cmds {
		if cmd == nil {
			continue
		}
		switch v := cmd.Val().(type) {
		case string:
			claims[i].Token = ""
			if e, ok, _ := c.decodeReply("", v, nil); ok {
				claims[i].Lookup = Lookup{Result: e.result(urls[i], SourceL2), Source: SourceL2, Found: true}
				c.l1Put(norms[i], e)
				hits++
			}
		case int64:
			if v != 1 {
				claims[i].Token = ""
			}
		}
	}
	c.counts.l2.Add(hits)
	return claims, nil
}

// runLookups sends lookupScript for every URL with a token, as EVALSHA in
// one pipeline. A pipeline cannot fall back to EVAL by itself, so after a
// restart emptied the script cache it loads the script and sends again.
func (c *Cache) runLookups(ctx context.Context, norms []string, claims []Claim) ([]*redis.Cmd, error) {
	send := func() ([]*redis.Cmd, error) {
		pipe := c.rdb.Pipeline()
		cmds := make([]*redis.Cmd, len(norms))
		for i, norm := range norms {
			if claims[i].Token == "" {
				continue
			}
			ek := c.keys.entry(norm)
			cmds[i] = lookupScript.EvalSha(ctx, pipe, []string{ek, c.keys.claim(ek)},
				claims[i].Token, c.cfg.ClaimTTL.Milliseconds())
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := send()
	if err != nil && strings.Contains(err.Error(), "NOSCRIPT") {
		if err := lookupScript.Load(ctx, c.rdb).Err(); err != nil {
			return nil, err
		}
		cmds, err = send()
	}
	return cmds, err
}

// FetchClaimed fetches a URL whose claim the caller took with ClaimMany,
// stores the result as Get would and releases the claim. With token "" it
// fetches and stores without a claim, leaving another's claim alone. The
// result has Cache "origin".
func (c *Cache) FetchClaimed(ctx context.Context, url, token string, fetch Fetch) check.Result {
	norm, err := Normalize(url)
	if err != nil {
		r := fetch(ctx)
		r.Cache = SourceOrigin
		return r
	}
	r := c.fetchAndStore(ctx, url, norm, c.keys.entry(norm), token, fetch)
	if r.ErrorKind != check.KindDeferred {
		c.counts.origin.Add(1)
	}
	return r
}

// Release gives up a claim taken with ClaimMany without fetching, so that
// the next worker to want the URL fetches it at once.
func (c *Cache) Release(ctx context.Context, url, token string) {
	if norm, err := Normalize(url); err == nil {
		c.store(ctx, c.keys.entry(norm), token, nil, 0)
	}
}
