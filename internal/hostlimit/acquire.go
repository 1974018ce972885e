package hostlimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Answers of the acquire script.
const (
	statusPaused  = 0
	statusGranted = 1
	statusBusy    = 2
	statusRate    = 3
)

// Permit is the right to send one request to a host. A permit that holds a
// slot (its host has a concurrency limit) must be released; releasing any
// other permit, including the zero Permit, does nothing. A Permit is a
// plain value, safe for concurrent use.
type Permit struct {
	rdb     redis.UniversalClient
	k       *keys  // nil when the permit holds no Redis state
	token   string // the permit's member in k.slots; "" when it holds no slot
	backoff bool   // the host had a backoff step count when the permit was granted
}

// Acquire asks, in one round trip, for a permit to send a request to host
// (url.URL.Host; case does not matter). When ok is false, the host is
// paused, has no free slot, or has no room in its rate yet, and wait says
// how long to defer the request:
//
//   - paused: the rest of the pause plus up to Config.BusyWait of jitter,
//     so that the jobs deferred by a pause do not all come back at once;
//   - no free slot: Config.BusyWait, jittered;
//   - no room in the rate: the time at which the rate has room for this
//     caller. Callers turned away are given successive free times, one
//     interval apart, so a backlog of deferred jobs comes back at the
//     host's pace instead of all at once; the wait is capped at
//     Config.MaxPause.
//
// When the host is Unlimited, Acquire grants a permit without asking Redis.
func (l *Limiter) Acquire(ctx context.Context, host string) (p Permit, wait time.Duration, ok bool, err error) {
	return l.AcquirePaced(ctx, host, 0)
}

// AcquirePaced is Acquire for a caller that expects the host's slots to
// free one every pace (its requests' usual duration divided by its
// concurrency). A host with no free slot then gives the callers it turns
// away successive times, pace apart (capped at Config.MaxPause, and never
// less than the wait Acquire gives), as the rate does: a large backlog for
// one busy host comes back at the host's pace instead of every BusyWait.
func (l *Limiter) AcquirePaced(ctx context.Context, host string, pace time.Duration) (p Permit, wait time.Duration, ok bool, err error) {
	host, err = normalizeHost(host)
	if err != nil {
		return Permit{}, 0, false, fmt.Errorf("acquire: %w", err)
	}
	pol := l.policy(host)
	if l.unlimited(pol, host) {
		return Permit{}, 0, true, nil
	}
	token := ""
	if pol.Concurrency > 0 {
		token = l.ids.next()
	}
	return l.acquire(ctx, host, pol, token, pace)
}

// acquire runs the acquire script for host with the given token, which is
// "" when pol has no concurrency limit.
func (l *Limiter) acquire(ctx context.Context, host string, pol Policy, token string, pace time.Duration) (Permit, time.Duration, bool, error) {
	k := newKeys(l.cfg.Prefix, host)
	res, err := l.s.acquire.Run(ctx, l.rdb, []string{k.slots, k.rate, k.tail, k.pause, k.backoff, k.busy},
		token, pol.Concurrency, l.cfg.Lease.Microseconds(), pol.interval(), pol.burst(),
		l.cfg.MaxPause.Microseconds(), pace.Microseconds()).Int64Slice()
	if err != nil {
		return Permit{}, 0, false, fmt.Errorf("acquire %s: %w", host, err)
	}
	if len(res) != 3 {
		return Permit{}, 0, false, fmt.Errorf("acquire %s: script returned %d values; want 3", host, len(res))
	}
	wait := time.Duration(res[1]) * time.Microsecond
	switch res[0] {
	case statusGranted:
		return Permit{rdb: l.rdb, k: &k, token: token, backoff: res[2] == 1}, 0, true, nil
	case statusPaused:
		return Permit{}, wait + l.jitter(l.cfg.BusyWait), false, nil
	case statusBusy:
		return Permit{}, max(wait, l.cfg.BusyWait/2) + l.jitter(l.cfg.BusyWait), false, nil
	case statusRate:
		return Permit{}, wait, false, nil
	}
	return Permit{}, 0, false, fmt.Errorf("acquire %s: script returned status %d", host, res[0])
}

// jitter returns a random duration in [0, d).
func (l *Limiter) jitter(d time.Duration) time.Duration {
	return time.Duration(l.cfg.Rand() * float64(d))
}

// Release frees the permit's slot. It is idempotent, and it never frees a
// slot that another permit got after this one's lease ended. If it fails,
// the slot frees itself when the lease ends. Call it with a context that is
// not already cancelled, such as context.WithoutCancel of the check's.
func (p Permit) Release(ctx context.Context) error {
	if p.token == "" {
		return nil
	}
	if err := p.rdb.ZRem(ctx, p.k.slots, p.token).Err(); err != nil {
		return fmt.Errorf("release permit: %w", err)
	}
	return nil
}

// Recover ends the backoff of the permit's host after a request that
// succeeded, like Limiter.Recover, but it asks Redis only if the host had a
// backoff step count when the permit was granted: on a healthy host it
// costs nothing.
func (p Permit) Recover(ctx context.Context) error {
	if !p.backoff {
		return nil
	}
	if err := p.rdb.Del(ctx, p.k.backoff).Err(); err != nil {
		return fmt.Errorf("recover host: %w", err)
	}
	return nil
}

// ReleaseMany releases permits in one pipeline. If it fails halfway, some
// slots are freed and the others free themselves when their leases end;
// calling it again is harmless.
func (l *Limiter) ReleaseMany(ctx context.Context, permits []Permit) error {
	n := 0
	pipe := l.rdb.Pipeline()
	for _, p := range permits {
		if p.token != "" {
			pipe.ZRem(ctx, p.k.slots, p.token)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("release %d permits: %w", n, err)
	}
	return nil
}

// idSource makes permit tokens: a random prefix, unique to the Limiter, and
// a counter.
type idSource struct {
	prefix string
	n      atomic.Uint64
}

func newIDSource() idSource {
	return idSource{prefix: strconv.FormatUint(rand.Uint64(), 36) + "-"}
}

func (s *idSource) next() string {
	return s.prefix + strconv.FormatUint(s.n.Add(1), 36)
}
