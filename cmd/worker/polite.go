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

// newChecker builds the HTTP probe from the worker's settings and the
// hosts file's headers, accepted statuses and methods; a bad -method or
// -accept is a usage error naming the flag. With METHOD=head,get (for all
// hosts or some) the hosts where HEAD fails are remembered in Redis for an
// hour, for every worker.
func newChecker(wc config.Worker, hosts map[string]hostlimit.HostConfig, rdb redis.UniversalClient, ns string,
	log *slog.Logger) (*check.Checker, error) {
	accept, err := check.ParseAccept(wc.Accept)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("invalid -accept/ACCEPT: %w", err))
	}
	settings, err := hostSettings(hosts)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("-hosts %s: %w", wc.HostsFile, err))
	}
	c, err := check.New(check.Config{Timeout: wc.HTTPTimeout, MaxConnsPerHost: wc.Concurrency,
		Method: wc.Method, Accept: accept, UserAgent: wc.UserAgent, Insecure: wc.Insecure, DenyPrivate: wc.DenyPrivate,
		Hosts:      settings,
		HeadMemory: hostlimit.NewHeadMemory(rdb, ns+":host:", time.Hour, 30*time.Second, log)})
	if err != nil {
		return nil, config.Usage(fmt.Errorf("invalid check settings: %w", err))
	}
	return c, nil
}

// hostSettings returns the check settings of the hosts that have any.
func hostSettings(hosts map[string]hostlimit.HostConfig) (map[string]check.HostSettings, error) {
	out := map[string]check.HostSettings{}
	for host, hc := range hosts {
		if hc.Headers == nil && hc.Accept == "" && hc.Method == "" {
			continue
		}
		hs := check.HostSettings{Headers: hc.Headers, Method: hc.Method}
		if hc.Accept != "" {
			a, err := check.ParseAccept(hc.Accept)
			if err != nil {
				return nil, fmt.Errorf("host %q: %w", host, err)
			}
			hs.Accept = a
		}
		out[host] = hs
	}
	return out, nil
}

// newLimiter builds the fleet-wide per-host limiter, or nil when no host
// has a limit. A permit's lease outlives the longest check.
func newLimiter(ctx context.Context, rdb redis.UniversalClient, ns string, wc config.Worker,
	hosts map[string]hostlimit.HostConfig, log *slog.Logger) (*hostlimit.Limiter, error) {
	def := limits(wc)
	policies := hostlimit.Policies(hosts)
	if def.Unlimited() && !anyLimited(policies) {
		return nil, nil
	}
	return hostlimit.New(ctx, rdb, hostlimit.Config{Prefix: ns + ":host:", Default: def, Hosts: policies,
		Lease: 2*wc.HTTPTimeout + 10*time.Second, MaxPause: wc.MaxRetryAfter, Logger: log})
}

func limits(wc config.Worker) hostlimit.Policy {
	return hostlimit.Policy{Concurrency: wc.HostConcurrency, Rate: wc.HostRate}
}

func anyLimited(policies map[string]hostlimit.Policy) bool {
	for _, p := range policies {
		if !p.Unlimited() {
			return true
		}
	}
	return false
}

// loadHosts reads the -hosts file, if any; an unreadable or invalid file
// is a usage error naming it.
func loadHosts(wc config.Worker) (map[string]hostlimit.HostConfig, error) {
	if wc.HostsFile == "" {
		return nil, nil
	}
	f, err := os.Open(wc.HostsFile)
	if err != nil {
		return nil, config.Usage(fmt.Errorf("-hosts: %w", err))
	}
	defer f.Close()
	hosts, err := hostlimit.LoadHosts(f, wc.HostsFile, limits(wc),
		func(s string) error { _, err := check.ParseAccept(s); return err })
	if err != nil {
		return nil, config.Usage(err)
	}
	return hosts, nil
}
