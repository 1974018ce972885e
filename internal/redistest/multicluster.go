package redistest

import (
	"context"
	"os/exec"
	"testing"

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
	if n < 3 {
		tb.Fatalf("redistest: a cluster needs at least 3 primaries, got %d", n)
	}
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
	out, err := exec.Command(cli, append(args, "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for _, s := range c.Nodes {
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
		err := waitClusterOK(ctx, rdb)
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
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}
