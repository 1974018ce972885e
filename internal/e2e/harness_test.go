// Package e2e runs the real binaries as processes against private
// redis-server instances and local origins, and kills, stops and restarts
// them to prove that no job and no result is lost or duplicated.
package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/proctest"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

var binDir string

func TestMain(m *testing.M) {
	proctest.Main(m, &binDir, "../../cmd/...")
}

// system is one namespace on one private Redis, and the processes run
// against it.
type system struct {
	tb    testing.TB
	redis *redistest.Server
	env   []string
	q     *queue.Queue
}

func newSystem(tb testing.TB, opts ...redistest.Option) *system {
	srv := redistest.Start(tb, opts...)
	s := &system{tb: tb, redis: srv}
	s.env = append([]string{"REDIS_ADDR=" + srv.Addr(), "NAMESPACE=e2e"}, proctest.FastEnv...)
	s.q = newQueue(tb, srv.Client(tb), 1)
	return s
}

// newClusterSystem runs on a three-primary Redis Cluster with the default
// 16 shards, so the run spreads over the nodes, as the cache does.
func newClusterSystem(tb testing.TB) *system {
	c := redistest.StartCluster(tb, 3)
	s := &system{tb: tb}
	s.env = append([]string{"REDIS_ADDR=" + strings.Join(c.Addrs(), ","), "NAMESPACE=e2e"}, proctest.FastEnv...)
	s.q = newQueue(tb, c.Client(tb), 16)
	return s
}

func newQueue(tb testing.TB, rdb redis.UniversalClient, shards int) *queue.Queue {
	q, err := queue.New(context.Background(), rdb, queue.Config{Namespace: "e2e", Shards: shards})
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// setups are the Redis deployments the main tests run on.
var setups = []struct {
	name string
	new  func(testing.TB) *system
}{
	{"single", func(tb testing.TB) *system { return newSystem(tb) }},
	{"cluster", newClusterSystem},
}

// proc is a running binary.
type proc = proctest.Proc

// start starts a binary with the system's environment plus env.
func (s *system) start(bin string, env []string, args ...string) *proc {
	s.tb.Helper()
	return proctest.Start(s.tb, filepath.Join(binDir, bin), append(append([]string{}, s.env...), env...), args...)
}

// run runs a binary to its end and returns its output.
func (s *system) run(bin string, args ...string) string {
	s.tb.Helper()
	p := s.start(bin, nil, args...)
	if err := p.Wait(s.tb, time.Minute); err != nil {
		s.tb.Fatalf("%s: %v", p.Name, err)
	}
	return p.Output()
}

// stats reads the run's stats, failing the test on error.
func (s *system) stats() queue.Stats {
	s.tb.Helper()
	st, err := s.q.Stats(context.Background())
	if err != nil {
		s.tb.Fatal(err)
	}
	return st
}

// checkExactlyOnce asserts the run finished with one result per job:
// counters exact, one feed entry per job (the feed is uncapped here), and
// nothing left queued, delayed, in flight or leased.
func (s *system) checkExactlyOnce(n int64) queue.Stats {
	s.tb.Helper()
	st := s.stats()
	sz, err := s.q.Sizes(context.Background())
	if err != nil {
		s.tb.Fatal(err)
	}
	if st.Total != n || st.Done != n || st.Success+st.Error != st.Done || !st.Finished() {
		s.tb.Errorf("stats: total %d done %d success %d error %d finished %v; want %d done",
			st.Total, st.Done, st.Success, st.Error, st.Finished(), n)
	}
	if sz.Results != n || sz.Feed != n || sz.Pending+sz.Delayed+sz.Inflight+sz.Leases+sz.Jobs != 0 {
		s.tb.Errorf("sizes = %+v; want %d results and feed entries, nothing else left", sz, n)
	}
	if st.Counters["bug_duplicate"] != 0 {
		s.tb.Errorf("bug_duplicate = %d; want 0", st.Counters["bug_duplicate"])
	}
	return st
}
