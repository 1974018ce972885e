package chaos

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// maxFailFast is how long a binary may take to give up on an unreachable
// Redis.
const maxFailFast = 5 * time.Second

// TestUnreachableRedisFailsFast starts every binary against a port where
// nothing listens: each must exit within a few seconds, with a non-zero
// status and a message naming the address.
func TestUnreachableRedisFailsFast(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	failsFast(t, "no_redis_at_start", addr, maxFailFast, "not reachable")
}

// TestSilentRedisFailsInBoundedTime starts every binary against a port
// that accepts connections but never answers, as a hung Redis would: each
// must still give up, after its read timeout (5 s), naming the address.
func TestSilentRedisFailsInBoundedTime(t *testing.T) {
	long(t)
	failsFast(t, "silent_redis_at_start", silentServer(t), 5*time.Second+maxFailFast, "not reachable")
}

// failsFast runs each binary against the Redis at addr, in parallel, and
// wants it to exit within limit with a non-zero status and a message that
// names addr and contains want.
func failsFast(t *testing.T, scenario, addr string, limit time.Duration, want string) {
	list := origintest.WriteFile(t, "urls.txt", []byte("http://example.test/\n"))
	begin := time.Now()
	t.Cleanup(func() { // after the parallel subtests
		report(t, scenario, 0, "4_binaries_started_without_Redis", tally{}, time.Since(begin))
	})
	for _, c := range []struct {
		bin  string
		args []string
	}{
		{"producer", []string{list}}, {"worker", nil}, {"monitor", nil}, {"api", nil},
	} {
		t.Run(c.bin, func(t *testing.T) {
			t.Parallel()
			env := []string{"REDIS_ADDR=" + addr, "API_ADDR=127.0.0.1:0", "NAMESPACE=chaos"}
			start := time.Now()
			p := startProc(t, c.bin, env, c.args...)
			err := p.Wait(t, limit+5*time.Second)
			took := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
				t.Errorf("%s: exit %v; want a non-zero exit status", c.bin, err)
			}
			if took > limit {
				t.Errorf("%s gave up after %v; want within %v", c.bin, took.Round(time.Millisecond), limit)
			}
			out := p.Output()
			if !strings.Contains(out, "error: redis at "+addr+" is "+want) {
				t.Errorf("%s said:\n%s\nwant a line \"error: redis at %s is %s...\"", c.bin, tail(out, 2048), addr, want)
			}
			t.Logf("%s: %v after %v", c.bin, err, took.Round(time.Millisecond))
		})
	}
}

// silentServer listens on a free port, accepts connections and never
// answers, until the test ends. It returns the address.
func silentServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestWorkerWaitsForRedis starts a worker with -wait-redis while Redis is
// down: it must keep waiting, then do its work once Redis is back on the
// same port.
func TestWorkerWaitsForRedis(t *testing.T) {
	const n = 200
	begin := time.Now()
	s := newSystem(t, redistest.WithAOF("always"))
	o := origintest.New(t, 0)
	s.run("producer", o.WriteList(t, n))
	s.redis.Stop(t)
	w := s.start("worker", nil, "-wait-redis", "-drain", "patient")
	waitfor.Cond(t, 10*time.Second, "the worker to say it waits", func() bool {
		return strings.Contains(w.Output(), "waiting for redis")
	})
	<-time.After(time.Second) // it must still be waiting a second later
	if w.Exited() {
		t.Fatalf("worker -wait-redis exited while Redis was down: %v\n%s", w.ExitErr(), w.Output())
	}
	s.redis.Restart(t)
	if err := w.Wait(t, 30*time.Second); err != nil {
		t.Fatalf("worker after Redis came back: %v\n%s", err, w.Output())
	}
	tl, _ := s.verify(n)
	report(t, "worker_-wait-redis", n, "Redis_down_at_worker_start", tl, time.Since(begin))
}
