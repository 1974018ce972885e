package backoff

import (
	"testing"
	"time"
)

func fixed(f float64) func() float64 { return func() float64 { return f } }

func TestDelay(t *testing.T) {
	p := Policy{Base: time.Second, Max: time.Minute}
	tests := []struct {
		attempt  int
		min, max time.Duration // bounds over rnd in [0, 1]
	}{
		{-1, 500 * time.Millisecond, time.Second},
		{0, 500 * time.Millisecond, time.Second},
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{6, 16 * time.Second, 32 * time.Second},
		{7, 30 * time.Second, time.Minute},
		{8, 30 * time.Second, time.Minute},
		{10, 30 * time.Second, time.Minute},
		{100, 30 * time.Second, time.Minute},
		{1 << 62, 30 * time.Second, time.Minute},
	}
	for _, tt := range tests {
		if got := p.Delay(tt.attempt, fixed(0)); got != tt.min {
			t.Errorf("Delay(%d, 0) = %v; want %v", tt.attempt, got, tt.min)
		}
		if got := p.Delay(tt.attempt, fixed(1)); got != tt.max {
			t.Errorf("Delay(%d, 1) = %v; want %v", tt.attempt, got, tt.max)
		}
		for range 100 {
			if got := p.Delay(tt.attempt, nil); got < tt.min || got > tt.max {
				t.Errorf("Delay(%d, nil) = %v; want in [%v, %v]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestDelayPolicies(t *testing.T) {
	tests := []struct {
		name    string
		p       Policy
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{"zero policy uses defaults", Policy{}, 1, 1, DefaultBase},
		{"zero policy caps at default max", Policy{}, 100, 1, DefaultMax},
		{"negative fields use defaults", Policy{Base: -1, Max: -1}, 1, 1, DefaultBase},
		{"max below base wins", Policy{Base: time.Second, Max: 100 * time.Millisecond}, 1, 1, 100 * time.Millisecond},
		{"huge base does not overflow", Policy{Base: 1 << 62, Max: 1<<63 - 1}, 100, 1, 1<<63 - 1},
		{"rnd above 1 is clamped", Policy{}, 1, 7, DefaultBase},
		{"rnd below 0 is clamped", Policy{}, 1, -7, DefaultBase / 2},
		{"midpoint", Policy{Base: 100 * time.Millisecond}, 2, 0.5, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.Delay(tt.attempt, fixed(tt.rnd))
			if got != tt.want {
				t.Errorf("%+v.Delay(%d, %v) = %v; want %v", tt.p, tt.attempt, tt.rnd, got, tt.want)
			}
			if got < 0 {
				t.Errorf("Delay = %v; want non-negative", got)
			}
		})
	}
}
