package queue

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Sizes counts the entries of every run structure. Fault tests and
// operators use it to check the invariants: a finished run has one result
// per job, a feed as long as the results (when uncapped), and nothing left
// in the queue, the delayed set, in flight or under lease.
type Sizes struct {
	Results, Feed, Failed      int64
	Pending, Delayed, Inflight int64
	Leases, Jobs               int64
}

// Sizes reads the sizes of the run's structures, each shard in one
// transaction, summed over the shards.
func (q *Queue) Sizes(ctx context.Context) (Sizes, error) {
	var sum Sizes
	for _, k := range q.sh {
		var cmds [8]*redis.IntCmd
		_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			cmds = [8]*redis.IntCmd{p.HLen(ctx, k.results), p.XLen(ctx, k.feed), p.XLen(ctx, k.failed),
				p.LLen(ctx, k.pending), p.ZCard(ctx, k.delayed), p.HLen(ctx, k.inflight),
				p.ZCard(ctx, k.lease), p.HLen(ctx, k.jobs)}
			return nil
		})
		if err != nil {
			return Sizes{}, fmt.Errorf("read sizes: %w", err)
		}
		sum.Results += cmds[0].Val()
		sum.Feed += cmds[1].Val()
		sum.Failed += cmds[2].Val()
		sum.Pending += cmds[3].Val()
		sum.Delayed += cmds[4].Val()
		sum.Inflight += cmds[5].Val()
		sum.Leases += cmds[6].Val()
		sum.Jobs += cmds[7].Val()
	}
	return sum, nil
}
