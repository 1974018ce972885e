package worker

import (
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/queue"
)

func tk(id string) task { return task{job: queue.Job{ID: id}} }

func TestGateParksOnlyBehindHolders(t *testing.T) {
	g := newGate(10)
	if g.park("a", tk("1")) || g.queue("a", tk("1"), 1) {
		t.Fatal("parked behind a host nobody holds")
	}
	g.hold("a")
	g.next("a", time.Millisecond) // a quick check: room for parkFor/1ms jobs
	g.hold("a")
	if g.queue("a", tk("1"), 2) {
		t.Error("queued without asking Redis while a permit may be free (1 of 2 held, none parked)")
	}
	if !g.queue("a", tk("1"), 1) || !g.park("a", tk("2")) {
		t.Fatal("did not park behind the holder")
	}
	for _, want := range []string{"1", "2"} {
		got, ok := g.next("a", time.Millisecond)
		if !ok || got.job.ID != want {
			t.Fatalf("next = %q, %v; want %q (oldest first)", got.job.ID, ok, want)
		}
	}
	if _, ok := g.next("a", time.Millisecond); ok {
		t.Fatal("next with nothing parked gave a job")
	}
	if g.park("a", tk("3")) || len(g.hosts) != 0 || g.n != 0 {
		t.Errorf("after the holder left: parked %v, hosts %v, n %d; want nothing", g.park("a", tk("3")), g.hosts, g.n)
	}
}

func TestGateLastHolderTakesOrphans(t *testing.T) {
	g := newGate(10)
	g.hold("a")
	g.hold("a")
	g.park("a", tk("1"))
	g.park("a", tk("2"))
	if o := g.leave("a"); o != nil {
		t.Errorf("first of two holders left with %d jobs; want none, the other holder serves them", len(o))
	}
	if o := g.leave("a"); len(o) != 2 || g.n != 0 {
		t.Errorf("last holder left with %d jobs (gate counts %d); want 2 (0)", len(o), g.n)
	}
}

func TestGateQueueFollowsCheckTime(t *testing.T) {
	g := newGate(1000)
	g.hold("new")
	if !g.park("new", tk("x")) || g.park("new", tk("y")) {
		t.Error("a host of unknown check time: want one job parked per holder")
	}
	g.hold("slow")
	g.hold("fast")
	for range 3 { // nothing parked: next records the time and ends the hold
		g.next("slow", parkFor) // one check per parkFor: room for one job per holder
		g.hold("slow")
		g.next("fast", parkFor/100)
		g.hold("fast")
	}
	parked := func(host string) int {
		n := 0
		for g.park(host, tk("x")) {
			n++
		}
		return n
	}
	if n := parked("slow"); n != 1 {
		t.Errorf("slow host parked %d jobs; want 1, what its holder checks in %v", n, parkFor)
	}
	if n := parked("fast"); n < 50 {
		t.Errorf("fast host parked %d jobs; want about 100", n)
	}
	if b := g.backlog("slow"); b < parkFor {
		t.Errorf("slow host backlog %v; want at least one check, %v", b, parkFor)
	}
}

func TestGateIsBounded(t *testing.T) {
	g := newGate(3)
	g.hold("a")
	g.next("a", time.Microsecond)
	g.hold("a")
	n := 0
	for g.park("a", tk("x")) {
		n++
	}
	if n != 3 {
		t.Errorf("parked %d jobs in a gate of 3", n)
	}
}

func TestGateSpares(t *testing.T) {
	g := newGate(10)
	t0 := time.Now()
	g.keep("a", spare{idle: t0})
	g.keep("a", spare{idle: t0.Add(time.Second)})
	g.keep("b", spare{idle: t0})
	if s, ok := g.takeSpare("a"); !ok || !s.idle.Equal(t0.Add(time.Second)) {
		t.Errorf("takeSpare = %v, %v; want the newest spare of a", s.idle, ok)
	}
	if n := len(g.sweep(t0.Add(time.Millisecond), "")); n != 2 {
		t.Errorf("sweep of spares idle since %v released %d; want 2 (a's older and b's)", t0, n)
	}
	if _, ok := g.takeSpare("a"); ok || len(g.hosts) != 0 {
		t.Errorf("after the sweep: a spare is left, or hosts %v", g.hosts)
	}
	g.keep("c", spare{idle: t0})
	g.keep("d", spare{idle: t0})
	if n := len(g.sweep(time.Time{}, "c")); n != 1 {
		t.Errorf("sweep of host c released %d; want c's one spare", n)
	}
}
