package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/worker"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		rc config.Redis
		qc config.Queue
		wc config.Worker
	)
	s := config.NewSet("worker", getenv, stderr)
	rc.Register(s)
	qc.Register(s)
	wc.Register(s)
	s.FlagSet().Usage = func() {
		fmt.Fprintln(stderr, "usage: worker [flags] [NAME]\n\nNAME identifies this worker in results (default host-pid).\n\nflags:")
		s.FlagSet().PrintDefaults()
	}
	if err := s.Parse(args); err != nil {
		return err
	}
	if s.FlagSet().NArg() > 1 {
		return config.Usage(fmt.Errorf("want at most one NAME, got %q", s.FlagSet().Args()))
	}
	name := s.FlagSet().Arg(0)
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	log := rc.Logger(stderr)
	rdb, err := rc.Connect(ctx, wc.WaitRedis, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	q, err := queue.New(ctx, rdb, queue.Config{Namespace: rc.Namespace, Lease: qc.Lease,
		MaxReaps: qc.MaxReaps, FeedSize: qc.ResultsToKeep, Logger: log})
	if err != nil {
		return err
	}
	checker, err := check.New(check.Config{Timeout: wc.HTTPTimeout, MaxConnsPerHost: wc.Concurrency})
	if err != nil {
		return err
	}
	defer checker.Close()
	w, err := worker.New(q, checker, worker.Config{
		Name: name, Concurrency: wc.Concurrency, BatchSize: wc.BatchSize, FlushInterval: wc.FlushInterval,
		MaxRetries: wc.MaxRetries, RetryBackoff: backoff.Policy{Base: wc.RetryBase, Max: time.Minute},
		IdleWait: wc.WaitTimeout, Drain: wc.Drain, Logger: log,
	})
	if err != nil {
		return err
	}
	log.Info("worker started", "name", name, "redis", rc.Addr, "namespace", rc.Namespace, "concurrency", wc.Concurrency)
	return w.Run(ctx)
}
