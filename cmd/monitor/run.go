package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/monitor"
	"github.com/urlcheck/url-checker/internal/queue"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		rc                    config.Redis
		interval, window      time.Duration
		lease                 time.Duration
		once, asJSON, untilOK bool
	)
	s := config.NewSet("monitor", getenv, stderr)
	rc.Register(s)
	s.Duration(&interval, "interval", "MONITOR_INTERVAL", time.Second, "time between snapshots",
		config.Between(10*time.Millisecond, time.Hour))
	s.Duration(&window, "window", "MONITOR_WINDOW", 10*time.Second, "span of the sliding window the rate is measured over",
		config.Between(time.Second, time.Hour))
	s.Duration(&lease, "lease", "LEASE", 30*time.Second, "a worker whose last heartbeat is older than this counts as gone",
		config.Between(100*time.Millisecond, time.Hour))
	s.Bool(&once, "once", "", false, "print one snapshot and exit")
	s.Bool(&asJSON, "json", "", false, "print snapshots as JSON, one object per line")
	s.Bool(&untilOK, "until-done", "", false, "exit 0 as soon as the run is finished")
	s.FlagSet().Usage = func() {
		fmt.Fprintln(stderr, "usage: monitor [flags]\n\nShows the progress of the current run until interrupted.\n\nflags:")
		s.FlagSet().PrintDefaults()
	}
	if err := s.Parse(args); err != nil {
		return err
	}
	if s.FlagSet().NArg() > 0 {
		return config.Usage(fmt.Errorf("want no arguments, got %q", s.FlagSet().Args()))
	}
	if once && untilOK {
		return config.Usage(fmt.Errorf("-once and -until-done exclude each other"))
	}
	log := rc.Logger(stderr)
	// The monitor shows Redis failures itself; the client's own log lines
	// on stderr would break the redrawn display.
	redis.SetLogger(redisLog{log})
	// Fail fast on a wrong address; once running, ride through outages.
	rdb, err := rc.Connect(ctx, false, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	m, err := monitor.New(queue.NewLazy(rdb, queue.Config{Namespace: rc.Namespace, Shards: rc.ShardCount(), Lease: lease, Logger: log}),
		stdout, monitor.Config{
			Namespace: rc.Namespace, Interval: interval, Window: window, Lease: lease,
			Mode: mode(stdout, asJSON, once, getenv), Once: once, UntilDone: untilOK,
		})
	if err != nil {
		return err
	}
	return m.Run(ctx)
}

// redisLog passes go-redis's log lines to a logger at debug level.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client", "msg", fmt.Sprintf(format, v...))
}

// mode redraws in place only on a terminal, and not for a single snapshot.
func mode(stdout io.Writer, asJSON, once bool, getenv func(string) string) monitor.Mode {
	switch {
	case asJSON:
		return monitor.JSON
	case once || getenv("TERM") == "dumb" || !isTerminal(stdout):
		return monitor.Plain
	}
	return monitor.Terminal
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
