// Package producer reads a URL list, validates every line and enqueues the
// good ones as jobs in pipelined batches, streaming, so a list of any size
// takes bounded memory.
package producer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/urlcheck/url-checker/internal/queue"
)

// Config configures a Produce call. Zero values mean the default.
type Config struct {
	// Batch is the number of URLs per enqueue script; default 1000.
	Batch int
	// Parallel is the number of batches in flight; default 4.
	Parallel int
	// Strict enqueues nothing if any line is bad.
	Strict bool
	// Exclude skips the URLs that match any of these, counting them.
	Exclude []*regexp.Regexp
	// Report receives one line per rejected line, the first MaxReport of
	// them, then a count; default os.Stderr and 20.
	Report    io.Writer
	MaxReport int
}

// Summary is what a Produce call did.
type Summary struct {
	Accepted, Rejected, Excluded int64
	Elapsed                      time.Duration
}

// Rate is accepted URLs per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Accepted) / s.Elapsed.Seconds()
}

// ErrRejected is returned in strict mode when a line was bad.
var ErrRejected = errors.New("rejected lines in strict mode; nothing was enqueued")

// Produce enqueues the URLs of r (named name in messages) on q.
func Produce(ctx context.Context, q *queue.Queue, r io.Reader, name string, cfg Config) (Summary, error) {
	cfg.setDefaults()
	start := time.Now()
	if cfg.Strict {
		return produceStrict(ctx, q, r, name, cfg, start)
	}
	var rejected, excluded int64
	accepted, err := enqueueAll(ctx, q, cfg, func(emit func(string) error) error {
		var err error
		rejected, err = scan(newLineReader(r, name), cfg, excluding(cfg.Exclude, &excluded, emit))
		return err
	})
	return Summary{Accepted: accepted, Rejected: rejected, Excluded: excluded, Elapsed: time.Since(start)}, err
}

func (c *Config) setDefaults() {
	if c.Batch <= 0 {
		c.Batch = 1000
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	if c.Report == nil {
		c.Report = os.Stderr
	}
	if c.MaxReport <= 0 {
		c.MaxReport = 20
	}
}

// excluding wraps emit to skip, and count, the URLs an exclusion matches.
func excluding(res []*regexp.Regexp, n *int64, emit func(string) error) func(string) error {
	if len(res) == 0 {
		return emit
	}
	return func(u string) error {
		for _, re := range res {
			if re.MatchString(u) {
				*n++
				return nil
			}
		}
		return emit(u)
	}
}

// scan feeds every good URL to emit and reports bad lines.
func scan(lr *lineReader, cfg Config, emit func(string) error) (rejected int64, err error) {
	defer func() {
		if over := rejected - int64(cfg.MaxReport); over > 0 {
			fmt.Fprintf(cfg.Report, "... and %d more rejected lines\n", over)
		}
	}()
	for {
		u, err := lr.next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			return rejected, nil
		case errors.As(err, &le):
			rejected++
			if rejected <= int64(cfg.MaxReport) {
				fmt.Fprintln(cfg.Report, le)
			}
		case err != nil:
			return rejected, err
		default:
			if err := emit(u); err != nil {
				return rejected, err
			}
		}
	}
}

// produceStrict validates the whole list first, keeping the good URLs in a
// temporary file (the input may be a pipe), and enqueues only if all passed.
func produceStrict(ctx context.Context, q *queue.Queue, r io.Reader, name string, cfg Config, start time.Time) (Summary, error) {
	tmp, err := os.CreateTemp("", "urlcheck-strict-*")
	if err != nil {
		return Summary{}, fmt.Errorf("strict mode spool: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriter(tmp)
	rejected, err := scan(newLineReader(r, name), cfg, func(u string) error {
		_, err := w.WriteString(u + "\n")
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil || rejected > 0 {
		return Summary{Rejected: rejected, Elapsed: time.Since(start)}, errors.Join(err, rejectedErr(rejected))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Summary{}, fmt.Errorf("strict mode spool: %w", err)
	}
	cfg.Strict = false
	sum, err := Produce(ctx, q, tmp, name, cfg)
	sum.Elapsed = time.Since(start)
	return sum, err
}

func rejectedErr(n int64) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d %w", n, ErrRejected)
}

// enqueueAll batches the URLs that feed emits and enqueues the batches
// with cfg.Parallel calls in flight. It returns the number enqueued. A
// failure stops the feed; batches already enqueued stay enqueued.
func enqueueAll(ctx context.Context, q *queue.Queue, cfg Config, feed func(emit func(string) error) error) (int64, error) {
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []string, cfg.Parallel)
	counts := make(chan int64, cfg.Parallel)
	for range cfg.Parallel {
		g.Go(func() error {
			var n int64
			defer func() { counts <- n }()
			for b := range batches {
				added, err := q.Enqueue(gctx, b)
				n += int64(added)
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(batches)
		batch := make([]string, 0, cfg.Batch)
		send := func() error {
			select {
			case batches <- batch:
				batch = make([]string, 0, cfg.Batch)
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		err := feed(func(u string) error {
			batch = append(batch, u)
			if len(batch) == cfg.Batch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		return err
	})
	err := g.Wait()
	close(counts)
	var total int64
	for n := range counts {
		total += n
	}
	return total, err
}
