package cache

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/redistest"
)

// TestCrossWorkerDedup runs two workers, each with its own Cache and Redis
// client, against one Redis and one origin: the second finds the first's
// claim, waits, and takes the first's result from L2.
func TestCrossWorkerDedup(t *testing.T) {
	s, rdbA := newRedis(t)
	rdbB := s.Client(t)
	gate := make(chan struct{})
	srv, hits := httpOrigin(t, gate)
	url := srv.URL + "/page"
	fetch := httpFetch(srv.Client(), url)
	a := newCache(t, rdbA, Config{})
	b := newCache(t, rdbB, Config{WaitFor: 10 * time.Second})

	// Open the origin once worker B has tried to claim the URL.
	var once sync.Once
	countCommands(rdbB).onCmd = func(cmd redis.Cmder) {
		if n := cmd.Name(); n == "evalsha" || n == "eval" {
			once.Do(func() { close(gate) })
		}
	}
	resA, resB := make(chan check.Result, 1), make(chan check.Result, 1)
	go func() { resA <- mustGet(t, a, url, fetch) }()
	waitUntil(t, "worker A reaches the origin", func() bool { return hits.Load() == 1 })
	go func() { resB <- mustGet(t, b, url, fetch) }()

	ra, rb := <-resA, <-resB
	if got := hits.Load(); got != 1 {
		t.Errorf("origin requests: got %d; want 1", got)
	}
	if !ra.OK || ra.Cache != SourceOrigin {
		t.Errorf("worker A: got %+v; want OK from origin", ra)
	}
	if !rb.OK || rb.Cache != SourceL2 || rb.Status != http.StatusOK {
		t.Errorf("worker B: got %+v; want OK from L2", rb)
	}
	if counts := b.TakeCounts(); counts[Merged] != 1 || counts[SourceOrigin] != 0 {
		t.Errorf("worker B counts: got %v; want merged 1, origin 0", counts)
	}
	claims, err := rdbA.Keys(context.Background(), testPrefix+"*:lock").Result()
	if err != nil || len(claims) != 0 {
		t.Errorf("claims left: got %v, %v; want none", claims, err)
	}
}

func mustGet(t *testing.T, c *Cache, url string, fetch Fetch) check.Result {
	r, err := c.Get(context.Background(), url, fetch)
	if err != nil {
		t.Errorf("Get %s: %v", url, err)
	}
	return r
}

// TestDeadClaimHolder leaves a claim as a worker that died mid-fetch would,
// and checks that another worker fetches after WaitFor or once the claim
// expires, whichever comes first.
func TestDeadClaimHolder(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		claimTTL time.Duration
		waitFor  time.Duration
	}{
		{"gives up after WaitFor", 30 * time.Second, 200 * time.Millisecond},
		{"fetches when the claim expires", 200 * time.Millisecond, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t, rdb, Config{Prefix: "test:" + strings.ReplaceAll(tc.name, " ", "-") + ":", WaitFor: tc.waitFor})
			const url = "http://example.com/orphan"
			ck := c.keys.claim(c.keys.entry(url))
			if err := rdb.Set(ctx, ck, "dead-worker", tc.claimTTL).Err(); err != nil {
				t.Fatalf("SET claim: %v", err)
			}
			o := newOrigin(okResult(url))
			start := time.Now()
			r, err := c.Get(ctx, url, o.fetch)
			elapsed := time.Since(start)
			if err != nil || r.Cache != SourceOrigin || o.calls.Load() != 1 {
				t.Errorf("Get: got Cache %q, %v after %d fetches; want origin, nil after 1", r.Cache, err, o.calls.Load())
			}
			bound := min(tc.claimTTL, tc.waitFor)
			if elapsed < bound || elapsed > bound+2*time.Second {
				t.Errorf("Get took %v; want about %v", elapsed, bound)
			}
		})
	}
}

func TestReleaseOnlyOwnClaim(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	ctx := context.Background()
	ek := testPrefix + "{somekey}"
	ck := c.keys.claim(ek)
	if err := rdb.Set(ctx, ck, "other-worker", time.Minute).Err(); err != nil {
		t.Fatalf("SET claim: %v", err)
	}
	c.store(ctx, ek, "my-token", nil, 0)
	if got, err := rdb.Get(ctx, ck).Result(); err != nil || got != "other-worker" {
		t.Errorf("claim after releasing another's: got %q, %v; want %q kept", got, err, "other-worker")
	}
	c.store(ctx, ek, "other-worker", nil, 0)
	if n, err := rdb.Exists(ctx, ck).Result(); err != nil || n != 0 {
		t.Errorf("claim after releasing own: got %d keys, %v; want 0", n, err)
	}
}

func TestClaimHolderReleasesAfterStore(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{ClaimTTL: time.Minute})
	ctx := context.Background()
	const url = "http://example.com/"
	ek := c.keys.entry(url)
	var during struct {
		claimTTL time.Duration
		err      error
	}
	fetch := func(ctx context.Context) check.Result {
		during.claimTTL, during.err = rdb.PTTL(ctx, c.keys.claim(ek)).Result()
		return okResult(url)
	}
	if _, err := c.Get(ctx, url, fetch); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if during.err != nil || during.claimTTL <= 59*time.Second || during.claimTTL > time.Minute {
		t.Errorf("claim PTTL during fetch: got %v, %v; want about ClaimTTL (1m)", during.claimTTL, during.err)
	}
	if n, err := rdb.Exists(ctx, c.keys.claim(ek)).Result(); err != nil || n != 0 {
		t.Errorf("claim after Get: got %d keys, %v; want 0", n, err)
	}
}

// TestClaimManyAfterPartialNOSCRIPT: on a cluster where only one node knows
// the lookup script, the first pipeline claims that node's URLs and gets
// NOSCRIPT from the others; sent again, it must still report those claims
// as the caller's, not as held by another worker.
func TestClaimManyAfterPartialNOSCRIPT(t *testing.T) {
	ctx := context.Background()
	cl := redistest.StartCluster(t, 3)
	one := cl.Nodes[0].Client(t)
	if err := lookupScript.Load(ctx, one).Err(); err != nil {
		t.Fatal(err)
	}
	c := newCache(t, cl.Client(t), Config{Prefix: "p:"})
	var urls []string
	for i := range 60 {
		urls = append(urls, fmt.Sprintf("http://example.test/%d", i))
	}
	claims, err := c.ClaimMany(ctx, urls)
	if err != nil {
		t.Fatal(err)
	}
	for i, cl := range claims {
		if cl.Token == "" || cl.Lookup.Found {
			t.Errorf("%s: token %q, found %v; want this caller's claim", urls[i], cl.Token, cl.Lookup.Found)
		}
	}
}
