package flusher

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
)

// sink records the batches a flusher writes; it fails the first fail calls.
type sink struct {
	mu      sync.Mutex
	batches [][]int
	fail    int
}

func (s *sink) flush(_ context.Context, b []int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("redis is down")
	}
	s.batches = append(s.batches, slices.Clone(b))
	return nil
}

func (s *sink) items() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Concat(s.batches...)
}

func start(t *testing.T, s *sink, cfg Config[int]) (*Flusher[int], func() error) {
	t.Helper()
	cfg.Flush = s.flush
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	return f, func() error { cancel(); return <-done }
}

func TestFlushesAFullBatchAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sink{}
		f, stop := start(t, s, Config[int]{Size: 3, Interval: time.Hour})
		f.Add(1, 2)
		synctest.Wait()
		if got := s.items(); len(got) != 0 {
			t.Fatalf("flushed %v before the batch was full", got)
		}
		f.Add(3, 4)
		synctest.Wait()
		if got := s.batches; len(got) != 1 || !slices.Equal(got[0], []int{1, 2, 3}) {
			t.Errorf("batches = %v; want [[1 2 3]]", got)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if got := s.items(); !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Errorf("after stop: %v; want the last item flushed too", got)
		}
	})
}

func TestFlushesOnTheInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sink{}
		f, stop := start(t, s, Config[int]{Size: 500, Interval: 2 * time.Second})
		f.Add(7)
		<-time.After(1999 * time.Millisecond) // the bubble's fake clock
		synctest.Wait()
		if n := len(s.items()); n != 0 {
			t.Fatalf("flushed before the interval")
		}
		<-time.After(time.Millisecond)
		synctest.Wait()
		if got := s.items(); !slices.Equal(got, []int{7}) {
			t.Errorf("after the interval: %v; want [7]", got)
		}
		_ = stop()
	})
}

func TestFailedFlushIsRetriedNotDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sink{fail: 3}
		f, stop := start(t, s, Config[int]{Size: 2, Interval: time.Second,
			Retry: backoff.Policy{Base: 100 * time.Millisecond, Max: time.Second}})
		f.Add(1, 2, 3)
		f.Add(4)
		<-time.After(10 * time.Second)
		synctest.Wait()
		if got := s.items(); !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Errorf("flushed %v; want every item once, in order", got)
		}
		if f.Len() != 0 {
			t.Errorf("%d items left", f.Len())
		}
		_ = stop()
	})
}

func TestShutdownGivesUpAfterFinalTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &sink{fail: 1 << 30}
		f, stop := start(t, s, Config[int]{FinalTimeout: 5 * time.Second})
		f.Add(1, 2, 3)
		err := stop()
		if err == nil || !strings.Contains(err.Error(), "3 items not written") {
			t.Errorf("err = %v; want 3 items not written", err)
		}
	})
}

func TestNewRejectsNonsense(t *testing.T) {
	for _, cfg := range []Config[int]{{}, {Flush: (&sink{}).flush, Size: -1}, {Flush: (&sink{}).flush, Interval: -time.Second}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
}
