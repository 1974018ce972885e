package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/producer"
	"github.com/urlcheck/url-checker/internal/queue"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		rc                   config.Redis
		strict, appnd, force bool
	)
	s := config.NewSet("producer", getenv, stderr)
	rc.Register(s)
	s.Bool(&strict, "strict", "", false, "enqueue nothing if any line is bad")
	s.Bool(&appnd, "append", "", false, "add the URLs to the current run, even while it is unfinished")
	s.Bool(&force, "force", "", false, "discard an unfinished run and start a new one")
	var exclude []*regexp.Regexp
	s.FlagSet().Func("exclude", "skip URLs matching this regular expression (repeatable)", func(v string) error {
		re, err := regexp.Compile(v)
		if err == nil {
			exclude = append(exclude, re)
		}
		return err
	})
	s.FlagSet().Usage = func() {
		fmt.Fprintln(stderr, "usage: producer [flags] FILE\n\nFILE has one URL per line; - reads standard input.\n\nflags:")
		s.FlagSet().PrintDefaults()
	}
	if err := s.Parse(args); err != nil {
		return err
	}
	if s.FlagSet().NArg() != 1 {
		return config.Usage(fmt.Errorf("want exactly one FILE (or - for standard input), got %d arguments", s.FlagSet().NArg()))
	}
	if appnd && force {
		return config.Usage(fmt.Errorf("-append and -force exclude each other"))
	}
	name := s.FlagSet().Arg(0)
	in, err := open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	log := rc.Logger(stderr)
	rdb, err := rc.Connect(ctx, false, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	q, err := queue.New(ctx, rdb, queue.Config{Namespace: rc.Namespace, Shards: rc.ShardCount(), Logger: log})
	if err != nil {
		return err
	}
	if err := startRun(ctx, q, appnd, force, stdout); err != nil {
		return err
	}
	sum, err := producer.Produce(ctx, q, in, name, producer.Config{Strict: strict, Exclude: exclude, Report: stderr})
	fmt.Fprintf(stdout, "accepted %d, rejected %d, excluded %d in %.2fs (%.0f URLs/s)\n",
		sum.Accepted, sum.Rejected, sum.Excluded, sum.Elapsed.Seconds(), sum.Rate())
	return err
}

func open(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, config.Usage(err)
	}
	return f, nil
}

// startRun starts a new run unless the current one is unfinished and the
// user did not say what to do with it.
func startRun(ctx context.Context, q *queue.Queue, appnd, force bool, stdout io.Writer) error {
	st, err := q.Stats(ctx)
	if err != nil {
		return err
	}
	if appnd && st.RunID != "" {
		fmt.Fprintf(stdout, "adding to run %s in namespace %s\n", st.RunID, q.Namespace())
		return nil
	}
	if st.Unfinished() && !force {
		return config.Usage(fmt.Errorf("run %s in namespace %s is unfinished (%d queued, %d in flight, %d delayed): "+
			"use -append to add to it or -force to discard it", st.RunID, q.Namespace(), st.Queued, st.Processing, st.Delayed))
	}
	id, err := q.NewRun(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "started run %s in namespace %s\n", id, q.Namespace())
	return nil
}
