package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/httpapi"
	"github.com/urlcheck/url-checker/internal/queue"
)

// shutdownTimeout is how long requests in flight get to finish after
// SIGTERM.
const shutdownTimeout = 10 * time.Second

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		rc          config.Redis
		addr, token string
		lease       time.Duration
	)
	s := config.NewSet("api", getenv, stderr)
	rc.Register(s)
	s.String(&addr, "addr", "API_ADDR", ":8080", "address to listen on, host:port", checkAddr)
	s.String(&token, "token", "API_TOKEN", "",
		"bearer token every endpoint but /healthz and the dashboard page requires; empty for none (prefer the environment: flags show in ps)", nil)
	s.Duration(&lease, "lease", "LEASE", 30*time.Second, "a worker whose last heartbeat is older than this counts as gone",
		config.Between(100*time.Millisecond, time.Hour))
	s.FlagSet().Usage = func() {
		fmt.Fprintln(stderr, "usage: api [flags]\n\nServes the current run over HTTP until interrupted.\n\nflags:")
		s.FlagSet().PrintDefaults()
	}
	if err := s.Parse(args); err != nil {
		return err
	}
	if s.FlagSet().NArg() > 0 {
		return config.Usage(fmt.Errorf("want no arguments, got %q", s.FlagSet().Args()))
	}
	log := rc.Logger(stderr)
	// Fail fast on a wrong address; once running, ride through outages.
	rdb, err := rc.Connect(ctx, false, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	api, err := httpapi.New(queue.NewLazy(rdb, queue.Config{Namespace: rc.Namespace, Shards: rc.ShardCount(), Lease: lease, Logger: log}),
		httpapi.Config{Token: token, Lease: lease, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := httpapi.NewHTTPServer(addr, api.Handler(), 0, log)
	log.Info("api listening", "addr", ln.Addr().String(), "redis", rc.Addr, "namespace", rc.Namespace, "auth", token != "")
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	})
	g.Go(func() error { return api.Run(gctx) })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shut down: %w", err)
		}
		log.Info("api stopped")
		return nil
	})
	return g.Wait()
}

func checkAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	return nil
}
