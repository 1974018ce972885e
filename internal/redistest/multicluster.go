package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of several private servers, each a primary
// owning a share of the slots, made with redis-cli --cluster create.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts n cluster-enabled servers (n >= 3), joins them into
// one cluster and waits until every node reports cluster_state:ok.
func StartCluster(tb testing.TB, n int, opts ...Option) *Cluster {
	tb.Helper()
	return StartReplicatedCluster(tb, n, 0, opts...)
}

// StartReplicatedCluster starts a cluster of primaries with replicas
// replicas each, so that killing a primary makes its replica take over.
// Pass WithArgs("--cluster-node-timeout", "1000") for a fast failover.
func StartReplicatedCluster(tb testing.TB, primaries, replicas int, opts ...Option) *Cluster {
	tb.Helper()
	if primaries < 3 {
		tb.Fatalf("redistest: a cluster needs at least 3 primaries, got %d", primaries)
	}
	n := primaries * (1 + replicas)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redistest: redis-cli not found on PATH; install it (apt-get install redis-tools)")
	}
	c := &Cluster{}
	node := append(append([]Option{}, opts...), WithCluster(), func(o *options) { o.noSlots = true })
	for range n {
		c.Nodes = append(c.Nodes, Start(tb, node...))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for _, s := range c.Nodes {
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
		err := waitClusterOK(ctx, rdb)
		if err == nil && replicas > 0 {
			err = waitReplicaSynced(ctx, rdb)
		}
		rdb.Close()
		if err != nil {
			tb.Fatalf("redistest: cluster node %s: %v%s", s.Addr(), err, logTail(s.dir))
		}
	}
	return c
}

// Addrs returns the nodes' addresses.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		addrs[i] = s.Addr()
	}
	return addrs
}

// Client returns a cluster client, closed when the test ends.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	// Reload the slot map often, so that the client follows a failover
	// within seconds rather than the default minute.
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ClusterStateReloadInterval: time.Second})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// Primaries returns the nodes that are primaries now.
func (c *Cluster) Primaries(tb testing.TB) []*Server {
	tb.Helper()
	var out []*Server
	for _, s := range c.Nodes {
		if s.alive() && strings.Contains(s.Client(tb).Info(context.Background(), "replication").Val(), "role:master") {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil && !s.proc.exited()
}

// waitReplicaSynced waits until a replica's link to its primary is up (a
// primary passes at once): a replica that never synced cannot take over.
func waitReplicaSynced(ctx context.Context, rdb *redis.Client) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		info, err := rdb.Info(ctx, "replication").Result()
		if err == nil && (strings.Contains(info, "role:master") || strings.Contains(info, "master_link_status:up")) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the replica to sync: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}
