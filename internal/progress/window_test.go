package progress

import (
	"math"
	"testing"
	"time"
)

type point struct {
	run   string
	at    time.Duration // since t0
	count int64
}

func TestWindowRate(t *testing.T) {
	s := time.Second
	tests := []struct {
		name   string
		span   time.Duration
		points []point
		want   float64
		wantOK bool
	}{
		{"no samples", 10 * s, nil, 0, false},
		{"one sample", 10 * s, []point{{"a", 0, 5}}, 0, false},
		{"samples too close", 10 * s, []point{{"a", 0, 0}, {"a", 500 * time.Millisecond, 100}}, 0, false},
		{"steady", 10 * s, []point{{"a", 0, 0}, {"a", s, 50}, {"a", 2 * s, 100}}, 50, true},
		{"idle is zero, not unknown", 10 * s, []point{{"a", 0, 7}, {"a", 2 * s, 7}}, 0, true},
		{"old samples slide out", 10 * s, []point{
			{"a", 0, 0}, {"a", 10 * s, 1000}, {"a", 20 * s, 1100}, {"a", 30 * s, 1200},
		}, 10, true},
		{"keeps the sample at the window start", 10 * s, []point{
			{"a", 0, 0}, {"a", 5 * s, 100}, {"a", 12 * s, 240},
		}, 20, true},
		{"new run starts afresh", 10 * s, []point{{"a", 0, 0}, {"a", 5 * s, 500}, {"b", 6 * s, 0}}, 0, false},
		{"count going down starts afresh", 10 * s, []point{{"a", 0, 0}, {"a", 5 * s, 500}, {"a", 6 * s, 3}, {"a", 8 * s, 13}}, 5, true},
		{"out of order sample ignored", 10 * s, []point{{"a", 0, 0}, {"a", 4 * s, 40}, {"a", 2 * s, 999}}, 10, true},
		{"zero span means default", 0, []point{{"a", 0, 0}, {"a", 500 * time.Millisecond, 10}}, 0, false},
	}
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindow(tt.span)
			for _, p := range tt.points {
				w.Add(p.run, t0.Add(p.at), p.count)
			}
			got, ok := w.Rate()
			if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestETA(t *testing.T) {
	tests := []struct {
		name      string
		remaining int64
		rate      float64
		known     bool
		want      time.Duration
		wantOK    bool
	}{
		{"nothing left", 0, 0, false, 0, true},
		{"unknown rate", 10, 5, false, 0, false},
		{"stalled", 10, 0, true, 0, false},
		{"steady", 750, 50, true, 15 * time.Second, true},
		{"fractional", 1, 4, true, 250 * time.Millisecond, true},
		{"absurdly slow", 1 << 40, 1e-9, true, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ETA(tt.remaining, tt.rate, tt.known)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
