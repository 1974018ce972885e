// Package cache serves check results of repeated URLs from two tiers: an
// in-process LRU (L1) and Redis (L2). Lookups go L1, then L2, then the
// origin. Concurrent loads of one URL are merged inside a process with
// singleflight and across processes with a short claim key in Redis, so a
// URL that many jobs share reaches its origin about once per TTL.
//
// Only the URL-level part of a result is cached: ok, status, error,
// error_kind, final_url, redirects, duration_ms and checked_at. Successful
// results go to L1 and L2; permanent failures to L2 only, with a shorter
// TTL; transient failures (check.Result.Transient) are not cached at all,
// since they will be retried.
//
// Keys are normalised URLs (see Normalize). A Redis error never fails a
// lookup: the cache is an optimisation, so a lookup that cannot reach Redis
// falls through to the origin.
//
// A worker looks up a claimed batch with GetMany, which costs one MGET for
// all L1 misses, and calls Get for the URLs it did not find. Get looks
// again, inside the load it shares with concurrent callers, so a result
// stored in the meantime is not fetched twice.
package cache

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultL1Size      = 1000
	DefaultL1TTL       = 60 * time.Second
	DefaultTTL         = 5 * time.Minute
	DefaultErrorTTL    = 30 * time.Second
	DefaultClaimTTL    = 6 * time.Second
	DefaultLoadTimeout = 30 * time.Second
)

// Sources of a result, stored in check.Result.Cache; with Merged, also the
// keys of TakeCounts.
const (
	SourceL1     = "l1"
	SourceL2     = "l2"
	SourceOrigin = "origin"
	// Merged counts callers served by a load that another caller ran: a
	// shared singleflight call in this process, or another worker's fetch
	// found in L2 after waiting on its claim.
	Merged = "merged"
)

// Config configures a Cache. Zero values mean the documented default;
// negative values make New fail.
type Config struct {
	// Prefix starts every Redis key, e.g. "urlcheck:cache:". Required. It
	// should hold no hash tag, so that keys spread over a cluster.
	Prefix string
	// L1Size is how many results the in-process LRU holds. Default 1000.
	L1Size int
	// L1TTL is how long an L1 entry stays fresh; an older one is a miss
	// and is evicted. Default 60s.
	L1TTL time.Duration
	// TTL is how long Redis keeps a successful result. Default 5m.
	TTL time.Duration
	// ErrorTTL is how long Redis keeps a permanent failure. Default 30s.
	ErrorTTL time.Duration
	// ClaimTTL bounds the claim a worker takes in Redis while it fetches a
	// URL, so that a claim of a dead worker goes away. It should exceed the
	// fetch timeout. Default 6s.
	ClaimTTL time.Duration
	// WaitFor is how long a worker that finds a URL claimed by another
	// waits for the other's result before fetching itself. Default
	// ClaimTTL: as long as the claim may be held, since a loaded holder
	// can take a while to store, and a dead one's claim expires anyway.
	WaitFor time.Duration
	// LoadTimeout bounds a shared load, which runs detached from the
	// context of the caller that started it. Default 30s.
	LoadTimeout time.Duration
	// WriteBehind stores fetched results in the background, batching the
	// stores of many fetches into one pipeline; Close flushes them. Other
	// workers see an entry a moment later. Default off (stores are done
	// before Get returns).
	WriteBehind bool
	// Now tells the time for L1 freshness. Default time.Now.
	Now func() time.Time
	// Logger receives the Redis errors that the cache survives: failed
	// lookups at debug level, failed stores at warn. Default: discard.
	Logger *slog.Logger
}

func (cfg Config) validate() error {
	if cfg.Prefix == "" {
		return errors.New("empty Prefix")
	}
	if cfg.L1Size < 0 {
		return fmt.Errorf("negative L1Size %d", cfg.L1Size)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"L1TTL", cfg.L1TTL}, {"TTL", cfg.TTL}, {"ErrorTTL", cfg.ErrorTTL},
		{"ClaimTTL", cfg.ClaimTTL}, {"WaitFor", cfg.WaitFor}, {"LoadTimeout", cfg.LoadTimeout},
	} {
		if d.v < 0 {
			return fmt.Errorf("negative %s %v", d.name, d.v)
		}
	}
	return nil
}

func (cfg *Config) setDefaults() {
	cfg.L1Size = cmp.Or(cfg.L1Size, DefaultL1Size)
	cfg.L1TTL = cmp.Or(cfg.L1TTL, DefaultL1TTL)
	cfg.TTL = cmp.Or(cfg.TTL, DefaultTTL)
	cfg.ErrorTTL = cmp.Or(cfg.ErrorTTL, DefaultErrorTTL)
	cfg.ClaimTTL = cmp.Or(cfg.ClaimTTL, DefaultClaimTTL)
	cfg.WaitFor = cmp.Or(cfg.WaitFor, cfg.ClaimTTL)
	cfg.LoadTimeout = cmp.Or(cfg.LoadTimeout, DefaultLoadTimeout)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

// Cache is a two-tier read-through cache of check results. It is safe for
// concurrent use; one Cache per worker process lets all its goroutines
// share L1 and merge their loads.
type Cache struct {
	rdb  redis.UniversalClient
	cfg  Config
	keys keys
	log  *slog.Logger

	l1     *lru.Cache[string, l1Entry] // normalised URL -> entry; locks itself
	group  singleflight.Group          // one load per normalised URL at a time
	counts counts

	// waiting counts callers blocked on a shared load, so that tests can
	// tell when every caller has joined one.
	waiting atomic.Int64

	w *writer // nil unless Config.WriteBehind
}

// New returns a Cache that keeps L2 in rdb. The caller keeps ownership of
// rdb and closes it after the last use of the Cache.
func New(rdb redis.UniversalClient, cfg Config) (*Cache, error) {
	if rdb == nil {
		return nil, errors.New("cache config: nil Redis client")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("cache config: %w", err)
	}
	cfg.setDefaults()
	l1, err := lru.New[string, l1Entry](cfg.L1Size)
	if err != nil {
		return nil, fmt.Errorf("cache l1: %w", err)
	}
	c := &Cache{rdb: rdb, cfg: cfg, keys: keys{prefix: cfg.Prefix}, log: cfg.Logger, l1: l1}
	if cfg.WriteBehind {
		c.w = newWriter(c)
	}
	return c, nil
}

// Close stores the entries still queued by a write-behind Cache and stops
// its writer. Use the Cache no more after Close.
func (c *Cache) Close() {
	if c.w != nil {
		c.w.close()
	}
}
