package histo

import (
	"maps"
	"sync"
	"testing"
	"time"
)

func TestSetConcurrentObserve(t *testing.T) {
	s := NewSet("l1", "l2", "origin")
	const goroutines, each = 8, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				s.Observe("l1", time.Duration(g*each+i)*time.Microsecond)
				s.Observe("origin", 40*time.Millisecond)
			}
		})
	}
	wg.Wait()
	got := SummarizeBySource(s.Take())
	if got["l1"].Count != goroutines*each {
		t.Errorf("l1 count: got %d; want %d", got["l1"].Count, goroutines*each)
	}
	if got["origin"].Count != goroutines*each {
		t.Errorf("origin count: got %d; want %d", got["origin"].Count, goroutines*each)
	}
	if _, ok := got["l2"]; ok {
		t.Errorf("l2: got %+v; want no entry for a source without observations", got["l2"])
	}
}

func TestSetTakeAddRoundTrip(t *testing.T) {
	s := NewSet("l1", "origin", "l1")
	s.Observe("l1", 900*time.Nanosecond)
	s.Observe("origin", 3*time.Millisecond)
	s.Observe("origin", 3*time.Millisecond)
	s.Observe("unknown", time.Second)
	first := s.Take()
	want := map[string]int64{"l1:0.001": 1, "origin:3.2": 2}
	if !maps.Equal(first, want) {
		t.Fatalf("Take: got %v; want %v", first, want)
	}
	if got := s.Take(); len(got) != 0 {
		t.Errorf("second Take: got %v; want empty map", got)
	}
	s.Add(first)
	s.Add(map[string]int64{"unknown:0.001": 1, "l1:bogus": 1, "nocolon": 1})
	if got := s.Take(); !maps.Equal(got, want) {
		t.Errorf("Take after Add: got %v; want %v", got, want)
	}
}

func TestSummarizeBySource(t *testing.T) {
	counts := map[string]int64{
		"l1:0.001":   10,
		"origin:100": 3,
		"origin:125": 1,
		"nocolon":    7,
	}
	got := SummarizeBySource(counts)
	if len(got) != 2 {
		t.Fatalf("sources: got %v; want l1 and origin", got)
	}
	if got["l1"].Count != 10 || got["l1"].Max != 0.001 {
		t.Errorf("l1: got %+v; want Count 10, Max 0.001", got["l1"])
	}
	if got["origin"].Count != 4 || got["origin"].Max != 125 {
		t.Errorf("origin: got %+v; want Count 4, Max 125", got["origin"])
	}
}

func TestSetObserveDoesNotAllocate(t *testing.T) {
	s := NewSet("l1", "l2", "origin")
	if n := testing.AllocsPerRun(1000, func() { s.Observe("origin", 12*time.Millisecond) }); n != 0 {
		t.Errorf("Observe allocations: got %v; want 0", n)
	}
}

func BenchmarkSetObserve(b *testing.B) {
	s := NewSet("l1", "l2", "origin")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Observe("origin", 12*time.Millisecond)
		}
	})
}
