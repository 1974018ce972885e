package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Stats is a snapshot of a run, read in one transaction.
type Stats struct {
	RunID     string
	StartedAt time.Time // zero when there is no run
	Now       time.Time // the Redis clock when the snapshot was taken

	Total, Queued, Processing, Delayed int64
	Success, Error, Done               int64
	Dead, Retried, Reaped, Stale       int64

	// Counters holds every counter of the run, including the ones above
	// and the cache tiers (l1, l2, origin, merged).
	Counters map[string]int64
	// Latency holds check latency histogram buckets, "source:bucket".
	Latency map[string]int64
	// Workers lists the workers that sent a heartbeat in the last hour.
	Workers []Worker
}

// Worker is one worker's last heartbeat.
type Worker struct {
	Name     string
	LastSeen time.Time
}

// Unfinished reports whether jobs are still queued, delayed or in flight.
func (s Stats) Unfinished() bool { return s.Queued+s.Delayed+s.Processing > 0 }

// Finished reports whether the run has a result for every job.
func (s Stats) Finished() bool { return s.Total > 0 && s.Done >= s.Total && !s.Unfinished() }

// Alive counts the workers seen within the lease, i.e. the ones whose jobs
// the reaper would not yet take back.
func (s Stats) Alive(lease time.Duration) int {
	n := 0
	for _, w := range s.Workers {
		if s.Now.Sub(w.LastSeen) <= lease {
			n++
		}
	}
	return n
}

// Stats reads a snapshot of the run: each shard's part in one transaction
// (jobs never move between shards, so the queue sizes and counters of a
// shard are consistent with each other), summed over the shards.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	s := Stats{Counters: map[string]int64{}, Latency: map[string]int64{}}
	if err := q.readRun(ctx, &s); err != nil {
		return Stats{}, err
	}
	for _, k := range q.sh {
		if err := q.addShard(ctx, k, &s); err != nil {
			return Stats{}, err
		}
	}
	c := s.Counters
	s.Total, s.Success, s.Error, s.Done = c["total"], c["success"], c["error"], c["done"]
	s.Dead, s.Retried, s.Reaped, s.Stale = c["dead"], c["retried"], c["reaped"], c["stale"]
	return s, nil
}

// readRun reads the namespace's run metadata, workers and clock.
func (q *Queue) readRun(ctx context.Context, s *Stats) error {
	var (
		run     *redis.MapStringStringCmd
		workers *redis.ZSliceCmd
		now     *redis.TimeCmd
	)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		run = p.HGetAll(ctx, q.ns.run)
		workers = p.ZRangeWithScores(ctx, q.ns.workers, 0, -1)
		now = p.Time(ctx)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read stats: %w", err)
	}
	s.Now = now.Val()
	r := run.Val()
	s.RunID = r["id"]
	if ms, err := strconv.ParseInt(r["started_ms"], 10, 64); err == nil {
		s.StartedAt = time.UnixMilli(ms)
	}
	for _, z := range workers.Val() {
		name, _ := z.Member.(string)
		s.Workers = append(s.Workers, Worker{Name: name, LastSeen: time.UnixMilli(int64(z.Score))})
	}
	return nil
}

// addShard adds one shard's queue sizes and counters to s.
func (q *Queue) addShard(ctx context.Context, k keys, s *Stats) error {
	var (
		counters, lat         *redis.MapStringStringCmd
		queued, proc, delayed *redis.IntCmd
	)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		counters = p.HGetAll(ctx, k.stats)
		lat = p.HGetAll(ctx, k.latency)
		queued = p.LLen(ctx, k.pending)
		proc = p.HLen(ctx, k.inflight)
		delayed = p.ZCard(ctx, k.delayed)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read stats: %w", err)
	}
	s.Queued += queued.Val()
	s.Processing += proc.Val()
	s.Delayed += delayed.Val()
	addCounts(s.Counters, counters.Val())
	addCounts(s.Latency, lat.Val())
	return nil
}

func addCounts(into map[string]int64, m map[string]string) {
	for f, v := range m {
		n, _ := strconv.ParseInt(v, 10, 64)
		into[f] += n
	}
}

// NewRun deletes the previous run's queue, results and counters (never the
// cache) and starts a run with a fresh id. Workers still holding jobs of the
// old run cannot commit them: their tokens are gone with it.
func (q *Queue) NewRun(ctx context.Context) (string, error) {
	id := newClaimID()[:12]
	for _, k := range q.sh {
		if err := q.rdb.Unlink(ctx, k.runKeys()...).Err(); err != nil {
			return "", fmt.Errorf("clear previous run: %w", err)
		}
	}
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Unlink(ctx, q.ns.run, q.ns.seq)
		p.HSet(ctx, q.ns.run, "id", id, "started_ms", time.Now().UnixMilli(), "shards", q.cfg.Shards)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("start run: %w", err)
	}
	return id, nil
}

// Recent returns the newest n results, newest first.
func (q *Queue) Recent(ctx context.Context, n int) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, n)
	for e, err := range q.Scan(ctx, FeedStream, Range{}, n) {
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			break
		}
		out = append(out, e.Result)
	}
	return out, nil
}

// Result returns the final result of job id, or ok false when it has none.
func (q *Queue) Result(ctx context.Context, id string) (json.RawMessage, bool, error) {
	r, err := q.rdb.HGet(ctx, q.sh[shardOf(id, q.cfg.Shards)].results, id).Result()
	if err == redis.Nil {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read result %s: %w", id, err)
	}
	return json.RawMessage(r), true, nil
}
