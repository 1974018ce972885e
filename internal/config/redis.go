package config

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/queue"
)

// Redis holds the settings every binary shares: where Redis is and which
// namespace to use.
type Redis struct {
	Addr           string
	Cluster        bool
	SentinelMaster string
	Namespace      string
	LogLevel       string
	Shards         int
	// PoolSize is the connection pool size; zero keeps go-redis's default.
	// Not a flag: a worker sizes it from its concurrency.
	PoolSize int

	trips *tripCounter
}

// RoundTrips returns the round trips made by the clients this Redis made.
func (r *Redis) RoundTrips() int64 {
	if r.trips == nil {
		return 0
	}
	return r.trips.n.Load()
}

// Register adds -redis-addr, -namespace and -log-level to s.
func (r *Redis) Register(s *Set) {
	s.String(&r.Addr, "redis-addr", "REDIS_ADDR", "localhost:6379",
		"Redis address host:port, or a redis:// URL with password and DB; several comma-separated addresses "+
			"are a Redis Cluster (or the sentinels, with -redis-sentinel-master)", checkRedisAddr)
	s.Bool(&r.Cluster, "redis-cluster", "REDIS_CLUSTER", false, "treat a single -redis-addr as a Redis Cluster node")
	s.String(&r.SentinelMaster, "redis-sentinel-master", "REDIS_SENTINEL_MASTER", "",
		"name of the Sentinel-managed primary; -redis-addr then lists the sentinels", nil)
	s.String(&r.Namespace, "namespace", "NAMESPACE", "urlcheck",
		"namespace of all keys; runs in different namespaces never touch each other", queue.ValidNamespace)
	s.Int(&r.Shards, "shards", "SHARDS", 0,
		"hash slots a run is split over, so a Redis Cluster spreads it over its nodes; 0 means 1 on a single Redis "+
			"and 16 on a cluster; every process of a namespace must agree", Between(0, 1024))
	s.String(&r.LogLevel, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error", checkLevel)
}

func checkRedisAddr(addr string) error {
	_, err := redisOptions(addr)
	return err
}

func checkLevel(s string) error {
	var l slog.Level
	return l.UnmarshalText([]byte(s))
}

// ShardCount returns the number of shards, resolving the automatic 0.
func (r *Redis) ShardCount() int {
	if r.Shards > 0 {
		return r.Shards
	}
	if o, err := redisOptions(r.Addr); err == nil && (len(o.Addrs) > 1 || r.Cluster) && r.SentinelMaster == "" {
		return 16
	}
	return 1
}

// Logger returns a text logger on w at the configured level.
func (r *Redis) Logger(w interface{ Write([]byte) (int, error) }) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(r.LogLevel)) // validated by Register's check
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func redisOptions(addr string) (*redis.UniversalOptions, error) {
	if strings.HasPrefix(addr, "redis://") || strings.HasPrefix(addr, "rediss://") {
		o, err := redis.ParseURL(addr)
		if err != nil {
			return nil, err
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password,
			DB: o.DB, TLSConfig: o.TLSConfig,
		}, nil
	}
	addrs := strings.Split(addr, ",")
	for i, a := range addrs {
		addrs[i] = strings.TrimSpace(a)
		if _, _, err := net.SplitHostPort(addrs[i]); err != nil {
			return nil, fmt.Errorf("%q is not host:port, a comma-separated list of them, or a redis:// URL", a)
		}
	}
	return &redis.UniversalOptions{Addrs: addrs}, nil
}

// Client returns a client tuned for the queue: explicit timeouts, because
// go-redis's defaults changed between releases, and retries, which are safe
// because every script is idempotent.
func (r *Redis) Client() redis.UniversalClient {
	o, _ := redisOptions(r.Addr) // validated by Register's check
	o.DialTimeout = 2 * time.Second
	o.ReadTimeout = 5 * time.Second
	o.WriteTimeout = 5 * time.Second
	o.MaxRetries = 3
	o.MinRetryBackoff = 10 * time.Millisecond
	o.MaxRetryBackoff = 500 * time.Millisecond
	o.PoolSize = r.PoolSize
	o.IsClusterMode = r.Cluster
	o.MasterName = r.SentinelMaster
	var c redis.UniversalClient
	if o.MasterName == "" && (len(o.Addrs) > 1 || o.IsClusterMode) {
		co := o.Cluster()
		// The default reloads the slot map once a minute, and a dead
		// primary answers no MOVED that would trigger a reload: without
		// this a client keeps dialling it for up to a minute after a
		// failover.
		co.ClusterStateReloadInterval = 2 * time.Second
		c = redis.NewClusterClient(co)
	} else {
		c = redis.NewUniversalClient(o)
	}
	if r.trips == nil {
		r.trips = &tripCounter{}
	}
	c.AddHook(r.trips)
	return c
}

// Connect returns a client that answered PING. With wait it keeps trying
// until ctx ends; without, an unreachable server is an error naming it.
func (r *Redis) Connect(ctx context.Context, wait bool, log *slog.Logger) (redis.UniversalClient, error) {
	c := r.Client()
	delay := 100 * time.Millisecond
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return c, nil
		}
		if !wait || ctx.Err() != nil {
			c.Close()
			return nil, fmt.Errorf("redis at %s is not reachable: %w", r.Addr, err)
		}
		log.Warn("waiting for redis", "addr", r.Addr, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}
