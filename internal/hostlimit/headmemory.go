package hostlimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// HeadMemory remembers, in Redis and so for every worker, the hosts where
// HEAD does not work, so that their later checks go straight to GET. Each
// process keeps the answers it read for a short while, so a host costs a
// Redis round trip now and then rather than one per check. It implements
// check.HeadMemory and is safe for concurrent use.
type HeadMemory struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration // how long Redis remembers a host
	local  time.Duration // how long this process trusts an answer
	log    *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	answers map[string]headAnswer // host -> what Redis said, and until when to trust it
}

type headAnswer struct {
	broken bool
	until  time.Time
}

// maxHeadAnswers bounds the local answers; past it they are all dropped.
const maxHeadAnswers = 10_000

// NewHeadMemory returns a HeadMemory keeping hosts under prefix (as
// Config.Prefix) for ttl, trusting what it read for local.
func NewHeadMemory(rdb redis.UniversalClient, prefix string, ttl, local time.Duration, log *slog.Logger) *HeadMemory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &HeadMemory{rdb: rdb, prefix: prefix, ttl: ttl, local: local, log: log, now: time.Now,
		answers: make(map[string]headAnswer)}
}

func (m *HeadMemory) key(host string) string { return m.prefix + "{" + host + "}:nohead" }

// HeadBroken reports whether some worker found that HEAD fails on host. A
// Redis error counts as "not known broken": the check then tries HEAD.
func (m *HeadMemory) HeadBroken(ctx context.Context, host string) bool {
	host, err := normalizeHost(host)
	if err != nil {
		return false
	}
	if a, ok := m.cached(host); ok {
		return a
	}
	n, err := m.rdb.Exists(ctx, m.key(host)).Result()
	if err != nil {
		m.log.Debug("head memory unavailable", "host", host, "err", err)
		return false
	}
	m.remember(host, n == 1)
	return n == 1
}

// MarkHeadBroken records that HEAD fails on host, for every worker.
func (m *HeadMemory) MarkHeadBroken(ctx context.Context, host string) {
	host, err := normalizeHost(host)
	if err != nil {
		return
	}
	m.remember(host, true)
	if err := m.rdb.Set(ctx, m.key(host), 1, m.ttl).Err(); err != nil {
		m.log.Debug("head memory not recorded", "host", host, "err", err)
	}
}

func (m *HeadMemory) cached(host string) (bool, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.answers[host]
	if !ok || m.now().After(a.until) {
		return false, false
	}
	return a.broken, true
}

func (m *HeadMemory) remember(host string, broken bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.answers) >= maxHeadAnswers {
		clear(m.answers)
	}
	m.answers[host] = headAnswer{broken: broken, until: m.now().Add(m.local)}
}
