package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
)

// TestWorkerSIGKILL runs 50,000 URLs against an origin with 20 ms of
// latency through four workers, while one of them, chosen at random, is
// killed with SIGKILL every one to two seconds and restarted, until the run
// is done. Every job must end with exactly one result, with the right
// verdict for its URL.
func TestWorkerSIGKILL(t *testing.T) {
	long(t)
	const n = 50000
	begin := time.Now()
	s := newSystem(t)
	o := origintest.New(t, 20*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	// 4 × 8 checks of 20 ms cap the run at 1,600 URLs/s, so it lasts long
	// enough for a few dozen kills.
	env := []string{"CONCURRENCY=8"}
	workers := make([]*proc, 4)
	for i := range workers {
		workers[i] = s.start("worker", env, fmt.Sprintf("kill-%d-0", i))
	}
	kills := killUntilFinished(t, s, workers, env, 4*time.Minute)
	for _, w := range workers {
		w.Stop(t, 30*time.Second)
	}
	tl, results := s.verify(n)
	st := s.stats()
	report(t, "worker_SIGKILL", n, fmt.Sprintf("%d_worker_SIGKILLs", kills), tl, time.Since(begin))
	t.Logf("%d kills: reaped %d, stale %d, dead %d, origin requests %d for %d URLs",
		kills, st.Reaped, st.Stale, st.Dead, o.Total.Load(), n)
	if kills < 10 {
		t.Errorf("only %d kills happened; the run was too short to prove anything", kills)
	}
	for id, r := range results {
		wantOK := !strings.Contains(r.URL, "/missing/")
		if r.OK != wantOK && r.ErrorKind != "dead" {
			t.Errorf("job %s (%s): ok %v, %s %q; want ok %v", id, r.URL, r.OK, r.ErrorKind, r.Error, wantOK)
		}
	}
}

// killUntilFinished kills a random worker every one to two seconds and
// starts a new one in its place, until the run is finished. It returns the
// number of kills.
func killUntilFinished(tb testing.TB, s *system, workers []*proc, env []string, timeout time.Duration) int {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	next := time.Now().Add(killGap())
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	kills := 0
	for !s.stats().Finished() {
		if time.Now().After(deadline) {
			tb.Fatalf("run not finished after %v and %d kills: %+v", timeout, kills, s.stats())
		}
		<-tick.C
		if time.Now().Before(next) {
			continue
		}
		i := rand.IntN(len(workers))
		workers[i].Signal(tb, syscall.SIGKILL)
		_ = workers[i].Wait(tb, 10*time.Second)
		kills++
		workers[i] = s.start("worker", env, fmt.Sprintf("kill-%d-%d", i, kills))
		next = time.Now().Add(killGap())
	}
	return kills
}

// killGap is a random time between one and two seconds.
func killGap() time.Duration {
	return time.Second + rand.N(time.Second)
}
