package queue

import (
	"fmt"
	"regexp"
)

// keys names every Redis key of one namespace. All run keys share the
// namespace as hash tag, so every script's keys live in one slot on Redis
// Cluster; cache keys carry no tag so they spread over the cluster.
type keys struct {
	ns string

	pending  string // LIST of job ids; enqueue LPUSH, claim RPOP, requeue RPUSH
	jobs     string // HASH id -> URL, for jobs not yet finished
	inflight string // HASH id -> fencing token "claim/attempt" of the owner
	lease    string // ZSET id -> lease deadline, ms on the Redis clock
	delayed  string // ZSET "id/attempt" -> due time, ms on the Redis clock
	results  string // HASH id -> result JSON, every final result of the run
	feed     string // STREAM of results, newest last, capped at RESULTS_TO_KEEP
	failed   string // STREAM of failed results, never capped within a run
	reaps    string // HASH id -> number of lease expiries (poison-pill count)
	stats    string // HASH counter name -> integer
	latency  string // HASH "source:bucket" -> count of check latencies
	run      string // HASH run metadata: id, started_ms
	seq      string // STRING job id sequence
	wake     string // LIST of wake-up tokens for idle workers
	workers  string // ZSET worker name -> last heartbeat, ms on the Redis clock
	claimPfx string // STRING per claim call: ids it claimed, for idempotent replay
}

var namespaceRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ValidNamespace reports whether ns can name a namespace: it becomes part of
// every key and a hash tag, so braces and separators are not allowed.
func ValidNamespace(ns string) error {
	if !namespaceRE.MatchString(ns) {
		return fmt.Errorf("namespace %q: want 1-64 characters of A-Z a-z 0-9 _ . -", ns)
	}
	return nil
}

func newKeys(ns string) keys {
	p := "{" + ns + "}:"
	return keys{
		ns:       ns,
		pending:  p + "pending",
		jobs:     p + "jobs",
		inflight: p + "inflight",
		lease:    p + "lease",
		delayed:  p + "delayed",
		results:  p + "results",
		feed:     p + "feed",
		failed:   p + "failed",
		reaps:    p + "reaps",
		stats:    p + "stats",
		latency:  p + "latency",
		run:      p + "run",
		seq:      p + "seq",
		wake:     p + "wake",
		workers:  p + "workers",
		claimPfx: p + "claim:",
	}
}

// runKeys are the keys a new run deletes. The cache and the worker registry
// outlive runs.
func (k keys) runKeys() []string {
	return []string{k.pending, k.jobs, k.inflight, k.lease, k.delayed, k.results,
		k.feed, k.failed, k.reaps, k.stats, k.latency, k.run, k.seq, k.wake}
}

// CachePrefix is where the result cache of namespace ns keeps its entries.
// It has no hash tag on purpose: cache keys spread over a cluster.
func CachePrefix(ns string) string { return ns + ":cache:" }
