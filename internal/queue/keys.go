package queue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// keys names the Redis keys of one shard of a namespace's run. All keys of
// a shard share one hash tag, so every script's keys live in one slot on
// Redis Cluster, while the shards of a namespace spread over the cluster.
// Cache keys carry no tag of the queue's so they spread too.
type keys struct {
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
	wake     string // LIST of wake-up tokens for idle workers
	claimPfx string // STRING per claim call: ids it claimed, for idempotent replay
}

// nsKeys names the keys of a namespace that are not per shard. They share
// the namespace's own hash tag.
type nsKeys struct {
	run     string // HASH run metadata: id, started_ms, shards
	seq     string // STRING job id sequence
	workers string // ZSET worker name -> last heartbeat, ms on the Redis clock
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

func newNSKeys(ns string) nsKeys {
	p := "{" + ns + "}:"
	return nsKeys{run: p + "run", seq: p + "seq", workers: p + "workers"}
}

// newKeys returns the keys of shard i of n. A single shard uses the
// namespace's tag, so a one-shard run keeps the plainest key names.
func newKeys(ns string, i, n int) keys {
	tag := ns
	if n > 1 {
		tag = ns + "/" + strconv.Itoa(i)
	}
	p := "{" + tag + "}:"
	return keys{
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
		wake:     p + "wake",
		claimPfx: p + "claim:",
	}
}

// runKeys are the keys of a shard that a new run deletes. The cache and
// the worker registry outlive runs.
func (k keys) runKeys() []string {
	return []string{k.pending, k.jobs, k.inflight, k.lease, k.delayed, k.results,
		k.feed, k.failed, k.reaps, k.stats, k.latency, k.wake}
}

// shardOf returns the shard of job id: ids of a sharded run are
// "shard.number", those of a one-shard run plain numbers.
func shardOf(id string, n int) int {
	if n == 1 {
		return 0
	}
	s, _, _ := strings.Cut(id, ".")
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n {
		return 0
	}
	return i
}

// CachePrefix is where the result cache of namespace ns keeps its entries.
// It has no hash tag on purpose: cache keys spread over a cluster.
func CachePrefix(ns string) string { return ns + ":cache:" }
