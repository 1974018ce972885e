package worker

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/urlcheck/url-checker/internal/hostlimit"
)

// parkFor is about the longest a job waits in the gate: a host's queue is
// kept to what its holders check in that time, so that a slow host's jobs
// go to the delayed set instead of filling the worker with jobs it cannot
// start, while other hosts' jobs wait to be claimed.
const parkFor = 200 * time.Millisecond

// gate parks the jobs of a host at its limit behind this worker's own
// requests to that host, so that a permit is handed from one check to the
// next without a Redis round trip. Without it a busy host's jobs would go
// round the delayed set, at two round trips each, many times over: the
// limit of a single host would cost more than its checks.
//
// A parked job holds no checker: it waits in the gate until a checker
// holding a permit for its host takes it. There is always such a holder:
// park refuses a host with none, and the last holder to leave takes the
// jobs still parked.
type gate struct {
	mu    sync.Mutex
	max   int // parked jobs, all hosts together
	n     int
	hosts map[string]*gateHost
	// checks holds a moving average of each host's check duration; it
	// outlives the host's holds, and is bounded since hosts are many.
	checks *lru.Cache[string, time.Duration]
}

// gateHost is one host's queue, holders and spare permits.
type gateHost struct {
	parked []task
	active int // checkers holding a permit
	spares []spare
}

// spare is a permit kept for a moment after its check, so that the next
// job of the host, which often comes within milliseconds, needs no round
// trip to acquire one, nor its predecessor one to release it.
type spare struct {
	p     hostlimit.Permit
	since time.Time // when the permit was acquired
	idle  time.Time // when it was kept
}

// gateHosts is how many hosts' check durations a gate remembers.
const gateHosts = 4096

func newGate(max int) *gate {
	checks, _ := lru.New[string, time.Duration](gateHosts) // only a size <= 0 fails
	return &gate{max: max, hosts: map[string]*gateHost{}, checks: checks}
}

func (g *gate) host(name string) *gateHost {
	h := g.hosts[name]
	if h == nil {
		h = &gateHost{}
		g.hosts[name] = h
	}
	return h
}

// forget drops a host with nothing parked, no holder and no spare.
func (g *gate) forget(name string, h *gateHost) {
	if h.active <= 0 && len(h.parked) == 0 && len(h.spares) == 0 {
		delete(g.hosts, name)
	}
}

// hold records a checker that got a permit for host.
func (g *gate) hold(host string) {
	g.mu.Lock()
	g.host(host).active++
	g.mu.Unlock()
}

// park queues t behind host's holders. It refuses when no checker holds a
// permit for host or the host's queue is full.
func (g *gate) park(host string, t task) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[host]
	if h == nil || h.active == 0 || g.full(host, h) {
		return false
	}
	g.push(h, t)
	return true
}

// queue parks t without asking Redis when this worker alone holds limit
// permits for host, or jobs are parked there already: no permit would be
// granted, and the failed ask would cost a round trip per job.
func (g *gate) queue(host string, t task, limit int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[host]
	if h == nil || g.full(host, h) || (h.active < limit && len(h.parked) == 0) {
		return false
	}
	g.push(h, t)
	return true
}

func (g *gate) push(h *gateHost, t task) {
	h.parked = append(h.parked, t)
	g.n++
}

// full reports whether h's queue holds what its holders check in parkFor
// (at least one job per holder; only that until a check's time is known),
// or the gate is full.
func (g *gate) full(host string, h *gateHost) bool {
	if g.n >= g.max {
		return true
	}
	room := h.active
	if d, ok := g.checks.Peek(host); ok && d > 0 {
		room = max(room, int(int64(h.active)*int64(parkFor)/int64(d)))
	}
	return len(h.parked) >= room
}

// next gives a holder of host's permit the job parked longest, and records
// how long the holder's last check took. When no job is parked, the caller
// stops holding.
func (g *gate) next(host string, took time.Duration) (task, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d, ok := g.checks.Peek(host); ok {
		took = d + (took-d)/8
	}
	g.checks.Add(host, took)
	h := g.host(host)
	if len(h.parked) == 0 {
		h.active--
		g.forget(host, h)
		return task{}, false
	}
	t := h.parked[0]
	h.parked[0] = task{}
	h.parked = h.parked[1:]
	g.n--
	return t, true
}

// leave makes a holder stop holding without a permit to pass on. The last
// holder gets the jobs still parked, to defer them.
func (g *gate) leave(host string) []task {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.host(host)
	h.active--
	if h.active > 0 {
		return nil
	}
	orphans := h.parked
	h.parked = nil
	g.n -= len(orphans)
	g.forget(host, h)
	return orphans
}

// backlog estimates how long the jobs parked behind host will take, which
// is about when a job turned away now could start.
func (g *gate) backlog(host string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[host]
	d, _ := g.checks.Peek(host)
	if h == nil || h.active == 0 {
		return 0
	}
	return time.Duration(len(h.parked)/h.active+1) * d
}

// keep stores a permit whose check is over as a spare of host.
func (g *gate) keep(host string, s spare) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.host(host)
	h.spares = append(h.spares, s)
}

// takeSpare returns host's most recently kept spare, if any.
func (g *gate) takeSpare(host string) (spare, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hosts[host]
	if h == nil || len(h.spares) == 0 {
		return spare{}, false
	}
	s := h.spares[len(h.spares)-1]
	h.spares = h.spares[:len(h.spares)-1]
	g.forget(host, h)
	return s, true
}

// sweep removes and returns the spares kept before idleSince, and all of
// host's if host is not "", for the caller to release.
func (g *gate) sweep(idleSince time.Time, host string) []hostlimit.Permit {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []hostlimit.Permit
	for name, h := range g.hosts {
		kept := h.spares[:0]
		for _, s := range h.spares {
			if name == host || s.idle.Before(idleSince) {
				out = append(out, s.p)
			} else {
				kept = append(kept, s)
			}
		}
		clear(h.spares[len(kept):])
		h.spares = kept
		g.forget(name, h)
	}
	return out
}

// pace is how often a slot of host frees up, as this worker has seen it:
// a check's usual duration divided by the host's limit; 0 when unknown.
func (g *gate) pace(host string, limit int) time.Duration {
	d, ok := g.checks.Peek(host)
	if !ok || limit <= 0 {
		return 0
	}
	return d / time.Duration(limit)
}
