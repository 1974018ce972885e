package chaos

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/proctest"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

// system is one namespace on one private Redis, and the processes run
// against it.
type system struct {
	tb    testing.TB
	redis *redistest.Server
	env   []string // REDIS_ADDR, NAMESPACE and proctest.FastEnv for every process
	q     *queue.Queue
}

func newSystem(tb testing.TB, opts ...redistest.Option) *system {
	tb.Helper()
	srv := redistest.Start(tb, opts...)
	s := &system{tb: tb, redis: srv}
	s.env = append([]string{"REDIS_ADDR=" + srv.Addr(), "NAMESPACE=chaos"}, proctest.FastEnv...)
	q, err := queue.New(context.Background(), srv.Client(tb), queue.Config{Namespace: "chaos"})
	if err != nil {
		tb.Fatal(err)
	}
	s.q = q
	return s
}

// start starts a binary with the system's environment plus env.
func (s *system) start(bin string, env []string, args ...string) *proc {
	s.tb.Helper()
	return startProc(s.tb, bin, append(append([]string{}, s.env...), env...), args...)
}

// run runs a binary to its end and returns its output.
func (s *system) run(bin string, args ...string) string {
	s.tb.Helper()
	p := s.start(bin, nil, args...)
	if err := p.Wait(s.tb, 2*time.Minute); err != nil {
		s.tb.Fatalf("%s: %v\n%s", p.Name, err, p.Output())
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

// waitFinished polls the stats until the run is finished, tolerating Redis
// errors (it may be restarting), and fails the test after timeout.
func (s *system) waitFinished(timeout time.Duration) queue.Stats {
	s.tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := s.q.Stats(context.Background())
		if err == nil && st.Finished() {
			return st
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("run not finished after %v: %+v, last error %v", timeout, st, err)
		}
		<-tick.C
	}
}

// proc is a running binary.
type proc = proctest.Proc

// startProc starts bin from binDir with env added to the test's own
// environment (later entries win), and kills it when the test ends.
func startProc(tb testing.TB, bin string, env []string, args ...string) *proc {
	tb.Helper()
	return proctest.Start(tb, filepath.Join(binDir, bin), env, args...)
}

var tail = proctest.Tail
