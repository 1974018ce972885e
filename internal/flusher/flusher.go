// Package flusher batches items in memory and writes them behind the
// producer of the items: every Size items or every Interval, whichever comes
// first. A failed write is kept and retried with backoff, never dropped.
package flusher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
)

// Config configures a Flusher. Zero values mean the documented default.
type Config[T any] struct {
	// Flush writes one batch of at most Size items. Required. It must be
	// safe to call again with the same items after it returned an error.
	Flush func(ctx context.Context, batch []T) error
	// Size is the number of items that triggers a flush, and the largest
	// batch; default 500.
	Size int
	// Interval is the longest an item waits; default 2s.
	Interval time.Duration
	// Retry spaces the attempts of a failed flush; default 100ms to 5s.
	Retry backoff.Policy
	// FinalTimeout bounds the last flushes after Run's context ends;
	// default 30s.
	FinalTimeout time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Flusher is safe for concurrent use.
type Flusher[T any] struct {
	cfg  Config[T]
	kick chan struct{} // a full batch is waiting
	now  chan struct{} // flush everything now

	mu  sync.Mutex
	buf []T // items not yet written, oldest first
}

// New returns a Flusher, or an error for a nonsense Config.
func New[T any](cfg Config[T]) (*Flusher[T], error) {
	if cfg.Flush == nil {
		return nil, errors.New("flusher: Flush is required")
	}
	if cfg.Size < 0 || cfg.Interval < 0 || cfg.FinalTimeout < 0 {
		return nil, fmt.Errorf("flusher: negative size %d, interval %v or final timeout %v",
			cfg.Size, cfg.Interval, cfg.FinalTimeout)
	}
	if cfg.Size == 0 {
		cfg.Size = 500
	}
	if cfg.Interval == 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.Retry == (backoff.Policy{}) {
		cfg.Retry = backoff.Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second}
	}
	if cfg.FinalTimeout == 0 {
		cfg.FinalTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Flusher[T]{cfg: cfg, kick: make(chan struct{}, 1), now: make(chan struct{}, 1)}, nil
}

// Add buffers items without blocking. A full batch wakes the writer.
func (f *Flusher[T]) Add(items ...T) {
	f.mu.Lock()
	f.buf = append(f.buf, items...)
	full := len(f.buf) >= f.cfg.Size
	f.mu.Unlock()
	if full {
		select {
		case f.kick <- struct{}{}:
		default:
		}
	}
}

// FlushNow asks for everything buffered to be written without waiting for
// the interval: an idle producer of items has nothing to batch them with.
func (f *Flusher[T]) FlushNow() {
	select {
	case f.now <- struct{}{}:
	default:
	}
}

// Len returns the number of items not yet written.
func (f *Flusher[T]) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.buf)
}

// Run writes batches until ctx ends, then writes what is left on a fresh
// context bounded by FinalTimeout. Stop whoever calls Add before ctx ends.
// It returns an error only if items were left unwritten.
func (f *Flusher[T]) Run(ctx context.Context) error {
	tick := time.NewTicker(f.cfg.Interval)
	defer tick.Stop()
	failures := 0
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			failures = f.flushAll(ctx, failures, false)
		case <-f.kick:
			failures = f.flushAll(ctx, failures, true)
		case <-f.now:
			failures = f.flushAll(ctx, failures, false)
		}
	}
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.cfg.FinalTimeout)
	defer cancel()
	failures = 0
	for f.Len() > 0 && final.Err() == nil {
		failures = f.flushAll(final, failures, false)
	}
	if n := f.Len(); n > 0 {
		return fmt.Errorf("flusher: %d items not written before the final timeout", n)
	}
	return nil
}

// flushAll writes batches until the buffer is empty (or, with fullOnly,
// until less than a full batch is left). After a failure it waits the
// backoff, so a caller looping on it does not spin. It returns the number
// of consecutive failures.
func (f *Flusher[T]) flushAll(ctx context.Context, failures int, fullOnly bool) int {
	for {
		batch := f.take(fullOnly)
		if len(batch) == 0 {
			return failures
		}
		if err := f.cfg.Flush(ctx, batch); err != nil {
			f.putBack(batch)
			failures++
			d := f.cfg.Retry.Delay(failures, nil)
			f.cfg.Logger.Warn("flush failed; will retry", "items", len(batch), "retry_in", d, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
			return failures
		}
		failures = 0
	}
}

func (f *Flusher[T]) take(fullOnly bool) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(len(f.buf), f.cfg.Size)
	if n == 0 || (fullOnly && n < f.cfg.Size) {
		return nil
	}
	batch := make([]T, n)
	copy(batch, f.buf)
	f.buf = f.buf[n:]
	if len(f.buf) == 0 {
		f.buf = nil
	}
	return batch
}

// putBack returns a failed batch to the front, keeping the order.
func (f *Flusher[T]) putBack(batch []T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf = append(batch, f.buf...)
}
