package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// TestKilledWorkerLosesNothing kills a worker with SIGKILL while its
// results wait in the write-behind buffer; another worker must redo exactly
// those jobs.
func TestKilledWorkerLosesNothing(t *testing.T) {
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) { killedWorker(t, setup.new(t)) })
	}
}

func killedWorker(t *testing.T, s *system) {
	o := origintest.New(t, time.Millisecond)
	s.run("producer", o.WriteList(t, 2000))
	victim := s.start("worker", []string{"FLUSH_INTERVAL=1h", "BATCH_SIZE=10000", "CONCURRENCY=16"}, "victim")
	waitfor.Cond(t, 30*time.Second, "victim to check 300 URLs", func() bool { return o.Total.Load() >= 300 })
	victim.Signal(t, syscall.SIGKILL)
	_ = victim.Wait(t, 10*time.Second)
	if st := s.stats(); st.Done != 0 {
		t.Fatalf("done = %d before the rescue; want 0 (the victim never flushed)", st.Done)
	}
	rescue := s.start("worker", nil, "-drain", "rescue")
	if err := rescue.Wait(t, time.Minute); err != nil {
		t.Fatalf("rescue worker: %v", err)
	}
	st := s.checkExactlyOnce(2000)
	if st.Reaped == 0 || st.Error != 200 {
		t.Errorf("reaped %d, error %d; want the victim's jobs reaped and 200 errors (the 404s)", st.Reaped, st.Error)
	}
}

// TestPausedWorkerCannotCommit stops a worker with SIGSTOP past its lease;
// its jobs go to another worker, and when it resumes its buffered results
// are refused.
func TestPausedWorkerCannotCommit(t *testing.T) {
	s := newSystem(t)
	o := origintest.New(t, time.Millisecond)
	s.run("producer", o.WriteList(t, 1000))
	zombie := s.start("worker", []string{"FLUSH_INTERVAL=3s", "BATCH_SIZE=10000", "CONCURRENCY=8"}, "zombie")
	waitfor.Cond(t, 30*time.Second, "zombie to check 100 URLs", func() bool { return o.Total.Load() >= 100 })
	zombie.Signal(t, syscall.SIGSTOP)
	rescue := s.start("worker", nil, "-drain", "rescue")
	if err := rescue.Wait(t, time.Minute); err != nil {
		t.Fatalf("rescue worker: %v", err)
	}
	zombie.Signal(t, syscall.SIGCONT)
	waitfor.Cond(t, 30*time.Second, "the zombie's refused flush", func() bool { return s.stats().Stale > 0 })
	zombie.Signal(t, syscall.SIGTERM)
	if err := zombie.Wait(t, 30*time.Second); err != nil {
		t.Errorf("zombie exit: %v", err)
	}
	s.checkExactlyOnce(1000)
}

// TestRedisRestartMidRun kills Redis (AOF, fsync always) in the middle of a
// run and starts it again on the same port; the workers ride through.
func TestRedisRestartMidRun(t *testing.T) {
	s := newSystem(t, redistest.WithAOF("always"))
	o := origintest.New(t, 2*time.Millisecond)
	s.run("producer", o.WriteList(t, 3000))
	var workers []*proc
	for i := range 2 {
		workers = append(workers, s.start("worker", []string{"CONCURRENCY=8"}, "-drain", fmt.Sprint("w", i)))
	}
	waitfor.Cond(t, 30*time.Second, "500 results", func() bool { return s.stats().Done >= 500 })
	s.redis.Kill(t)
	waitfor.Cond(t, 10*time.Second, "a worker to notice the outage", func() bool {
		return strings.Contains(workers[0].Output()+workers[1].Output(), "connection refused")
	})
	s.redis.Restart(t)
	for _, w := range workers {
		if err := w.Wait(t, 2*time.Minute); err != nil {
			t.Errorf("%s: %v", w.Name, err)
		}
	}
	s.checkExactlyOnce(3000)
}

// TestChaosKills runs 20,000 URLs through three workers while one of them,
// chosen at random, is killed with SIGKILL every 1.5 s and restarted, until
// the run is done. It must end with exactly 20,000 results.
func TestChaosKills(t *testing.T) {
	if testing.Short() {
		t.Skip("long fault test")
	}
	const n = 20000
	s := newSystem(t)
	o := origintest.New(t, 20*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	env := []string{"CONCURRENCY=16"}
	workers := make([]*proc, 3)
	for i := range workers {
		workers[i] = s.start("worker", env, fmt.Sprint("chaos-", i))
	}
	kills := 0
	tick := time.NewTicker(1500 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(3 * time.Minute)
	for !s.stats().Finished() {
		select {
		case <-deadline:
			t.Fatalf("run not finished after 3 minutes and %d kills: %+v", kills, s.stats())
		case <-tick.C:
			i := rand.IntN(len(workers))
			workers[i].Signal(t, syscall.SIGKILL)
			_ = workers[i].Wait(t, 10*time.Second)
			workers[i] = s.start("worker", env, fmt.Sprint("chaos-", i))
			kills++
		}
	}
	st := s.checkExactlyOnce(n)
	t.Logf("%d URLs, %d kills: reaped %d, stale %d, dead %d, origin requests %d",
		n, kills, st.Reaped, st.Stale, st.Dead, o.Total.Load())
	if kills < 3 {
		t.Errorf("only %d kills happened; the run was too short to prove anything", kills)
	}
	for _, w := range workers {
		w.Signal(t, syscall.SIGTERM)
		if err := w.Wait(t, 30*time.Second); err != nil && !strings.Contains(err.Error(), "signal") {
			t.Errorf("%s: %v", w.Name, err)
		}
	}
}
