package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/hostlimit"
)

// newChecker builds the HTTP probe from the worker's settings; a bad
// -method or -accept is a usage error naming the flag. With METHOD=head,get
// the hosts where HEAD fails are remembered in Redis for an hour, for every
// worker.
func newChecker(wc config.Worker, rdb redis.UniversalClient, ns string, log *slog.Logger) (*check.Checker, error) {
	accept, err := check.ParseAccept(wc.Accept)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("invalid -accept/ACCEPT: %w", err))
	}
	c, err := check.New(check.Config{Timeout: wc.HTTPTimeout, MaxConnsPerHost: wc.Concurrency,
		Method: wc.Method, Accept: accept, UserAgent: wc.UserAgent, Insecure: wc.Insecure, DenyPrivate: wc.DenyPrivate,
		HeadMemory: hostlimit.NewHeadMemory(rdb, ns+":host:", time.Hour, 30*time.Second, log)})
	if err != nil {
		return nil, config.Usage(fmt.Errorf("invalid check settings: %w", err))
	}
	return c, nil
}

// newLimiter builds the fleet-wide per-host limiter, or nil when no host
// has a limit. A permit's lease outlives the longest check.
func newLimiter(ctx context.Context, rdb redis.UniversalClient, ns string, wc config.Worker, log *slog.Logger) (*hostlimit.Limiter, error) {
	def := hostlimit.Policy{Concurrency: wc.HostConcurrency, Rate: wc.HostRate}
	hosts, err := loadHosts(wc.HostsFile, def)
	if err != nil {
		return nil, err
	}
	if def.Unlimited() && len(hosts) == 0 {
		return nil, nil
	}
	return hostlimit.New(ctx, rdb, hostlimit.Config{Prefix: ns + ":host:", Default: def, Hosts: hosts,
		Lease: 2*wc.HTTPTimeout + 10*time.Second, MaxPause: wc.MaxRetryAfter, Logger: log})
}

func loadHosts(path string, def hostlimit.Policy) (map[string]hostlimit.Policy, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("-hosts: %w", err))
	}
	defer f.Close()
	hosts, err := hostlimit.LoadHosts(f, path, def, func(s string) error { _, err := check.ParseAccept(s); return err })
	if err != nil {
		return nil, config.Usage(err)
	}
	return hostlimit.Policies(hosts), nil
}
