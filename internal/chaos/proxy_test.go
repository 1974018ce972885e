package chaos

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
)

// TestNetworkBlips puts a proxy between the workers and Redis that drops a
// random live connection every 100 to 500 ms and now and then drops them
// all and refuses new ones for a moment. The run must still complete
// exactly once.
func TestNetworkBlips(t *testing.T) {
	long(t)
	const n = 10000
	begin := time.Now()
	s := newSystem(t)
	o := origintest.New(t, 20*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	p := newBlipProxy(t, s.redis.Addr())
	// 3 × 5 checks of 20 ms cap the run at 750 URLs/s: over ten seconds
	// of blips.
	env := []string{"REDIS_ADDR=" + p.addr(), "CONCURRENCY=5"}
	workers := make([]*proc, 3)
	for i := range workers {
		workers[i] = s.start("worker", env, fmt.Sprint("blip-", i))
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.blip(ctx) }()
	s.waitFinished(3 * time.Minute)
	stop()
	<-done
	for _, w := range workers {
		w.Stop(t, 30*time.Second)
	}
	tl, _ := s.verify(n)
	drops, refusals := p.drops.Load(), p.refusals.Load()
	report(t, "network_blips", n, fmt.Sprintf("%d_dropped_and_%d_refused_connections", drops, refusals), tl, time.Since(begin))
	st := s.stats()
	warnings := 0
	for _, w := range workers {
		warnings += strings.Count(w.Output(), "level=WARN")
	}
	t.Logf("reaped %d, stale %d; the workers logged %d warnings", st.Reaped, st.Stale, warnings)
	if drops < 10 {
		t.Errorf("only %d connections were dropped; the run was too short to prove anything", drops)
	}
}

// blipProxy forwards TCP connections to a target and breaks them on
// purpose. It is safe for concurrent use.
type blipProxy struct {
	ln     net.Listener
	target string

	mu       sync.Mutex
	pairs    map[*pair]struct{} // live connection pairs
	refusing bool               // new connections are reset at once

	drops, refusals atomic.Int64
}

// pair is one client connection and its connection to the target.
type pair struct {
	client, server net.Conn
	once           sync.Once
}

func (p *pair) close() {
	p.once.Do(func() {
		p.client.Close()
		p.server.Close()
	})
}

func newBlipProxy(tb testing.TB, target string) *blipProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &blipProxy{ln: ln, target: target, pairs: make(map[*pair]struct{})}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.serve(&wg) }()
	tb.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for pr := range p.pairs {
			pr.close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	return p
}

func (p *blipProxy) addr() string { return p.ln.Addr().String() }

// serve accepts connections until the listener is closed.
func (p *blipProxy) serve(wg *sync.WaitGroup) {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refusing := p.refusing
		p.mu.Unlock()
		if refusing {
			p.refusals.Add(1)
			reset(c)
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			reset(c)
			continue
		}
		pr := &pair{client: c, server: s}
		p.mu.Lock()
		p.pairs[pr] = struct{}{}
		p.mu.Unlock()
		wg.Add(2)
		go func() { defer wg.Done(); p.pipe(pr, s, c) }()
		go func() { defer wg.Done(); p.pipe(pr, c, s) }()
	}
}

// pipe copies src to dst until either side fails, then closes the pair.
func (p *blipProxy) pipe(pr *pair, dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	pr.close()
	p.mu.Lock()
	delete(p.pairs, pr)
	p.mu.Unlock()
}

// blip drops a random live connection pair every 100 to 500 ms, until
// ctx is done. One interval in eight is an outage instead: it drops every
// live pair and refuses new connections until the next interval.
func (p *blipProxy) blip(ctx context.Context) {
	for {
		t := time.NewTimer(100*time.Millisecond + rand.N(400*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			p.setRefusing(false)
			return
		case <-t.C:
		}
		outage := rand.IntN(8) == 0
		p.setRefusing(outage)
		if outage {
			p.dropAll()
		} else {
			p.dropOne()
		}
	}
}

func (p *blipProxy) setRefusing(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusing = on
}

// dropOne closes one live pair chosen at random, if there is one.
func (p *blipProxy) dropOne() {
	p.mu.Lock()
	var victim *pair
	i, k := 0, rand.IntN(max(len(p.pairs), 1))
	for pr := range p.pairs {
		if i == k {
			victim = pr
			break
		}
		i++
	}
	p.mu.Unlock()
	if victim != nil {
		p.drops.Add(1)
		victim.close()
	}
}

// dropAll closes every live pair.
func (p *blipProxy) dropAll() {
	p.mu.Lock()
	victims := make([]*pair, 0, len(p.pairs))
	for pr := range p.pairs {
		victims = append(victims, pr)
	}
	p.mu.Unlock()
	p.drops.Add(int64(len(victims)))
	for _, pr := range victims {
		pr.close()
	}
}

// reset closes c with a TCP reset rather than an orderly close.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}
