// Package proctest runs the project's binaries as real processes in tests,
// so that fault tests can kill, stop and restart them.
package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build builds the given packages (paths relative to the caller's package,
// such as "../../cmd/worker") into a new temporary directory and returns
// it. The caller removes it.
func Build(pkgs ...string) (string, error) {
	dir, err := os.MkdirTemp("", "urlcheck-bin")
	if err != nil {
		return "", err
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	build := exec.Command("go", args...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// Main is a TestMain: it builds pkgs, sets *bin to the directory holding
// them, runs the tests, removes the directory and exits with the tests'
// status.
func Main(m *testing.M, bin *string, pkgs ...string) {
	dir, err := Build(pkgs...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build binaries:", err)
		os.Exit(1)
	}
	*bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// FastEnv is the environment under which the fault tests run the binaries:
// every timer shortened so that faults show up within seconds, and every
// result kept in the feed so that a duplicate would show. Every URL of
// these tests is on one local host, so the per-host limit is lifted
// (politeness has tests of its own).
var FastEnv = []string{"LEASE=1s", "FLUSH_INTERVAL=200ms", "WORKER_TIMEOUT=0.05", "RETRY_BASE=10ms",
	"RESULTS_TO_KEEP=0", "HTTP_TIMEOUT=5", "LOG_LEVEL=warn", "HOST_CONCURRENCY=0"}

// Proc is a running binary. Its methods may be called from the test's
// goroutine; Output is also safe from others.
type Proc struct {
	Name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error // holds the Wait result once the process exited
}

// Start starts the binary at path with env added to the test's own
// environment (later entries win), and kills it when the test ends,
// logging its output if the test failed.
func Start(tb testing.TB, path string, env []string, args ...string) *Proc {
	tb.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &Proc{Name: filepath.Base(path) + " " + strings.Join(args, " "), cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		p.ExitErr()
		if tb.Failed() {
			tb.Logf("output of %s (last 4 kB):\n%s", p.Name, Tail(out.String(), 4096))
		}
	})
	return p
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig, failing the test if it cannot.
func (p *Proc) Signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signal %v to %s: %v", sig, p.Name, err)
	}
}

// Wait waits for the process to exit and returns its Wait error; it fails
// the test if the process is still running after timeout.
func (p *Proc) Wait(tb testing.TB, timeout time.Duration) error {
	tb.Helper()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-t.C:
		tb.Fatalf("%s still running after %v", p.Name, timeout)
		return nil
	}
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

// ExitErr waits for the process to exit and returns its Wait error.
func (p *Proc) ExitErr() error {
	err := <-p.done
	p.done <- err
	return err
}

// Stop sends SIGTERM and wants a clean exit within timeout.
func (p *Proc) Stop(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	p.Signal(tb, syscall.SIGTERM)
	if err := p.Wait(tb, timeout); err != nil {
		tb.Errorf("%s after SIGTERM: %v", p.Name, err)
	}
}

// Output returns what the process wrote to stdout and stderr so far.
func (p *Proc) Output() string { return p.out.String() }

// syncBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *syncBuffer) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(b)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// Tail returns the last n bytes of s.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
