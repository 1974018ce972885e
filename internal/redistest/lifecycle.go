package redistest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// launch starts a run of the server and waits until it is ready. On failure
// the run has exited or been killed and reaped. The caller holds s.mu or
// owns s alone.
func (s *Server) launch() error {
	p, err := launch(s.bin, s.dir, s.opts.serverArgs(s.dir, s.port, s.busPort))
	if err != nil {
		return err
	}
	if err := p.waitReady(s.Addr()); err != nil {
		_ = p.signal(syscall.SIGKILL)
		<-p.done
		return err
	}
	s.proc = p
	return nil
}

// Stop sends SIGTERM and waits for the server to exit, which makes it write
// out its AOF. It fails the test unless the server exits cleanly.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.running(tb)
	if err := p.signal(syscall.SIGTERM); err != nil {
		tb.Fatalf("redistest: stop %s: %v", s.Addr(), err)
	}
	// A paused server acts on SIGTERM only once it runs again.
	if err := p.signal(syscall.SIGCONT); err != nil {
		tb.Fatalf("redistest: stop %s: %v", s.Addr(), err)
	}
	err := p.wait(exitTimeout)
	if !p.exited() {
		_ = p.signal(syscall.SIGKILL)
		<-p.done
	}
	s.proc = nil
	if err != nil {
		tb.Fatalf("redistest: stop %s: %v%s", s.Addr(), err, logTail(s.dir))
	}
}

// Kill sends SIGKILL and waits for the server to exit, like a crash: writes
// not yet in the AOF are lost.
func (s *Server) Kill(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.running(tb)
	if err := p.signal(syscall.SIGKILL); err != nil {
		tb.Fatalf("redistest: kill %s: %v", s.Addr(), err)
	}
	<-p.done
	s.proc = nil
}

// Restart starts a server that was stopped or killed, or that exited by
// itself, on the same port and directory with the same options. It returns
// once the server has loaded its data and answers PING, and with WithCluster
// once the cluster state is ok again.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil && !s.proc.exited() {
		tb.Fatalf("redistest: restart %s: server still running; Stop or Kill it first", s.Addr())
	}
	s.proc = nil
	if err := s.launch(); err != nil {
		tb.Fatalf("redistest: restart %s: %v%s", s.Addr(), err, logTail(s.dir))
	}
	if s.opts.cluster {
		s.awaitCluster(tb)
	}
}

// Pause freezes the server with SIGSTOP: it keeps its connections but answers
// nothing until Resume. Stop and Kill work on a paused server.
func (s *Server) Pause(tb testing.TB) {
	tb.Helper()
	s.sendRunning(tb, syscall.SIGSTOP)
}

// Resume lets a paused server run again with SIGCONT.
func (s *Server) Resume(tb testing.TB) {
	tb.Helper()
	s.sendRunning(tb, syscall.SIGCONT)
}

func (s *Server) sendRunning(tb testing.TB, sig os.Signal) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.running(tb).signal(sig); err != nil {
		tb.Fatalf("redistest: %s: %v", s.Addr(), err)
	}
}

// running returns the current run, failing the test if there is none. The
// caller holds s.mu.
func (s *Server) running(tb testing.TB) *process {
	tb.Helper()
	if s.proc == nil {
		tb.Fatalf("redistest: %s is not running", s.Addr())
	}
	return s.proc
}

// cleanup kills the server, if running, at the end of the test.
func (s *Server) cleanup(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	if err := s.proc.signal(syscall.SIGKILL); err != nil {
		tb.Errorf("redistest: clean up %s: %v", s.Addr(), err)
		return
	}
	if err := s.proc.wait(exitTimeout); err != nil && !s.proc.exited() {
		tb.Errorf("redistest: clean up %s: %v", s.Addr(), err)
	}
	s.proc = nil
}

// removeLogs deletes the log files of a failed start before the next try.
func (s *Server) removeLogs(tb testing.TB) {
	tb.Helper()
	for _, name := range []string{logName, outName} {
		err := os.Remove(filepath.Join(s.dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			tb.Fatalf("redistest: %v", err)
		}
	}
}
