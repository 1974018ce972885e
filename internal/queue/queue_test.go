package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

func newQueue(tb testing.TB, rdb redis.UniversalClient, cfg Config) *Queue {
	tb.Helper()
	q, err := New(context.Background(), rdb, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return q
}

func startQueue(tb testing.TB, cfg Config) (*Queue, *redis.Client) {
	tb.Helper()
	rdb := redistest.Start(tb).Client(tb)
	return newQueue(tb, rdb, cfg), rdb
}

func urls(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("http://example.test/%d", i)
	}
	return out
}

func mustEnqueue(tb testing.TB, q *Queue, u []string) {
	tb.Helper()
	n, err := q.Enqueue(context.Background(), u)
	if err != nil || n != len(u) {
		tb.Fatalf("Enqueue = %d, %v; want %d", n, err, len(u))
	}
}

func mustStats(tb testing.TB, q *Queue) Stats {
	tb.Helper()
	s, err := q.Stats(context.Background())
	if err != nil {
		tb.Fatalf("Stats: %v", err)
	}
	return s
}

func okOutcome(j Job) Outcome {
	res, _ := json.Marshal(map[string]any{"id": j.ID, "url": j.URL, "ok": true})
	return Outcome{ID: j.ID, Token: j.Token, Kind: Succeeded, Result: res}
}

func TestEnqueueClaimCommit(t *testing.T) {
	ctx := context.Background()
	q, _ := startQueue(t, Config{Namespace: "t"})
	mustEnqueue(t, q, urls(10))
	jobs, err := q.Claim(ctx, 4)
	if err != nil || len(jobs) != 4 {
		t.Fatalf("Claim = %d jobs, %v; want 4", len(jobs), err)
	}
	if jobs[0].URL != "http://example.test/0" || jobs[0].Attempt != 1 {
		t.Errorf("first job = %+v; want the first URL, attempt 1", jobs[0])
	}
	s := mustStats(t, q)
	if s.Total != 10 || s.Queued != 6 || s.Processing != 4 {
		t.Errorf("stats = total %d queued %d processing %d; want 10 6 4", s.Total, s.Queued, s.Processing)
	}
	outs := []Outcome{okOutcome(jobs[0]), okOutcome(jobs[1])}
	outs = append(outs, Outcome{ID: jobs[2].ID, Token: jobs[2].Token, Kind: Failed, Result: []byte(`{"ok":false}`)})
	for i := range 2 { // the second call is a replay: it must commit nothing
		c, stale, err := q.Commit(ctx, outs, Deltas{Stats: map[string]int64{"l1": 5}})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{3, 0}[i]
		if c != want || stale != 3-want {
			t.Errorf("commit %d = %d committed, %d stale; want %d, %d", i, c, stale, want, 3-want)
		}
	}
	s = mustStats(t, q)
	if s.Success != 2 || s.Error != 1 || s.Done != 3 || s.Processing != 1 || s.Counters["l1"] != 5 {
		t.Errorf("stats = %+v; want success 2 error 1 done 3 processing 1 l1 5", s)
	}
	recent, err := q.Recent(ctx, 10)
	if err != nil || len(recent) != 3 {
		t.Fatalf("Recent = %d, %v; want 3", len(recent), err)
	}
	if _, ok, _ := q.Result(ctx, jobs[0].ID); !ok {
		t.Errorf("Result(%s) missing", jobs[0].ID)
	}
}

func TestEnqueueSameURLTwiceIsTwoJobs(t *testing.T) {
	q, _ := startQueue(t, Config{})
	mustEnqueue(t, q, []string{"http://a.test/", "http://a.test/"})
	if s := mustStats(t, q); s.Total != 2 || s.Queued != 2 {
		t.Errorf("total %d queued %d; want 2 2", s.Total, s.Queued)
	}
}

func TestEnqueueReplayAddsNothing(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{})
	k := q.sh[0]
	run := func() (int, error) {
		return q.s.enqueue.Run(ctx, rdb, []string{k.jobs, k.pending, k.results, k.stats, k.wake},
			"1", "http://a.test/", "2", "http://b.test/").Int()
	}
	if n, err := run(); n != 2 || err != nil {
		t.Fatalf("first enqueue = %d, %v; want 2", n, err)
	}
	jobs, _ := q.Claim(ctx, 1)
	if _, _, err := q.Commit(ctx, []Outcome{okOutcome(jobs[0])}, Deltas{}); err != nil {
		t.Fatal(err)
	}
	if n, err := run(); n != 0 || err != nil {
		t.Errorf("replayed enqueue = %d, %v; want 0 (one job pending, one finished)", n, err)
	}
	if s := mustStats(t, q); s.Total != 2 || s.Queued != 1 || s.Done != 1 {
		t.Errorf("stats total %d queued %d done %d; want 2 1 1", s.Total, s.Queued, s.Done)
	}
}

func TestClaimReplayReturnsSameJobs(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{})
	mustEnqueue(t, q, urls(5))
	k := q.sh[0]
	claim := func() []any {
		keys := []string{k.pending, k.jobs, k.inflight, k.lease, k.delayed, k.claimPfx + "c1", k.reaps}
		v, err := q.s.claim.Run(ctx, rdb, keys, "c1", 3, 30000, 100).Slice()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, second := claim(), claim()
	if len(first) != 16 || fmt.Sprint(first[1:]) != fmt.Sprint(second[1:]) {
		t.Errorf("replayed claim = %v; want the same jobs as %v", second[1:], first[1:])
	}
	if s := mustStats(t, q); s.Queued != 2 || s.Processing != 3 {
		t.Errorf("queued %d processing %d; want 2 3", s.Queued, s.Processing)
	}
}

func TestExtendRenewsAndReportsLost(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{Lease: time.Second})
	mustEnqueue(t, q, urls(2))
	jobs, _ := q.Claim(ctx, 2)
	before := rdb.ZScore(ctx, q.sh[0].lease, jobs[0].ID).Val()
	owned := []Owned{{jobs[0].ID, jobs[0].Token}, {jobs[1].ID, "someone-else/1"}}
	for range 2 {
		lost, err := q.Extend(ctx, "w1", owned)
		if err != nil || len(lost) != 1 || lost[0] != jobs[1].ID {
			t.Fatalf("Extend = %v, %v; want [%s]", lost, err, jobs[1].ID)
		}
	}
	if after := rdb.ZScore(ctx, q.sh[0].lease, jobs[0].ID).Val(); after < before {
		t.Errorf("lease went from %v to %v; want it renewed", before, after)
	}
	if s := mustStats(t, q); len(s.Workers) != 1 || s.Workers[0].Name != "w1" || s.Alive(time.Second) != 1 {
		t.Errorf("workers = %+v; want w1 alive", s.Workers)
	}
}

// expire moves the lease deadline of every in-flight job into the past,
// which is what a worker that stopped renewing leaves behind.
func expire(tb testing.TB, q *Queue, rdb *redis.Client) {
	tb.Helper()
	ctx := context.Background()
	for _, id := range rdb.ZRange(ctx, q.sh[0].lease, 0, -1).Val() {
		rdb.ZAdd(ctx, q.sh[0].lease, redis.Z{Score: 1, Member: id})
	}
}

func TestReapRequeuesExpiredAndZombieCannotCommit(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{})
	mustEnqueue(t, q, urls(3))
	zombie, _ := q.Claim(ctx, 3)
	expire(t, q, rdb)
	for i, want := range []int{3, 0} { // the second reap finds nothing left
		n, dead, err := q.Reap(ctx, 100)
		if err != nil || n != want || dead != 0 {
			t.Fatalf("reap %d = %d, %d, %v; want %d requeued", i, n, dead, err, want)
		}
	}
	fresh, _ := q.Claim(ctx, 3)
	if len(fresh) != 3 {
		t.Fatalf("reclaimed %d jobs; want 3", len(fresh))
	}
	for _, j := range fresh {
		if j.Reaps != 1 {
			t.Errorf("reclaimed job %s: Reaps %d; want 1", j.ID, j.Reaps)
		}
	}
	c, stale, err := q.Commit(ctx, []Outcome{okOutcome(zombie[0])}, Deltas{})
	if err != nil || c != 0 || stale != 1 {
		t.Errorf("zombie commit = %d committed, %d stale, %v; want 0, 1", c, stale, err)
	}
	if lost, _ := q.Extend(ctx, "zombie", []Owned{{zombie[0].ID, zombie[0].Token}}); len(lost) != 1 {
		t.Errorf("zombie heartbeat lost = %v; want its job", lost)
	}
	outs := []Outcome{okOutcome(fresh[0]), okOutcome(fresh[1]), okOutcome(fresh[2])}
	if c, _, _ := q.Commit(ctx, outs, Deltas{}); c != 3 {
		t.Errorf("fresh commit = %d; want 3", c)
	}
	s := mustStats(t, q)
	if s.Done != 3 || s.Reaped != 3 || s.Stale != 1 || !s.Finished() || rdb.HLen(ctx, q.sh[0].results).Val() != 3 {
		t.Errorf("stats = %+v; want done 3 reaped 3 stale 1, finished, 3 results", s)
	}
}

func TestPoisonPillIsDeadLettered(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{MaxReaps: 2})
	mustEnqueue(t, q, urls(1))
	for round := 1; round <= 2; round++ {
		if jobs, _ := q.Claim(ctx, 1); len(jobs) != 1 {
			t.Fatalf("round %d: claimed %d; want 1", round, len(jobs))
		}
		expire(t, q, rdb)
		if _, _, err := q.Reap(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	s := mustStats(t, q)
	if s.Dead != 1 || s.Error != 1 || s.Done != 1 || !s.Finished() {
		t.Fatalf("stats = %+v; want one dead job and a finished run", s)
	}
	raw, ok, _ := q.Result(ctx, "1")
	var res struct {
		OK   bool   `json:"ok"`
		Kind string `json:"error_kind"`
		URL  string `json:"url"`
	}
	if err := json.Unmarshal(raw, &res); !ok || err != nil || res.OK || res.Kind != "dead" || res.URL == "" {
		t.Errorf("dead result = %s (%v); want ok false, error_kind dead, the URL", raw, err)
	}
}

func TestRetryGoesThroughDelayed(t *testing.T) {
	ctx := context.Background()
	q, _ := startQueue(t, Config{})
	mustEnqueue(t, q, urls(1))
	jobs, _ := q.Claim(ctx, 1)
	retry := Outcome{ID: jobs[0].ID, Token: jobs[0].Token, Kind: Retry, Delay: 0}
	if c, _, err := q.Commit(ctx, []Outcome{retry}, Deltas{}); c != 1 || err != nil {
		t.Fatalf("commit retry = %d, %v", c, err)
	}
	if s := mustStats(t, q); s.Delayed != 1 || s.Retried != 1 || s.Processing != 0 {
		t.Errorf("stats = %+v; want one delayed", s)
	}
	again, err := q.Claim(ctx, 1)
	if err != nil || len(again) != 1 || again[0].Attempt != 2 || again[0].ID != jobs[0].ID {
		t.Fatalf("reclaim = %+v, %v; want job %s at attempt 2", again, err, jobs[0].ID)
	}
}

func TestNamespacesAreIndependent(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client(t)
	a, b := newQueue(t, rdb, Config{Namespace: "a"}), newQueue(t, rdb, Config{Namespace: "b"})
	mustEnqueue(t, a, urls(3))
	if _, err := b.NewRun(ctx); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := b.Claim(ctx, 10); len(jobs) != 0 {
		t.Errorf("namespace b claimed %d of a's jobs", len(jobs))
	}
	if s := mustStats(t, a); s.Total != 3 || s.Queued != 3 {
		t.Errorf("a after b's new run: total %d queued %d; want 3 3", s.Total, s.Queued)
	}
}

func TestNewRunClearsRunButNotCache(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{Namespace: "n"})
	mustEnqueue(t, q, urls(3))
	rdb.Set(ctx, CachePrefix("n")+"x", "v", 0)
	if _, err := q.NewRun(ctx); err != nil {
		t.Fatal(err)
	}
	if s := mustStats(t, q); s.Total != 0 || s.Queued != 0 || s.RunID == "" {
		t.Errorf("after NewRun: %+v; want an empty run with an id", s)
	}
	if rdb.Exists(ctx, CachePrefix("n")+"x").Val() != 1 {
		t.Error("NewRun deleted the cache")
	}
}

// TestScriptsDeclareTheirKeys runs the whole cycle on a one-node cluster,
// where Redis 7 rejects a "#!lua" script that touches an undeclared key in
// another slot.
func TestScriptsDeclareTheirKeys(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.WithCluster())
	q := newQueue(t, srv.ClusterClient(t), Config{Namespace: "c"})
	if !q.shebang {
		t.Fatal("scripts lack the #!lua line on a Redis 7 server")
	}
	mustEnqueue(t, q, urls(4))
	jobs, err := q.Claim(ctx, 4)
	if err != nil || len(jobs) != 4 {
		t.Fatalf("Claim = %d, %v", len(jobs), err)
	}
	if _, err := q.Extend(ctx, "w", []Owned{{jobs[0].ID, jobs[0].Token}}); err != nil {
		t.Fatal(err)
	}
	outs := []Outcome{okOutcome(jobs[0]), {ID: jobs[1].ID, Token: jobs[1].Token, Kind: Retry}}
	if _, _, err := q.Commit(ctx, outs, Deltas{Stats: map[string]int64{"l2": 1}, Latency: map[string]int64{"l2:1": 1}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Reap(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Stats(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestEnqueueBatchLargerThanLuaUnpack(t *testing.T) {
	q, _ := startQueue(t, Config{})
	mustEnqueue(t, q, urls(10000))
	if s := mustStats(t, q); s.Queued != 10000 {
		t.Errorf("queued %d; want 10000", s.Queued)
	}
}

// TestWaitAddsUpOverRetriesDeferralsAndReaps: a job remembers the delays it
// was put back for, across deferrals, retries and a reap, and its token
// still fences it.
func TestWaitAddsUpOverRetriesDeferralsAndReaps(t *testing.T) {
	ctx := context.Background()
	q, rdb := startQueue(t, Config{})
	mustEnqueue(t, q, urls(1))
	claimOne := func() Job {
		t.Helper()
		var jobs []Job
		waitfor.Cond(t, 5*time.Second, "the job to come due", func() bool {
			var err error
			jobs, err = q.Claim(ctx, 1)
			return err == nil && len(jobs) == 1
		})
		return jobs[0]
	}
	j := claimOne()
	for _, step := range []struct {
		kind        Kind
		delay       time.Duration
		attempt     int
		waited      time.Duration
		thenExpires bool
	}{
		{Defer, 30 * time.Millisecond, 1, 30 * time.Millisecond, false},
		{Retry, 20 * time.Millisecond, 2, 50 * time.Millisecond, true},
		{Retry, 5 * time.Millisecond, 3, 55 * time.Millisecond, false},
	} {
		if c, _, err := q.Commit(ctx, []Outcome{{ID: j.ID, Token: j.Token, Kind: step.kind, Delay: step.delay}}, Deltas{}); c != 1 || err != nil {
			t.Fatalf("commit %s = %d, %v", step.kind, c, err)
		}
		j = claimOne()
		if step.thenExpires {
			expire(t, q, rdb)
			if n, _, err := q.Reap(ctx, 10); n != 1 || err != nil {
				t.Fatalf("reap = %d, %v; want 1", n, err)
			}
			j = claimOne()
		}
		if j.Attempt != step.attempt || j.Waited != step.waited {
			t.Fatalf("after %s: attempt %d, waited %v; want %d, %v", step.kind, j.Attempt, j.Waited, step.attempt, step.waited)
		}
	}
	if c, _, err := q.Commit(ctx, []Outcome{okOutcome(j)}, Deltas{}); c != 1 || err != nil {
		t.Fatalf("final commit = %d, %v; want 1", c, err)
	}
}

// TestWaitEndsWhenADelayedJobComesDue: an idle worker does not sleep its
// whole idle wait while a deferred job is about to come due.
func TestWaitEndsWhenADelayedJobComesDue(t *testing.T) {
	ctx := context.Background()
	q, _ := startQueue(t, Config{})
	mustEnqueue(t, q, urls(1))
	jobs, _ := q.Claim(ctx, 1)
	if c, _, err := q.Commit(ctx, []Outcome{{ID: jobs[0].ID, Token: jobs[0].Token, Kind: Defer, Delay: 50 * time.Millisecond}}, Deltas{}); c != 1 || err != nil {
		t.Fatalf("commit defer = %d, %v", c, err)
	}
	// Wait also ends on the wake-ups the enqueue left; each claim that
	// finds nothing is followed by a Wait, as in a worker.
	start := time.Now()
	for time.Since(start) < 5*time.Second {
		again, err := q.Claim(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) == 1 {
			return
		}
		if err := q.Wait(ctx, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Errorf("no claim within %v of a job due in 50ms; want Wait to end when the job is due", time.Since(start))
}
