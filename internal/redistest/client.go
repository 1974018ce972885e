package redistest

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// Client returns a new client for the server, closed when the test ends. It
// does not check that the server is running.
func (s *Server) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
	tb.Cleanup(func() { closeClient(tb, rdb) })
	return rdb
}

// ClusterClient returns a new cluster client for a server started with
// WithCluster, closed when the test ends.
func (s *Server) ClusterClient(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	if !s.opts.cluster {
		tb.Fatalf("redistest: ClusterClient on %s, which was started without WithCluster", s.Addr())
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{s.Addr()}, DisableIdentity: true})
	tb.Cleanup(func() { closeClient(tb, rdb) })
	return rdb
}

func closeClient(tb testing.TB, rdb interface{ Close() error }) {
	tb.Helper()
	if err := rdb.Close(); err != nil {
		tb.Errorf("redistest: close client: %v", err)
	}
}
