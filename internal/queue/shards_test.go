package queue

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/redistest"
)

func TestShardedRunSpreadsAndSums(t *testing.T) {
	ctx := context.Background()
	c := redistest.StartCluster(t, 3)
	q := newQueue(t, c.Client(t), Config{Namespace: "s", Shards: 4, Home: 1})
	if _, err := q.NewRun(ctx); err != nil {
		t.Fatal(err)
	}
	for range 8 { // eight batches: two per shard
		mustEnqueue(t, q, urls(5))
	}
	if s := mustStats(t, q); s.Total != 40 || s.Queued != 40 {
		t.Fatalf("total %d queued %d; want 40 40", s.Total, s.Queued)
	}
	var all []Job
	for {
		jobs, err := q.Claim(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 {
			break
		}
		all = append(all, jobs...)
	}
	if len(all) != 40 || !strings.HasPrefix(all[0].ID, "1.") {
		t.Fatalf("claimed %d jobs, first %q; want all 40, the home shard's first", len(all), all[0].ID)
	}
	outs := make([]Outcome, len(all))
	for i, j := range all {
		outs[i] = okOutcome(j)
	}
	if n, _, err := q.Commit(ctx, outs, Deltas{Stats: map[string]int64{"l1": 3}}); n != 40 || err != nil {
		t.Fatalf("commit = %d, %v; want 40", n, err)
	}
	s := mustStats(t, q)
	if s.Done != 40 || !s.Finished() || s.Counters["l1"] != 3 {
		t.Errorf("stats = %+v; want 40 done, finished, l1 3 counted once", s)
	}
	if _, ok, _ := q.Result(ctx, all[39].ID); !ok {
		t.Errorf("result of %s not found", all[39].ID)
	}
}

func TestShardedScanMergesNewestFirstAndPages(t *testing.T) {
	ctx := context.Background()
	q, _ := startQueue(t, Config{Shards: 3})
	for range 6 {
		mustEnqueue(t, q, urls(4))
	}
	for {
		jobs, _ := q.Claim(ctx, 5)
		if len(jobs) == 0 {
			break
		}
		outs := make([]Outcome, len(jobs))
		for i, j := range jobs {
			outs[i] = okOutcome(j)
		}
		if _, _, err := q.Commit(ctx, outs, Deltas{}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for e, err := range q.Scan(ctx, FeedStream, Range{}, 2) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if len(ids) != 24 {
		t.Fatalf("scanned %d; want 24", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		a, b := mustKey(ids[i-1]), mustKey(ids[i])
		if fmt.Sprint(a) == fmt.Sprint(b) || !(a[0] > b[0] || a[0] == b[0] && (a[1] > b[1] || a[1] == b[1] && a[2] > b[2])) {
			t.Fatalf("ids out of order at %d: %s then %s", i, ids[i-1], ids[i])
		}
	}
	// Paging from each id must give exactly the rest.
	for i, id := range ids {
		n := 0
		for e, err := range q.Scan(ctx, FeedStream, Range{Before: id}, 3) {
			if err != nil || e.ID != ids[i+1+n] {
				t.Fatalf("page below %s: entry %d = %s, %v; want %s", id, n, e.ID, err, ids[i+1+n])
			}
			n++
		}
		if n != len(ids)-i-1 {
			t.Errorf("page below %s has %d entries; want %d", id, n, len(ids)-i-1)
		}
	}
}

func TestShardCountMustMatchTheRun(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client(t)
	q := newQueue(t, rdb, Config{Shards: 4})
	if _, err := q.NewRun(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := New(ctx, rdb, Config{Shards: 2})
	if err == nil || !strings.Contains(err.Error(), "set SHARDS=4") {
		t.Errorf("err = %v; want advice to set SHARDS=4", err)
	}
}
