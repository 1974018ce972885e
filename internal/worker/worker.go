// Package worker runs url-checker's worker: it claims jobs, checks their
// URLs concurrently and commits the outcomes in batches, while a heartbeat
// keeps its jobs leased and a reaper recovers the jobs of dead workers.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
	"github.com/urlcheck/url-checker/internal/cache"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/flusher"
	"github.com/urlcheck/url-checker/internal/histo"
	"github.com/urlcheck/url-checker/internal/hostlimit"
	"github.com/urlcheck/url-checker/internal/queue"
)

// Prober checks one URL.
type Prober interface {
	Check(ctx context.Context, url string) check.Result
}

// Config configures a Worker. Zero values mean the documented default,
// except MaxRetries, which is used as given.
type Config struct {
	// Name identifies the worker in results and heartbeats. Required.
	Name string
	// Concurrency is the number of checks in flight; default 64.
	Concurrency int
	// ClaimBatch is the most jobs one claim takes; default 100.
	ClaimBatch int
	// BatchSize and FlushInterval drive the write-behind of outcomes;
	// defaults 500 and 2s.
	BatchSize     int
	FlushInterval time.Duration
	// MaxRetries is how often a transient failure is retried.
	MaxRetries int
	// RetryBackoff spaces retries; default 1s doubling up to 60s.
	RetryBackoff backoff.Policy
	// IdleWait is how long an idle worker blocks waiting for work;
	// default 1s.
	IdleWait time.Duration
	// Drain makes Run return once no work is left anywhere in the run.
	Drain bool
	// Cache serves repeated URLs; nil checks every URL at the origin.
	Cache *cache.Cache
	// Limiter enforces per-host limits across the fleet; nil for none.
	Limiter *hostlimit.Limiter
	// MaxRetryAfter caps the pause a Retry-After header can ask for;
	// default 60s.
	MaxRetryAfter time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if c.Name == "" {
		return errors.New("worker: Name is required")
	}
	if c.Concurrency < 0 || c.ClaimBatch < 0 || c.BatchSize < 0 || c.MaxRetries < 0 ||
		c.FlushInterval < 0 || c.IdleWait < 0 {
		return fmt.Errorf("worker: negative setting in %+v", *c)
	}
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Concurrency, 64)
	def(&c.ClaimBatch, 100)
	def(&c.BatchSize, 500)
	if c.FlushInterval == 0 {
		c.FlushInterval = 2 * time.Second
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = time.Minute
	}
	if c.IdleWait == 0 {
		c.IdleWait = time.Second
	}
	if c.RetryBackoff == (backoff.Policy{}) {
		c.RetryBackoff = backoff.Policy{Base: time.Second, Max: time.Minute}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Worker is one worker process's engine. Run it once.
type Worker struct {
	q     *queue.Queue
	probe Prober
	cfg   Config
	log   *slog.Logger

	owned   *owned
	gate    *gate
	flush   *flusher.Flusher[queue.Outcome]
	busy    atomic.Int64  // jobs handed to checkers and not yet finished
	room    chan struct{} // signalled when busy or owned shrinks
	checked atomic.Int64
	latency *histo.Set // check step latency by source, merged into the run on commit
}

// New returns a worker that takes jobs from q and checks them with probe.
func New(q *queue.Queue, probe Prober, cfg Config) (*Worker, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	w := &Worker{q: q, probe: probe, cfg: cfg, log: cfg.Logger.With("worker", cfg.Name),
		owned: newOwned(), gate: newGate(2 * cfg.Concurrency), room: make(chan struct{}, 1),
		latency: histo.NewSet(cache.SourceL1, cache.SourceL2, cache.SourceOrigin)}
	f, err := flusher.New(flusher.Config[queue.Outcome]{
		Flush: w.commit, Size: cfg.BatchSize, Interval: cfg.FlushInterval, Logger: w.log,
	})
	if err != nil {
		return nil, err
	}
	w.flush = f
	return w, nil
}

// Checked returns the number of outcomes produced so far.
func (w *Worker) Checked() int64 { return w.checked.Load() }

// Run works until ctx ends (or, with Drain, until no work is left), then
// finishes the checks in flight, commits every outcome and returns.
func (w *Worker) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var bgWG sync.WaitGroup
	bgWG.Add(2)
	go func() { defer bgWG.Done(); w.heartbeat(bg) }()
	go func() { defer bgWG.Done(); w.reaper(bg) }()
	if w.cfg.Limiter != nil {
		bgWG.Add(1)
		go func() { defer bgWG.Done(); w.sweepSpares(bg) }()
	}

	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	flushErr := make(chan error, 1)
	go func() { flushErr <- w.flush.Run(flushCtx) }()

	todo := make(chan task, w.cfg.Concurrency)
	var checkers sync.WaitGroup
	for range w.cfg.Concurrency {
		checkers.Add(1)
		go func() { defer checkers.Done(); w.checkLoop(context.WithoutCancel(ctx), todo) }()
	}
	err := w.claimLoop(ctx, todo)
	close(todo)
	checkers.Wait()
	stopFlush()
	ferr := <-flushErr
	stopBG()
	bgWG.Wait()
	w.log.Info("worker stopped", "checked", w.checked.Load(), "unflushed", w.flush.Len())
	return errors.Join(err, ferr)
}

func (w *Worker) signalRoom() {
	select {
	case w.room <- struct{}{}:
	default:
	}
}

// commit is the flusher's write: one script call per batch.
func (w *Worker) commit(ctx context.Context, batch []queue.Outcome) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d := w.takeDeltas()
	_, stale, err := w.q.Commit(ctx, batch, d)
	if err != nil {
		w.putBackDeltas(d)
		return err
	}
	if stale > 0 {
		w.log.Warn("outcomes of jobs this worker no longer owns were dropped", "stale", stale)
	}
	w.owned.release(batch)
	w.signalRoom()
	return nil
}

// takeDeltas collects the cache and latency counts to add to the run with
// the next commit.
func (w *Worker) takeDeltas() queue.Deltas {
	d := queue.Deltas{Latency: w.latency.Take()}
	if w.cfg.Cache != nil {
		d.Stats = w.cfg.Cache.TakeCounts()
	}
	return d
}

func (w *Worker) putBackDeltas(d queue.Deltas) {
	w.latency.Add(d.Latency)
	if w.cfg.Cache != nil {
		w.cfg.Cache.AddCounts(d.Stats)
	}
}

// jitter spreads d by ±20%, so workers started together do not beat in step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
