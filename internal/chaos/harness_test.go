package chaos

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/proctest"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

// origin is a local HTTP server that counts requests. Paths starting with
// /missing/ answer 404; every answer waits delay.
type origin struct {
	*httptest.Server
	total atomic.Int64
}

func newOrigin(tb testing.TB, delay time.Duration) *origin {
	tb.Helper()
	o := &origin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.total.Add(1)
		if delay > 0 {
			time.Sleep(delay) // the origin's latency, not synchronisation
		}
		if strings.HasPrefix(r.URL.Path, "/missing/") {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	tb.Cleanup(o.Close)
	return o
}

// writeList writes n URLs of o to a file, every tenth a 404.
func (o *origin) writeList(tb testing.TB, n int) string {
	tb.Helper()
	var b bytes.Buffer
	for i := range n {
		kind := "ok"
		if i%10 == 9 {
			kind = "missing"
		}
		fmt.Fprintf(&b, "%s/%s/%d\n", o.URL, kind, i)
	}
	return writeFile(tb, "urls.txt", b.Bytes())
}

func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// fastEnv shortens every timer so that faults show up within seconds, and
// keeps every result in the feed so that duplicates would show.
// Every URL of these tests is on one local host, so the per-host limit is
// lifted (politeness has tests of its own).
var fastEnv = []string{"LEASE=1s", "FLUSH_INTERVAL=200ms", "WORKER_TIMEOUT=0.05", "RETRY_BASE=10ms",
	"RESULTS_TO_KEEP=0", "HTTP_TIMEOUT=5", "LOG_LEVEL=warn", "HOST_CONCURRENCY=0"}

// system is one namespace on one private Redis, and the processes run
// against it.
type system struct {
	tb    testing.TB
	redis *redistest.Server
	env   []string // REDIS_ADDR, NAMESPACE and fastEnv for every process
	q     *queue.Queue
}

func newSystem(tb testing.TB, opts ...redistest.Option) *system {
	tb.Helper()
	srv := redistest.Start(tb, opts...)
	s := &system{tb: tb, redis: srv}
	s.env = append([]string{"REDIS_ADDR=" + srv.Addr(), "NAMESPACE=chaos"}, fastEnv...)
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
