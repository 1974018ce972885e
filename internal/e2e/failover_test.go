package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
	"github.com/urlcheck/url-checker/internal/proctest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// TestClusterFailover kills a primary of a cluster with replicas in the
// middle of a run. Its replica takes over; writes the primary acknowledged
// but had not yet replicated are lost (Redis replicates asynchronously),
// which the queue's invariant tolerates: a commit that vanished leaves its
// job leased on the new primary, the reaper puts it back and it is done
// again. The run must still end with exactly one result per job.
func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("six-node cluster with a failover")
	}
	const n = 10000
	c := redistest.StartReplicatedCluster(t, 3, 1, redistest.WithArgs("--cluster-node-timeout", "1000"))
	s := &system{tb: t, q: nil}
	s.env = append([]string{"REDIS_ADDR=" + strings.Join(c.Addrs(), ","), "NAMESPACE=e2e"}, proctest.FastEnv...)
	s.q = newQueue(t, c.Client(t), 16)
	o := origintest.New(t, 5*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	var workers []*proc
	for i := range 3 {
		workers = append(workers, s.start("worker", []string{"CONCURRENCY=16"}, "-drain", fmt.Sprint("w", i)))
	}
	waitfor.Cond(t, time.Minute, "2,000 results", func() bool { return s.stats().Done >= 2000 })
	victim := c.Primaries(t)[0]
	victim.Kill(t)
	t.Logf("killed primary %s", victim.Addr())
	for _, w := range workers {
		if err := w.Wait(t, 3*time.Minute); err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
	}
	waitfor.Cond(t, 30*time.Second, "the cluster to answer again", func() bool {
		_, err := s.q.Stats(context.Background())
		return err == nil
	})
	st := s.checkExactlyOnce(n)
	t.Logf("after failover: %d results, reaped %d, stale %d, origin requests %d", st.Done, st.Reaped, st.Stale, o.Total.Load())
}
