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

// Stats reads a consistent snapshot of the run.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	k := q.k
	var (
		counters, lat, run *redis.MapStringStringCmd
		queued, proc       *redis.IntCmd
		delayed            *redis.IntCmd
		workers            *redis.ZSliceCmd
		now                *redis.TimeCmd
	)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		counters = p.HGetAll(ctx, k.stats)
		lat = p.HGetAll(ctx, k.latency)
		run = p.HGetAll(ctx, k.run)
		queued = p.LLen(ctx, k.pending)
		proc = p.HLen(ctx, k.inflight)
		delayed = p.ZCard(ctx, k.delayed)
		workers = p.ZRangeWithScores(ctx, k.workers, 0, -1)
		now = p.Time(ctx)
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("read stats: %w", err)
	}
	s := Stats{
		Now:        now.Val(),
		Queued:     queued.Val(),
		Processing: proc.Val(),
		Delayed:    delayed.Val(),
		Counters:   parseCounts(counters.Val()),
		Latency:    parseCounts(lat.Val()),
	}
	c := s.Counters
	s.Total, s.Success, s.Error, s.Done = c["total"], c["success"], c["error"], c["done"]
	s.Dead, s.Retried, s.Reaped, s.Stale = c["dead"], c["retried"], c["reaped"], c["stale"]
	r := run.Val()
	s.RunID = r["id"]
	if ms, err := strconv.ParseInt(r["started_ms"], 10, 64); err == nil {
		s.StartedAt = time.UnixMilli(ms)
	}
	for _, z := range workers.Val() {
		name, _ := z.Member.(string)
		s.Workers = append(s.Workers, Worker{Name: name, LastSeen: time.UnixMilli(int64(z.Score))})
	}
	return s, nil
}

func parseCounts(m map[string]string) map[string]int64 {
	out := make(map[string]int64, len(m))
	for f, v := range m {
		n, _ := strconv.ParseInt(v, 10, 64)
		out[f] = n
	}
	return out
}

// NewRun deletes the previous run's queue, results and counters (never the
// cache) and starts a run with a fresh id. Workers still holding jobs of the
// old run cannot commit them: their tokens are gone with it.
func (q *Queue) NewRun(ctx context.Context) (string, error) {
	id := newClaimID()[:12]
	k := q.k
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Unlink(ctx, k.runKeys()...)
		p.HSet(ctx, k.run, "id", id, "started_ms", time.Now().UnixMilli())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("start run: %w", err)
	}
	return id, nil
}

// Recent returns the newest n results, newest first.
func (q *Queue) Recent(ctx context.Context, n int) ([]json.RawMessage, error) {
	msgs, err := q.rdb.XRevRangeN(ctx, q.k.feed, "+", "-", int64(n)).Result()
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	out := make([]json.RawMessage, 0, len(msgs))
	for _, m := range msgs {
		if r, ok := m.Values["r"].(string); ok {
			out = append(out, json.RawMessage(r))
		}
	}
	return out, nil
}

// Result returns the final result of job id, or ok false when it has none.
func (q *Queue) Result(ctx context.Context, id string) (json.RawMessage, bool, error) {
	r, err := q.rdb.HGet(ctx, q.k.results, id).Result()
	if err == redis.Nil {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read result %s: %w", id, err)
	}
	return json.RawMessage(r), true, nil
}
