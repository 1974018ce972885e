// Package redistest starts private redis-server processes for tests, each on
// its own free port and in its own temporary directory, so that tests never
// share state with each other or with a Redis on the default port. A test
// can stop, kill, pause and restart its server to exercise failures.
//
// The redis-server binary must be on PATH.
package redistest

import (
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// startAttempts is how many ports Start tries when the one it picked was taken
// by another process before redis-server could bind it.
const startAttempts = 5

// Server is one private redis-server. It keeps its port, directory and
// options across Stop, Kill and Restart, so data written with WithAOF
// survives a restart.
//
// A Server is safe for concurrent use: Stop, Kill, Restart, Pause and Resume
// take turns. Like all testing.TB failures, they must be called from the
// test's goroutine when they may fail the test.
type Server struct {
	bin     string // path to redis-server
	dir     string // the server's --dir, holding its log and AOF
	port    int
	busPort int // cluster bus port; zero without WithCluster
	opts    options

	mu   sync.Mutex // guards proc
	proc *process   // current run, nil when stopped or killed
}

// Start starts a redis-server on a free port on 127.0.0.1 with RDB snapshots
// off, AOF off unless WithAOF is given, and a directory from tb.TempDir. It
// returns once the server answers PING, and stops it when the test ends. It
// fails the test if redis-server is not installed or does not start.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{bin: lookBinary(tb), dir: tb.TempDir()}
	for _, opt := range opts {
		opt(&s.opts)
	}
	if err := s.opts.validate(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(func() { s.cleanup(tb) })
	for attempt := 1; ; attempt++ {
		s.pickPorts(tb)
		err := s.launch()
		if err == nil {
			break
		}
		if attempt == startAttempts || !portInUse(s.dir) {
			tb.Fatalf("redistest: start redis-server on %s: %v%s", s.Addr(), err, logTail(s.dir))
		}
		s.removeLogs(tb)
	}
	if s.opts.cluster && !s.opts.noSlots {
		s.awaitCluster(tb)
	}
	return s
}

func lookBinary(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redistest: redis-server not found on PATH (install it, e.g. apt-get install redis-server): %v", err)
	}
	return bin
}

func (s *Server) pickPorts(tb testing.TB) {
	tb.Helper()
	s.port = FreePort(tb)
	if s.opts.cluster {
		for s.busPort = FreePort(tb); s.busPort == s.port; s.busPort = FreePort(tb) {
		}
	}
}

// Addr returns the server's address, "127.0.0.1:PORT".
func (s *Server) Addr() string {
	return "127.0.0.1:" + strconv.Itoa(s.port)
}

// Port returns the server's TCP port.
func (s *Server) Port() int {
	return s.port
}

// Dir returns the server's working directory, which holds its log file and,
// with WithAOF, its append-only files.
func (s *Server) Dir() string {
	return s.dir
}
