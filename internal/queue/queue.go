// Package queue is url-checker's reliable job queue on Redis.
//
// A job moves between four states, each move one Lua script: pending (a
// list), delayed (a retry waiting for its due time), in flight (owned by one
// claim call under a fencing token and a lease on the Redis clock) and
// finished (its result stored). A worker that dies loses nothing: the reaper
// puts jobs whose lease expired back on the queue. A worker that wakes up
// after its lease expired cannot commit: its token no longer owns the job.
package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config configures a Queue. Zero values mean the documented default.
type Config struct {
	// Namespace keeps runs apart on one Redis; default "urlcheck".
	Namespace string
	// Lease is how long a claimed job stays owned without a heartbeat;
	// default 30s.
	Lease time.Duration
	// MaxReaps is how many lease expiries dead-letter a job; default 3.
	MaxReaps int
	// FeedSize caps the newest-results feed (per shard); zero keeps every
	// result.
	FeedSize int
	// Shards splits the run over this many hash slots, so that a Redis
	// Cluster spreads it over its nodes; default 1. Every process of a
	// namespace must use the same number.
	Shards int
	// Home is the shard this process claims from first; it steals from the
	// others when its own is empty.
	Home int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Queue is safe for concurrent use.
type Queue struct {
	rdb  redis.UniversalClient
	cfg  Config
	ns   nsKeys
	sh   []keys // per shard
	s    scripts
	next atomic.Uint64 // round robin of enqueued batches over the shards
	// shebang is set when the scripts carry "#!lua" (Redis 7 and later).
	shebang bool
}

// New returns a queue on rdb. It asks the server for its version, so that
// scripts carry the "#!lua" line where the server knows it.
func New(ctx context.Context, rdb redis.UniversalClient, cfg Config) (*Queue, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "urlcheck"
	}
	if err := ValidNamespace(cfg.Namespace); err != nil {
		return nil, err
	}
	if cfg.Lease == 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Lease < 100*time.Millisecond {
		return nil, fmt.Errorf("lease %v: want at least 100ms", cfg.Lease)
	}
	if cfg.MaxReaps == 0 {
		cfg.MaxReaps = 3
	}
	if cfg.MaxReaps < 0 || cfg.FeedSize < 0 {
		return nil, fmt.Errorf("max reaps %d, feed size %d: want positive", cfg.MaxReaps, cfg.FeedSize)
	}
	if cfg.Shards == 0 {
		cfg.Shards = 1
	}
	if cfg.Shards < 0 || cfg.Shards > 1024 {
		return nil, fmt.Errorf("shards %d: want 1..1024", cfg.Shards)
	}
	cfg.Home = ((cfg.Home % cfg.Shards) + cfg.Shards) % cfg.Shards
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	major, err := serverMajor(ctx, rdb)
	if err != nil {
		return nil, err
	}
	q := &Queue{rdb: rdb, cfg: cfg, ns: newNSKeys(cfg.Namespace), s: newScripts(major >= 7), shebang: major >= 7}
	for i := range cfg.Shards {
		q.sh = append(q.sh, newKeys(cfg.Namespace, i, cfg.Shards))
	}
	return q, q.checkShards(ctx)
}

// checkShards refuses a shard count other than the current run's: jobs in
// shards this process does not know would never be claimed.
func (q *Queue) checkShards(ctx context.Context) error {
	v, err := q.rdb.HGet(ctx, q.ns.run, "shards").Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read run: %w", err)
	}
	if n, _ := strconv.Atoi(v); n != q.cfg.Shards && n > 0 {
		return fmt.Errorf("the run in namespace %s uses %d shards, this process %d: set SHARDS=%d",
			q.cfg.Namespace, n, q.cfg.Shards, n)
	}
	return nil
}

func serverMajor(ctx context.Context, rdb redis.UniversalClient) (int, error) {
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return 0, fmt.Errorf("redis info: %w", err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			major, _, _ := strings.Cut(strings.TrimSpace(v), ".")
			return strconv.Atoi(major)
		}
	}
	return 0, nil
}

// Namespace returns the queue's namespace.
func (q *Queue) Namespace() string { return q.cfg.Namespace }

// Lease returns the lease length of claimed jobs.
func (q *Queue) Lease() time.Duration { return q.cfg.Lease }

// Job is a claimed job. Token proves ownership when committing.
type Job struct {
	ID      string
	URL     string
	Attempt int
	// Waited is how long the job has been put back for so far: the sum
	// of its retry delays and deferrals.
	Waited time.Duration
	// Reaps is how often a worker died or stalled holding the job; what
	// that worker left behind (a cache claim) may never be finished.
	Reaps int
	Token string
}

// Enqueue adds urls as new jobs and returns how many were added. Each call
// reserves fresh ids, so the same URL given twice is two jobs. The batch
// goes to one shard, the next in turn, in one script: it is added whole or
// not at all, and a replay adds nothing.
func (q *Queue) Enqueue(ctx context.Context, urls []string) (int, error) {
	if len(urls) == 0 {
		return 0, nil
	}
	last, err := q.rdb.IncrBy(ctx, q.ns.seq, int64(len(urls))).Result()
	if err != nil {
		return 0, fmt.Errorf("reserve job ids: %w", err)
	}
	shard := int(q.next.Add(1) % uint64(q.cfg.Shards))
	prefix := ""
	if q.cfg.Shards > 1 {
		prefix = strconv.Itoa(shard) + "."
	}
	args := make([]any, 0, 2*len(urls))
	first := last - int64(len(urls)) + 1
	for i, u := range urls {
		args = append(args, prefix+strconv.FormatInt(first+int64(i), 10), u)
	}
	k := q.sh[shard]
	n, err := q.s.enqueue.Run(ctx, q.rdb, []string{k.jobs, k.pending, k.results, k.stats, k.wake}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return n, nil
}

// Claim leases up to max jobs to the caller, promoting due retries first.
// It claims from the home shard, and from the others in random order when
// that one has nothing.
func (q *Queue) Claim(ctx context.Context, max int) ([]Job, error) {
	order := q.claimOrder()
	for _, shard := range order {
		jobs, err := q.claimFrom(ctx, shard, max)
		if err != nil || len(jobs) > 0 {
			return jobs, err
		}
	}
	return nil, nil
}

func (q *Queue) claimOrder() []int {
	n := q.cfg.Shards
	order := make([]int, 0, n)
	order = append(order, q.cfg.Home)
	for _, i := range mrand.Perm(n) {
		if i != q.cfg.Home {
			order = append(order, i)
		}
	}
	return order
}

func (q *Queue) claimFrom(ctx context.Context, shard, max int) ([]Job, error) {
	cid := newClaimID()
	k := q.sh[shard]
	keys := []string{k.pending, k.jobs, k.inflight, k.lease, k.delayed, k.claimPfx + cid, k.reaps}
	vals, err := q.s.claim.Run(ctx, q.rdb, keys, cid, max, q.cfg.Lease.Milliseconds(), 100).Slice()
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	jobs := make([]Job, 0, (len(vals)-1)/5)
	for i := 1; i+4 < len(vals); i += 5 {
		id, _ := vals[i].(string)
		url, _ := vals[i+1].(string)
		n, _ := vals[i+2].(int64)
		w, _ := vals[i+3].(int64)
		r, _ := vals[i+4].(int64)
		jobs = append(jobs, Job{ID: id, URL: url, Attempt: int(n), Waited: time.Duration(w) * time.Millisecond,
			Reaps: int(r), Token: token(cid, n, w)})
	}
	return jobs, nil
}

// token is the fencing token of attempt n of a job that has waited w ms,
// as the claim script writes it.
func token(cid string, n, w int64) string {
	t := cid + "/" + strconv.FormatInt(n, 10)
	if w > 0 {
		t += "/" + strconv.FormatInt(w, 10)
	}
	return t
}

func newClaimID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// Owned names a job a worker holds, for the heartbeat.
type Owned struct{ ID, Token string }

// Extend renews the leases of owned jobs and records worker as alive. It
// returns the ids the worker no longer owns: their leases expired and the
// reaper gave them to someone else.
func (q *Queue) Extend(ctx context.Context, worker string, owned []Owned) ([]string, error) {
	if err := q.s.register.Run(ctx, q.rdb, []string{q.ns.workers}, worker).Err(); err != nil {
		return nil, fmt.Errorf("register worker: %w", err)
	}
	var lost []string
	for shard, group := range groupByShard(owned, q.cfg.Shards, func(o Owned) string { return o.ID }) {
		args := make([]any, 0, 1+2*len(group))
		args = append(args, q.cfg.Lease.Milliseconds())
		for _, o := range group {
			args = append(args, o.ID, o.Token)
		}
		k := q.sh[shard]
		l, err := q.s.extend.Run(ctx, q.rdb, []string{k.inflight, k.lease}, args...).StringSlice()
		if err != nil {
			return nil, fmt.Errorf("extend leases: %w", err)
		}
		lost = append(lost, l...)
	}
	return lost, nil
}

// groupByShard splits items by the shard of their job id.
func groupByShard[T any](items []T, n int, id func(T) string) map[int][]T {
	groups := make(map[int][]T)
	for _, it := range items {
		s := shardOf(id(it), n)
		groups[s] = append(groups[s], it)
	}
	return groups
}

// Kind says what committing an outcome does with its job.
type Kind string

const (
	Succeeded Kind = "ok"    // store the result as a success
	Failed    Kind = "err"   // store the result as a failure
	Retry     Kind = "retry" // put the job in the delayed set for another attempt
	Defer     Kind = "defer" // put the job in the delayed set to try the same attempt later
)

// Outcome is what a worker commits for one job it owns.
type Outcome struct {
	ID, Token string
	Kind      Kind
	Result    []byte        // the result JSON, for Succeeded and Failed
	Delay     time.Duration // wait before the next attempt, for Retry and Defer
}

// Deltas are counters that a commit adds to the run's statistics, once,
// together with the jobs it commits.
type Deltas struct {
	Stats   map[string]int64 // e.g. cache tier counters
	Latency map[string]int64 // histogram buckets, "source:bucket"
}

// Commit acknowledges outcomes in one script per shard: for each job still
// owned by its token it stores the result (or schedules the retry) and
// moves the counters. Jobs not owned any more are skipped and counted as
// stale. It is safe to call again with the same outcomes after an error:
// nothing is committed twice. The deltas go with one of the shards' scripts.
func (q *Queue) Commit(ctx context.Context, outs []Outcome, d Deltas) (committed, stale int, err error) {
	for shard, group := range groupByShard(outs, q.cfg.Shards, func(o Outcome) string { return o.ID }) {
		c, s, err := q.commitShard(ctx, shard, group, d)
		if err != nil {
			return committed, stale, err
		}
		committed, stale, d = committed+c, stale+s, Deltas{}
	}
	return committed, stale, nil
}

func (q *Queue) commitShard(ctx context.Context, shard int, outs []Outcome, d Deltas) (committed, stale int, err error) {
	args := make([]any, 0, 3+4*len(outs)+2*len(d.Stats)+2*len(d.Latency))
	args = append(args, q.cfg.FeedSize, len(outs))
	for _, o := range outs {
		data := any(o.Result)
		if o.Kind == Retry || o.Kind == Defer {
			data = o.Delay.Milliseconds()
		}
		args = append(args, o.ID, o.Token, string(o.Kind), data)
	}
	args = append(args, len(d.Stats))
	for f, v := range d.Stats {
		args = append(args, f, v)
	}
	for f, v := range d.Latency {
		args = append(args, f, v)
	}
	k := q.sh[shard]
	keys := []string{k.inflight, k.lease, k.delayed, k.results, k.feed, k.failed, k.stats, k.jobs, k.latency}
	res, err := q.s.commit.Run(ctx, q.rdb, keys, args...).Int64Slice()
	if err != nil {
		return 0, 0, fmt.Errorf("commit %d outcomes: %w", len(outs), err)
	}
	return int(res[0]), int(res[1]), nil
}

// Reap puts up to limit jobs per shard whose lease expired back on the
// queue, or dead-letters those that expired MaxReaps times.
func (q *Queue) Reap(ctx context.Context, limit int) (requeued, dead int, err error) {
	now := time.Now().UTC().Format(time.RFC3339)
	for _, k := range q.sh {
		keys := []string{k.lease, k.inflight, k.pending, k.reaps, k.results, k.feed, k.failed, k.stats, k.jobs, k.wake}
		res, err := q.s.reap.Run(ctx, q.rdb, keys, limit, q.cfg.MaxReaps, q.cfg.FeedSize, now).Int64Slice()
		if err != nil {
			return requeued, dead, fmt.Errorf("reap expired leases: %w", err)
		}
		requeued, dead = requeued+int(res[0]), dead+int(res[1])
	}
	return requeued, dead, nil
}

// Wait blocks until new work may be there or timeout passes, whichever is
// first: new jobs, reaped jobs, or a delayed job coming due. An error means
// Redis did not answer.
func (q *Queue) Wait(ctx context.Context, timeout time.Duration) error {
	due, err := q.nextDue(ctx)
	if err != nil {
		return err
	}
	if due >= 0 {
		if due < time.Millisecond {
			return nil
		}
		timeout = min(timeout, due)
	}
	if timeout >= time.Second {
		err = q.rdb.BLPop(ctx, timeout, q.sh[q.cfg.Home].wake).Err()
	} else { // BLPop rounds up to whole seconds; the server takes fractions
		secs := strconv.FormatFloat(timeout.Seconds(), 'f', 3, 64)
		err = q.rdb.Do(ctx, "BLPOP", q.sh[q.cfg.Home].wake, secs).Err()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("wait for work: %w", err)
	}
	return nil
}

// nextDue returns how long until the first delayed job of any shard is
// due, or -1 if none is delayed.
func (q *Queue) nextDue(ctx context.Context) (time.Duration, error) {
	first := time.Duration(-1)
	for _, k := range q.sh {
		ms, err := q.s.nextDue.Run(ctx, q.rdb, []string{k.delayed}).Int64()
		if err != nil {
			return 0, fmt.Errorf("wait for work: %w", err)
		}
		if d := time.Duration(ms) * time.Millisecond; ms >= 0 && (first < 0 || d < first) {
			first = d
		}
	}
	return first, nil
}
