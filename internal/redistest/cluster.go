package redistest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// awaitCluster makes the server own every slot and waits until CLUSTER INFO
// reports cluster_state:ok. Redis holds a fresh master in the fail state for
// about two seconds after it starts, so this takes that long.
func (s *Server) awaitCluster(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
	defer rdb.Close()
	if err := assignSlots(ctx, rdb); err != nil {
		tb.Fatalf("redistest: cluster on %s: %v%s", s.Addr(), err, logTail(s.dir))
	}
	if err := waitClusterOK(ctx, rdb); err != nil {
		tb.Fatalf("redistest: cluster on %s: %v%s", s.Addr(), err, logTail(s.dir))
	}
}

// assignSlots gives all 16384 slots to the server, unless its nodes.conf from
// an earlier run already did.
func assignSlots(ctx context.Context, rdb *redis.Client) error {
	info, err := rdb.ClusterInfo(ctx).Result()
	if err != nil {
		return fmt.Errorf("cluster info: %w", err)
	}
	if strings.Contains(info, "cluster_slots_assigned:16384\r\n") {
		return nil
	}
	if err := rdb.ClusterAddSlotsRange(ctx, 0, 16383).Err(); err != nil {
		return fmt.Errorf("cluster addslotsrange: %w", err)
	}
	return nil
}

// waitClusterOK polls CLUSTER INFO until it says cluster_state:ok or ctx is
// done.
func waitClusterOK(ctx context.Context, rdb *redis.Client) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		info, err := rdb.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok\r\n") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for cluster_state:ok: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}
