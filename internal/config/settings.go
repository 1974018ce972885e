package config

import (
	"time"
)

// Queue holds the settings of the queue protocol that producers and
// workers must agree on.
type Queue struct {
	Lease         time.Duration
	MaxReaps      int
	ResultsToKeep int
}

// Register adds the queue settings to s.
func (q *Queue) Register(s *Set) {
	s.Duration(&q.Lease, "lease", "LEASE", 30*time.Second,
		"how long a claimed job stays owned without a heartbeat", Between(100*time.Millisecond, time.Hour))
	s.Int(&q.MaxReaps, "max-reaps", "MAX_REAPS", 3,
		"lease expiries after which a job that keeps killing workers gets a final 'dead' result", Between(1, 100))
	s.Int(&q.ResultsToKeep, "results-to-keep", "RESULTS_TO_KEEP", 10000,
		"length of the newest-results feed; 0 keeps all (failed results are always kept for the run)", NonNegative[int])
}

// Worker holds a worker's settings.
type Worker struct {
	Concurrency   int
	HTTPTimeout   time.Duration
	WaitTimeout   time.Duration
	MaxRetries    int
	RetryBase     time.Duration
	BatchSize     int
	FlushInterval time.Duration
	Drain         bool
	WaitRedis     bool
	MetricsAddr   string

	HostConcurrency int
	HostRate        float64
	MaxRetryAfter   time.Duration
	HostsFile       string
	Method          string
	Accept          string
	UserAgent       string
	Insecure        bool
	DenyPrivate     bool
}

// Register adds the worker settings to s.
func (w *Worker) Register(s *Set) {
	s.Int(&w.Concurrency, "concurrency", "CONCURRENCY", 64, "checks in flight in this process", Between(1, 100000))
	s.Duration(&w.HTTPTimeout, "http-timeout", "HTTP_TIMEOUT", 5*time.Second,
		"time budget of one attempt, including reading the body (seconds, or a duration such as 500ms)",
		Between(time.Millisecond, time.Hour))
	s.Duration(&w.WaitTimeout, "worker-timeout", "WORKER_TIMEOUT", time.Second,
		"how long an idle worker's blocking claim waits for new work", Between(10*time.Millisecond, time.Minute))
	s.Int(&w.MaxRetries, "max-retries", "MAX_RETRIES", 5,
		"retries of a transient failure (timeout, connection error, 5xx, 429)", Between(0, 100))
	s.Duration(&w.RetryBase, "retry-base", "RETRY_BASE", time.Second,
		"first retry delay; later ones double, with jitter, up to 60s", Between(time.Millisecond, time.Hour))
	s.Int(&w.BatchSize, "batch-size", "BATCH_SIZE", 500, "results per write-behind flush", Between(1, 10000))
	s.Duration(&w.FlushInterval, "flush-interval", "FLUSH_INTERVAL", 2*time.Second,
		"longest a result waits before it is flushed", Between(time.Millisecond, time.Hour))
	s.Bool(&w.Drain, "drain", "DRAIN", false, "exit 0 once no work is left (nothing queued, delayed or in flight)")
	s.Bool(&w.WaitRedis, "wait-redis", "WAIT_REDIS", false, "wait for Redis at start-up instead of failing")
	s.String(&w.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "serve Prometheus /metrics on this address", nil)
	w.registerPoliteness(s)
}

func (w *Worker) registerPoliteness(s *Set) {
	s.Int(&w.HostConcurrency, "host-concurrency", "HOST_CONCURRENCY", 8,
		"requests in flight to one host across ALL workers; 0 for no limit", Between(0, 100000))
	s.Float(&w.HostRate, "host-rate", "HOST_RATE", 0, "requests per second to one host across all workers; 0 for no limit")
	s.Duration(&w.MaxRetryAfter, "max-retry-after", "MAX_RETRY_AFTER", time.Minute,
		"cap on the host-wide pause a Retry-After header can ask for", Between(time.Second, 24*time.Hour))
	s.String(&w.HostsFile, "hosts", "HOSTS_FILE", "", "JSON file of per-host concurrency and rate overrides", nil)
	s.String(&w.Method, "method", "METHOD", "get", "get, head, or head,get (HEAD first, GET where HEAD fails)", nil)
	s.String(&w.Accept, "accept", "ACCEPT", "200..399", "final statuses that count as ok, e.g. 200..299,403,429", nil)
	s.String(&w.UserAgent, "user-agent", "USER_AGENT", "", "User-Agent header (default names the tool)", nil)
	s.Bool(&w.Insecure, "insecure", "INSECURE", false, "skip TLS certificate verification (certificate data is still reported)")
	s.Bool(&w.DenyPrivate, "deny-private", "DENY_PRIVATE", false,
		"refuse loopback, private, link-local and metadata addresses, checked at dial time (use for untrusted lists)")
}

// Cache holds the result cache's settings.
type Cache struct {
	Enabled  bool
	L1Size   int
	L1TTL    time.Duration
	TTL      time.Duration
	ErrorTTL time.Duration
}

// Register adds the cache settings to s.
func (c *Cache) Register(s *Set) {
	s.Bool(&c.Enabled, "cache", "CACHE", true, "serve repeated URLs from the cache; CACHE=off fetches every URL")
	s.Int(&c.L1Size, "l1-size", "L1_SIZE", 1000, "entries of the in-process cache", Between(1, 10_000_000))
	s.Duration(&c.L1TTL, "l1-ttl", "L1_TTL", time.Minute, "freshness of an in-process cache entry", Between(time.Millisecond, 24*time.Hour))
	s.Duration(&c.TTL, "cache-ttl", "CACHE_TTL", 5*time.Minute, "lifetime of a successful result in Redis", Between(time.Second, 30*24*time.Hour))
	s.Duration(&c.ErrorTTL, "error-cache-ttl", "ERROR_CACHE_TTL", 30*time.Second,
		"lifetime of a permanent failure in Redis (transient ones are never cached)", Between(time.Second, 30*24*time.Hour))
}
