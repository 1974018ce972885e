package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
	"github.com/urlcheck/url-checker/internal/cache"
	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/httpapi"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/worker"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		rc   config.Redis
		qc   config.Queue
		wc   config.Worker
		cc   config.Cache
		prof string
	)
	s := config.NewSet("worker", getenv, stderr)
	rc.Register(s)
	qc.Register(s)
	wc.Register(s)
	cc.Register(s)
	s.String(&prof, "cpuprofile", "", "", "write a CPU profile of the whole run to this file", nil)
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
	if prof != "" {
		stop, err := startProfile(prof)
		if err != nil {
			return err
		}
		defer stop()
	}
	name := s.FlagSet().Arg(0)
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	log := rc.Logger(stderr)
	hosts, err := loadHosts(wc)
	if err != nil {
		return err
	}
	// Every checker may talk to Redis through the cache at once.
	rc.PoolSize = wc.Concurrency + 16
	rdb, err := rc.Connect(ctx, wc.WaitRedis, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	q, err := queue.New(ctx, rdb, queue.Config{Namespace: rc.Namespace, Shards: rc.ShardCount(), Home: homeShard(name), Lease: qc.Lease,
		MaxReaps: qc.MaxReaps, FeedSize: qc.ResultsToKeep, Logger: log})
	if err != nil {
		return err
	}
	checker, err := newChecker(wc, hosts, rdb, rc.Namespace, log)
	if err != nil {
		return err
	}
	defer checker.Close()
	var resultCache *cache.Cache
	if cc.Enabled {
		resultCache, err = cache.New(rdb, cache.Config{Prefix: queue.CachePrefix(rc.Namespace), L1Size: cc.L1Size,
			L1TTL: cc.L1TTL, TTL: cc.TTL, ErrorTTL: cc.ErrorTTL, ClaimTTL: wc.HTTPTimeout + time.Second,
			WriteBehind: true, Logger: log})
		if err != nil {
			return err
		}
		defer resultCache.Close()
	}
	limiter, err := newLimiter(ctx, rdb, rc.Namespace, wc, hosts, log)
	if err != nil {
		return err
	}
	w, err := worker.New(q, checker, worker.Config{
		Name: name, Concurrency: wc.Concurrency, BatchSize: wc.BatchSize, FlushInterval: wc.FlushInterval,
		MaxRetries: wc.MaxRetries, RetryBackoff: backoff.Policy{Base: wc.RetryBase, Max: time.Minute},
		IdleWait: wc.WaitTimeout, Drain: wc.Drain, Cache: resultCache, Logger: log,
		Limiter: limiter, MaxRetryAfter: wc.MaxRetryAfter,
	})
	if err != nil {
		return err
	}
	if wc.MetricsAddr != "" {
		stop, err := serveMetrics(wc.MetricsAddr, httpapi.MetricsHandler(q, qc.Lease), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	log.Info("worker started", "name", name, "redis", rc.Addr, "namespace", rc.Namespace, "concurrency", wc.Concurrency)
	err = w.Run(ctx)
	log.Info("redis round trips", "total", rc.RoundTrips(), "per_url", perURL(rc.RoundTrips(), w.Checked()))
	return err
}

func perURL(trips, urls int64) float64 {
	if urls == 0 {
		return 0
	}
	return float64(trips) / float64(urls)
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, config.Usage(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// serveMetrics serves /metrics on addr until the returned stop is called.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("-metrics-addr: %w", err))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := httpapi.NewHTTPServer(addr, mux, 0, log)
	go func() { _ = srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// homeShard spreads workers over the shards by name; any int will do, the
// queue takes it modulo the shard count.
func homeShard(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() & 0x7fffffff)
}
