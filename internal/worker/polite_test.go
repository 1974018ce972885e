package worker

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/cache"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/hostlimit"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// TestPutBackKeepsOnlyPlainPermits: a permit is kept as a spare only for a
// host limited by concurrency alone; a host with a rate must see every
// request pass the rate, and a 429 ends every spare of its host.
func TestPutBackKeepsOnlyPlainPermits(t *testing.T) {
	ctx := context.Background()
	q, rdb := setup(t, queue.Config{})
	l, err := hostlimit.New(ctx, rdb, hostlimit.Config{Prefix: "t:host:", Default: hostlimit.Policy{Concurrency: 2},
		Hosts: map[string]hostlimit.Policy{"rated.test": {Concurrency: 2, Rate: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, q, Config{Limiter: l})
	ok := check.Result{Status: http.StatusOK}
	for _, tc := range []struct {
		host string
		res  check.Result
		kept bool
	}{
		{"plain.test", ok, true},
		{"rated.test", ok, false},
		{"plain.test", check.Result{Status: http.StatusTooManyRequests}, false},
	} {
		s, _, granted := w.permit(ctx, tc.host)
		if !granted {
			t.Fatalf("%s: no permit", tc.host)
		}
		w.putBack(ctx, tc.host, s, tc.res)
		_, kept := w.gate.takeSpare(tc.host)
		if kept != tc.kept {
			t.Errorf("%s after status %d: spare kept %v; want %v", tc.host, tc.res.Status, kept, tc.kept)
		}
		if kept {
			w.gate.keep(tc.host, s) // for the next case
		}
	}
}

// TestReapedJobFetchesWithoutWaiting: the URL of a job whose worker died is
// most likely still claimed by that worker in the cache; the job that comes
// back fetches at once instead of waiting out the dead claim.
func TestReapedJobFetchesWithoutWaiting(t *testing.T) {
	ctx := context.Background()
	q, rdb := setup(t, queue.Config{Lease: 100 * time.Millisecond})
	newCache := func() *cache.Cache {
		c, err := cache.New(rdb, cache.Config{Prefix: "t:cache:"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	dead, live := newCache(), newCache()
	enqueue(t, q, "http://example.test", "/a")
	jobs, err := q.Claim(ctx, 1)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %v, %v", jobs, err)
	}
	if c, err := dead.ClaimMany(ctx, []string{jobs[0].URL}); err != nil || c[0].Token == "" {
		t.Fatalf("the dying worker's cache claim = %+v, %v", c, err)
	}
	// The worker dies: its lease runs out and the reaper puts the job back.
	waitfor.Cond(t, 5*time.Second, "the job to be reaped", func() bool {
		n, _, err := q.Reap(ctx, 10)
		return err == nil && n == 1
	})
	again, err := q.Claim(ctx, 1)
	if err != nil || len(again) != 1 || again[0].Reaps != 1 {
		t.Fatalf("reclaim = %+v, %v; want the job, reaped once", again, err)
	}
	w := newWorker(t, q, Config{Cache: live})
	tasks := w.claimFetches(ctx, again)
	if len(tasks) != 1 || tasks[0].claim != "" || !tasks[0].fetch {
		t.Errorf("tasks = %+v; want one that fetches without a claim", tasks)
	}
}
