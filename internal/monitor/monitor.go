// Package monitor watches a run and prints its progress: a status line
// redrawn in place on a terminal, one plain line per interval elsewhere, or
// one JSON object per interval. It rides out Redis outages: it says so on
// the line and carries on once Redis answers again.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
)

// Source reads snapshots of a run. *queue.Queue and *queue.Lazy are
// Sources.
type Source interface {
	Stats(ctx context.Context) (queue.Stats, error)
}

var (
	_ Source = (*queue.Queue)(nil)
	_ Source = (*queue.Lazy)(nil)
)

// Mode says how the monitor writes.
type Mode int

const (
	Plain    Mode = iota // one line per interval
	Terminal             // a block redrawn in place, with a progress bar
	JSON                 // one progress.Report (or {"error":...}) per line
)

// Config configures a Monitor. Zero values mean the documented default.
type Config struct {
	// Namespace is named when there is no run; default "urlcheck".
	Namespace string
	// Interval is the time between snapshots; default 1s.
	Interval time.Duration
	// Window is the span of the sliding rate window; default 10s.
	Window time.Duration
	// Lease decides which workers count as alive; default 30s.
	Lease time.Duration
	// Timeout bounds one snapshot read; default 1s. A snapshot is a few
	// small reads: taking longer means Redis is in trouble.
	Timeout time.Duration
	// Mode is how to write; default Plain.
	Mode Mode
	// Once prints one snapshot and returns; an unreachable Redis is then
	// an error.
	Once bool
	// UntilDone returns nil as soon as the run is finished.
	UntilDone bool
}

// ErrInterrupted is returned by an UntilDone monitor stopped before the run
// finished.
var ErrInterrupted = errors.New("stopped before the run finished")

// Monitor prints a run's progress. It is not safe for concurrent use.
type Monitor struct {
	src Source
	cfg Config
	win *progress.Window
	scr screen
}

// New returns a Monitor that reads from src and writes to out.
func New(src Source, out io.Writer, cfg Config) (*Monitor, error) {
	if cfg.Interval < 0 || cfg.Window < 0 || cfg.Lease < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("monitor: negative duration in %+v", cfg)
	}
	if cfg.Once && cfg.UntilDone {
		return nil, errors.New("monitor: Once and UntilDone exclude each other")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "urlcheck"
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Lease == 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	m := &Monitor{src: src, cfg: cfg, win: progress.NewWindow(cfg.Window)}
	switch cfg.Mode {
	case Plain:
		m.scr = &plainScreen{w: out}
	case Terminal:
		m.scr = &termScreen{w: out}
	case JSON:
		m.scr = &jsonScreen{w: out}
	default:
		return nil, fmt.Errorf("monitor: unknown mode %d", cfg.Mode)
	}
	return m, nil
}

// Run prints a snapshot every interval until ctx is done (it then returns
// nil, or ErrInterrupted with UntilDone), the run is finished (with
// UntilDone) or one snapshot was printed (with Once). Failing to write is
// an error; failing to read Redis is shown and retried, except with Once.
func (m *Monitor) Run(ctx context.Context) (err error) {
	defer func() { err = errors.Join(err, m.scr.close()) }()
	tick := time.NewTicker(m.cfg.Interval)
	defer tick.Stop()
	for {
		finished, err := m.step(ctx)
		switch {
		case err != nil:
			return err
		case m.cfg.Once || (m.cfg.UntilDone && finished):
			return nil
		}
		select {
		case <-ctx.Done():
			if m.cfg.UntilDone {
				return ErrInterrupted
			}
			return nil
		case <-tick.C:
		}
	}
}

// step reads and shows one snapshot, and reports whether the run is
// finished.
func (m *Monitor) step(ctx context.Context) (bool, error) {
	rctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	st, err := m.src.Stats(rctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %v", m.cfg.Timeout)
		}
		if m.cfg.Once {
			return false, fmt.Errorf("redis unreachable: %w", err)
		}
		return false, m.scr.unreachable(err)
	}
	m.win.Add(st.RunID, st.Now, st.Done)
	rate, known := m.win.Rate()
	r := progress.NewReport(st, rate, known, m.cfg.Lease)
	if r.RunID == "" && r.Total == 0 {
		return false, m.scr.noRun(r, m.cfg.Namespace)
	}
	return r.Finished, m.scr.report(r)
}
