package cache

import (
	"context"
	"fmt"

	"github.com/urlcheck/url-checker/internal/check"
)

// A Fetch checks the URL at its origin. It must not panic: it may run for
// several callers at once, on a goroutine of its own.
type Fetch = func(ctx context.Context) check.Result

// Get returns the result for url from L1, from L2, from a load that another
// caller of this Cache or another worker is running, or else from fetch,
// and stores what fetch returns as the package doc says.
//
// The result has Cache set to its source, "l1", "l2" or "origin". When this
// call ran fetch, it is fetch's result as it is. Otherwise it holds url and
// the URL-level fields only, and the caller sets ID, Worker and Attempts;
// CheckedAt is then that of the original fetch, to the millisecond.
//
// fetch runs on a context detached from ctx and bounded by LoadTimeout,
// since other callers may be waiting for it. Get fails only when ctx ends
// before the result is ready, with an error wrapping ctx.Err(); the load
// goes on for the other callers and stores its result. A URL that Normalize
// rejects is fetched on ctx and not cached. Get is safe for concurrent use.
func (c *Cache) Get(ctx context.Context, url string, fetch Fetch) (check.Result, error) {
	norm, err := Normalize(url)
	if err != nil {
		c.log.Debug("cache bypassed", "url", url, "err", err)
		c.counts.origin.Add(1)
		r := fetch(ctx)
		r.Cache = SourceOrigin
		return r, nil
	}
	if e, ok := c.l1Get(norm); ok {
		c.counts.l1.Add(1)
		return e.result(url, SourceL1), nil
	}
	return c.getShared(ctx, url, norm, fetch)
}

// getShared joins the load of norm that is under way, or starts one, and
// waits for it or for ctx to end.
func (c *Cache) getShared(ctx context.Context, url, norm string, fetch Fetch) (check.Result, error) {
	leader := false
	ch := c.group.DoChan(norm, func() (any, error) {
		leader = true // only the caller that started the load runs this
		return c.load(ctx, url, norm, fetch), nil
	})
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	select {
	case <-ctx.Done():
		return check.Result{}, fmt.Errorf("cache get %s: %w", url, ctx.Err())
	case res := <-ch:
		r := res.Val.(check.Result)
		if leader {
			return r, nil
		}
		c.counts.merged.Add(1)
		e := newEntry(r, norm, c.cfg.Now())
		return e.result(url, r.Cache), nil
	}
}

// load finds norm's result on behalf of every caller waiting for it,
// detached from the context of the caller that started it, and counts it.
func (c *Cache) load(ctx context.Context, url, norm string, fetch Fetch) check.Result {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.LoadTimeout)
	defer cancel()
	r, merged := c.lookupOrFetch(ctx, url, norm, fetch)
	switch {
	case r.ErrorKind == check.KindDeferred: // not fetched: the host was busy
	case merged:
		c.counts.merged.Add(1)
	default:
		c.counts.counter(r.Cache).Add(1)
	}
	return r
}

// lookupOrFetch looks in L1 again, since a load may have ended just before
// this one began, then in L2, claiming the URL in the same round trip, and
// fetches it. merged reports a result that another worker fetched while
// this one waited.
func (c *Cache) lookupOrFetch(ctx context.Context, url, norm string, fetch Fetch) (r check.Result, merged bool) {
	if e, ok := c.l1Get(norm); ok {
		return e.result(url, SourceL1), false
	}
	return c.claimAndFetch(ctx, url, norm, c.keys.entry(norm), fetch)
}

// fetchAndStore fetches url and stores the result: successes in L1 and L2
// for TTL, permanent failures in L2 for ErrorTTL, transient failures
// nowhere. It releases the claim held under token, if any. A Redis error is
// logged and otherwise ignored.
func (c *Cache) fetchAndStore(ctx context.Context, url, norm, ek, token string, fetch Fetch) check.Result {
	r := fetch(ctx)
	r.Cache = SourceOrigin
	if r.Transient() {
		c.store(ctx, ek, token, nil, 0)
		return r
	}
	e := newEntry(r, norm, c.cfg.Now())
	if !e.encodable() {
		c.log.Warn("cache store skipped: unencodable result", "url", url, "error_kind", r.ErrorKind)
		c.store(ctx, ek, token, nil, 0)
		return r
	}
	ttl := c.cfg.TTL
	if !e.ok {
		ttl = c.cfg.ErrorTTL
	}
	c.store(ctx, ek, token, e.encode(), ttl)
	if e.ok {
		c.l1Put(norm, e)
	}
	return r
}
