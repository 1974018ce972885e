package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/urlcheck/url-checker/internal/check"
)

func TestGetMergesConcurrentCalls(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const callers = 50
	const url = "http://example.com/shared"
	o := newOrigin(okResult(url))
	release := o.gated()
	defer release()

	results := make([]check.Result, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			// Every caller spells the URL its own way; all share one key.
			results[i], errs[i] = c.Get(context.Background(), fmt.Sprintf("HTTP://EXAMPLE.com/shared#%d", i), o.fetch)
		})
	}
	<-o.entered
	waitUntil(t, "all callers wait on the load", func() bool { return c.waiting.Load() == callers })
	release()
	wg.Wait()

	if got := o.calls.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}
	leaders := 0
	fetched := o.result
	fetched.Cache = SourceOrigin
	for i, r := range results {
		if r == fetched && errs[i] == nil {
			leaders++ // the caller that ran fetch gets its result as it is
			continue
		}
		want := okResult(fmt.Sprintf("HTTP://EXAMPLE.com/shared#%d", i))
		want.ID, want.Worker, want.Attempts, want.Cache = "", "", 0, SourceOrigin
		if errs[i] != nil || r != want {
			t.Errorf("caller %d:\ngot  %+v, %v\nwant %+v", i, r, errs[i], want)
		}
	}
	if leaders != 1 {
		t.Errorf("callers given fetch's own result: got %d; want 1", leaders)
	}
	counts := c.TakeCounts()
	if counts[SourceOrigin] != 1 || counts[Merged] != callers-1 {
		t.Errorf("counts: got %v; want origin 1, merged %d", counts, callers-1)
	}
}

func TestGetCancelledLeaderDoesNotFailOthers(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const url = "http://example.com/slow"
	o := newOrigin(okResult(url))
	release := o.gated()
	defer release()

	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.Get(leaderCtx, url, o.fetch)
		leaderErr <- err
	}()
	<-o.entered

	const followers = 5
	results := make(chan check.Result, followers)
	for range followers {
		go func() {
			r, err := c.Get(context.Background(), url, o.fetch)
			if err != nil {
				t.Errorf("follower Get: %v", err)
			}
			results <- r
		}()
	}
	waitUntil(t, "followers wait on the load", func() bool { return c.waiting.Load() == followers+1 })
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader Get: got error %v; want context.Canceled", err)
	}
	release()
	for range followers {
		if r := <-results; !r.OK || r.Cache != SourceOrigin {
			t.Errorf("follower: got %+v; want OK result from origin", r)
		}
	}
	if got := o.ctxErr.Load().(errOrNone).err; got != nil {
		t.Errorf("fetch context: got error %v; want none, since the load is detached", got)
	}
	if got := o.calls.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}
}

func TestGetWaiterReturnsOnItsContext(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const url = "http://example.com/slow"
	o := newOrigin(okResult(url))
	release := o.gated()

	done := make(chan check.Result, 1)
	go func() {
		r, _ := c.Get(context.Background(), url, o.fetch)
		done <- r
	}()
	<-o.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Get(ctx, url, o.fetch); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: got error %v; want context.Canceled", err)
	}
	release()
	if r := <-done; !r.OK {
		t.Errorf("first caller: got %+v; want OK", r)
	}
	// The load stored the result, so the next caller gets it from L1.
	if r, err := c.Get(context.Background(), url, o.fetch); err != nil || r.Cache != SourceL1 {
		t.Errorf("Get after the load: got Cache %q, %v; want l1, nil", r.Cache, err)
	}
}

// TestDeferredFetchIsNotCounted: a fetch that did not happen (the host was
// at its limit) is neither an origin fetch nor cached.
func TestDeferredFetchIsNotCounted(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const url = "http://example.com/busy"
	busy := func(context.Context) check.Result {
		return check.Result{URL: url, ErrorKind: check.KindDeferred, Error: "host at its limit"}
	}
	if r, err := c.Get(context.Background(), url, busy); err != nil || r.ErrorKind != check.KindDeferred {
		t.Fatalf("Get = %+v, %v; want the deferred result", r, err)
	}
	claims, err := c.ClaimMany(context.Background(), []string{url})
	if err != nil || claims[0].Token == "" {
		t.Fatalf("ClaimMany = %+v, %v; want a claim, nothing cached", claims, err)
	}
	c.FetchClaimed(context.Background(), url, claims[0].Token, busy)
	if counts := c.TakeCounts(); counts[SourceOrigin] != 0 {
		t.Errorf("counts = %v; want no origin fetch", counts)
	}
}
