// Package hostlimit keeps url-checker polite to the hosts it checks, across
// the whole fleet of workers: per-host limits on requests in flight and on
// requests per second, and host-wide pauses after a 429 or 503, all kept in
// Redis so that adding workers never multiplies the load on a host.
//
// It never blocks. Acquire answers at once, in one round trip: either a
// Permit, to be released when the request is done, or "not now, try again
// in D", so that the caller can defer the job and take other work instead
// of holding a concurrency slot while a busy host frees up.
//
// Hosts are named as in url.URL.Host, lower-cased: the port counts, so
// "example.com" and "example.com:8443" are two hosts with two budgets.
// Every key of one host carries the host as hash tag, so each script's keys
// share a slot on Redis Cluster while different hosts spread over it. All
// times are read from the Redis clock (TIME, PTTL), so the clocks of the
// workers' machines do not matter.
package hostlimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults applied by New to zero Config fields, and the concurrency limit
// the HOST_CONCURRENCY setting should default to.
const (
	DefaultConcurrency = 8
	DefaultPrefix      = "urlcheck:host:"
	DefaultLease       = 30 * time.Second
	DefaultMaxPause    = 60 * time.Second
	DefaultBackoffBase = time.Second
	DefaultBusyWait    = 150 * time.Millisecond
)

// MaxRate is the highest Rate a Policy may have: one request per
// microsecond, the resolution of the rate limiter.
const MaxRate = 1e6

// Policy limits the requests to one host, counted over all workers. The
// zero Policy is unlimited.
type Policy struct {
	// Concurrency is the most requests in flight to the host; 0 means no
	// limit.
	Concurrency int
	// Rate is the most requests per second to the host, at most MaxRate;
	// 0 means no limit.
	Rate float64
	// Burst is how many requests may start back to back before Rate
	// spaces them out. 0 means max(1, Rate/10). Unused without a Rate.
	Burst int
}

// Unlimited reports whether p limits nothing.
func (p Policy) Unlimited() bool { return p.Concurrency == 0 && p.Rate == 0 }

func (p Policy) validate() error {
	if p.Concurrency < 0 || p.Burst < 0 {
		return fmt.Errorf("concurrency %d, burst %d: want 0 or more", p.Concurrency, p.Burst)
	}
	if math.IsNaN(p.Rate) || p.Rate < 0 || p.Rate > MaxRate {
		return fmt.Errorf("rate %v: want 0 to %g per second", p.Rate, MaxRate)
	}
	return nil
}

// interval is the GCRA emission interval in microseconds, rounded up so
// that rounding never makes the host see more than Rate; 0 without a rate.
func (p Policy) interval() int64 {
	if p.Rate == 0 {
		return 0
	}
	return int64(math.Ceil(1e6 / p.Rate))
}

// burst returns Burst, or its default max(1, Rate/10).
func (p Policy) burst() int {
	if p.Burst > 0 {
		return p.Burst
	}
	return max(1, int(p.Rate/10))
}

// Config configures a Limiter. Zero durations and strings mean the
// documented default; a negative or otherwise nonsensical value makes New
// fail.
type Config struct {
	// Prefix starts every key, e.g. "urlcheck:host:". It must not hold a
	// hash tag: New adds "{host}" after it. Default DefaultPrefix.
	Prefix string
	// Default is the policy of every host not in Hosts. It is used as
	// given, because the zero Policy is a meaningful value (unlimited):
	// callers set it from HOST_CONCURRENCY, whose default should be
	// DefaultConcurrency.
	Default Policy
	// Hosts holds per-host policies that replace Default, keyed by
	// url.URL.Host; keys are lower-cased by New.
	Hosts map[string]Policy
	// Lease is how long a permit holds its slot if its holder dies without
	// releasing it. It should exceed the longest a check can take (HTTP
	// timeout times redirects). Default 30s.
	Lease time.Duration
	// MaxPause caps every host-wide pause set by Pause or Backoff, and
	// every wait that Acquire reports for a rate-limited host. Default 60s.
	MaxPause time.Duration
	// BackoffBase is the ceiling of the first pause that Backoff sets; each
	// further step doubles it, up to MaxPause. Default 1s.
	BackoffBase time.Duration
	// BusyWait is how long Acquire tells a caller to wait when the host
	// has no free slot; the wait is jittered to [BusyWait/2, 3*BusyWait/2).
	// Default 150ms.
	BusyWait time.Duration
	// Now is the local clock, used only to forget hosts this Limiter
	// paused (see Unlimited); default time.Now.
	Now func() time.Time
	// Rand returns jitter in [0, 1) and must be safe for concurrent use;
	// default math/rand/v2's Float64.
	Rand func() float64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Limiter is safe for concurrent use.
type Limiter struct {
	rdb   redis.UniversalClient
	cfg   Config
	s     *scripts
	ids   idSource
	watch watchList
}

// New returns a Limiter on rdb. It asks the server for its version, so that
// the scripts carry the "#!lua" line where the server knows it.
func New(ctx context.Context, rdb redis.UniversalClient, cfg Config) (*Limiter, error) {
	if err := cfg.init(); err != nil {
		return nil, err
	}
	major, err := serverMajor(ctx, rdb)
	if err != nil {
		return nil, err
	}
	s := &plainScripts
	if major >= 7 {
		s = &shebangScripts
	}
	return &Limiter{rdb: rdb, cfg: cfg, s: s, ids: newIDSource(), watch: watchList{hosts: map[string]time.Time{}}}, nil
}

// init applies the defaults and validates cfg.
func (cfg *Config) init() error {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(cfg.Prefix, "{}") {
		return fmt.Errorf("prefix %q: want no braces; the host becomes the hash tag", cfg.Prefix)
	}
	if err := cfg.Default.validate(); err != nil {
		return fmt.Errorf("default policy: %w", err)
	}
	hosts, err := normalizeHosts(cfg.Hosts)
	if err != nil {
		return err
	}
	cfg.Hosts = hosts
	if err := cfg.initDurations(); err != nil {
		return err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return nil
}

func (cfg *Config) initDurations() error {
	for _, d := range []struct {
		name string
		p    *time.Duration
		def  time.Duration
	}{
		{"lease", &cfg.Lease, DefaultLease},
		{"max pause", &cfg.MaxPause, DefaultMaxPause},
		{"backoff base", &cfg.BackoffBase, DefaultBackoffBase},
		{"busy wait", &cfg.BusyWait, DefaultBusyWait},
	} {
		if *d.p == 0 {
			*d.p = d.def
		}
		if *d.p < time.Millisecond {
			return fmt.Errorf("%s %v: want at least 1ms", d.name, *d.p)
		}
	}
	return nil
}

// normalizeHosts returns hosts with lower-cased keys, checking every key
// and policy.
func normalizeHosts(hosts map[string]Policy) (map[string]Policy, error) {
	out := make(map[string]Policy, len(hosts))
	for h, p := range hosts {
		lh, err := normalizeHost(h)
		if err != nil {
			return nil, err
		}
		if _, dup := out[lh]; dup {
			return nil, fmt.Errorf("host %q: given twice, in different case", lh)
		}
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("host %q: %w", lh, err)
		}
		out[lh] = p
	}
	return out, nil
}

// errHost is wrapped by the errors about a host name that cannot be used.
var errHost = errors.New("want a host[:port] as in a URL")

// normalizeHost lower-cases host and checks that it can be a hash tag.
func normalizeHost(host string) (string, error) {
	if host == "" || strings.ContainsAny(host, "{}/ \t\r\n") {
		return "", fmt.Errorf("host %q: %w", host, errHost)
	}
	return strings.ToLower(host), nil
}

func serverMajor(ctx context.Context, rdb redis.UniversalClient) (int, error) {
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return 0, fmt.Errorf("redis info: %w", err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			major, _, _ := strings.Cut(strings.TrimSpace(v), ".")
			return strconv.Atoi(major)
		}
	}
	return 0, nil
}

// Policy returns the policy of host.
func (l *Limiter) Policy(host string) Policy { return l.policy(strings.ToLower(host)) }

// policy returns the policy of a lower-cased host.
func (l *Limiter) policy(host string) Policy {
	if p, ok := l.cfg.Hosts[host]; ok {
		return p
	}
	return l.cfg.Default
}

// Unlimited reports whether Acquire would grant a permit for host without
// asking Redis: its policy limits nothing and this Limiter has not paused
// it lately. A pause that another worker set is then not seen until this
// Limiter records one of its own (after its own 429 or 503): a host with no
// limits costs nothing, at the price of a few more requests to it once it
// starts refusing them.
func (l *Limiter) Unlimited(host string) bool {
	host = strings.ToLower(host)
	return l.unlimited(l.policy(host), host)
}

// unlimited is Unlimited for a lower-cased host and its policy.
func (l *Limiter) unlimited(pol Policy, host string) bool {
	return pol.Unlimited() && !l.watch.has(host, l.cfg.Now)
}
