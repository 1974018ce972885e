// Package progress turns queue snapshots into what people watch: progress,
// throughput over a sliding window, an ETA, the cache hit rate and latency
// percentiles. The monitor prints a Report and the HTTP API serves it.
package progress

import (
	"sync"
	"time"
)

// DefaultSpan is the Window span used when none is given.
const DefaultSpan = 10 * time.Second

// Window estimates throughput from samples of a growing count (results
// done) over a sliding window of time. It is safe for concurrent use.
//
// The rate is the count gained between the oldest and the newest sample in
// the window, divided by the time between them. It is unknown until the
// samples span a tenth of the window, so two samples a millisecond apart
// do not produce nonsense. A new run, or a count that went down, starts the
// window afresh.
type Window struct {
	span time.Duration

	mu      sync.Mutex // guards run and samples
	run     string
	samples []sample // oldest first, times increasing
}

type sample struct {
	t     time.Time
	count int64
}

// NewWindow returns a Window over span; zero means DefaultSpan.
func NewWindow(span time.Duration) *Window {
	if span <= 0 {
		span = DefaultSpan
	}
	return &Window{span: span}
}

// Add records count at time t for run. Samples no later than the newest
// one are ignored, so concurrent callers may add in any order.
func (w *Window) Add(run string, t time.Time, count int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if run != w.run || (len(w.samples) > 0 && count < w.samples[len(w.samples)-1].count) {
		w.run, w.samples = run, w.samples[:0]
	}
	if n := len(w.samples); n > 0 && !t.After(w.samples[n-1].t) {
		return
	}
	w.samples = append(w.samples, sample{t, count})
	// Keep one sample at or before the window's start, so the window
	// covers the whole span once it has the history.
	start := t.Add(-w.span)
	drop := 0
	for drop+1 < len(w.samples) && !w.samples[drop+1].t.After(start) {
		drop++
	}
	w.samples = append(w.samples[:0], w.samples[drop:]...)
}

// Rate returns the throughput in counts per second, and false when it is
// not known yet.
func (w *Window) Rate() (float64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.samples) < 2 {
		return 0, false
	}
	first, last := w.samples[0], w.samples[len(w.samples)-1]
	dt := last.t.Sub(first.t)
	if dt < w.span/10 {
		return 0, false
	}
	return float64(last.count-first.count) / dt.Seconds(), true
}

// ETA returns how long remaining counts take at rate per second, and false
// when that is unknown: the rate is unknown, or nothing moves while work
// remains.
func ETA(remaining int64, rate float64, known bool) (time.Duration, bool) {
	switch {
	case remaining <= 0:
		return 0, true
	case !known || rate <= 0:
		return 0, false
	}
	secs := float64(remaining) / rate
	if secs > float64(100*365*24*3600) {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}
