package hostlimit

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Pause stops every worker's requests to host for d, capped at
// Config.MaxPause, as asked by a Retry-After header. A longer pause already
// set is kept. It returns the pause now in effect; a d of zero or less sets
// nothing.
func (l *Limiter) Pause(ctx context.Context, host string, d time.Duration) (time.Duration, error) {
	host, err := normalizeHost(host)
	if err != nil {
		return 0, fmt.Errorf("pause: %w", err)
	}
	if d <= 0 {
		return 0, nil
	}
	ms := ceilMS(min(d, l.cfg.MaxPause))
	k := newKeys(l.cfg.Prefix, host)
	got, err := l.s.pause.Run(ctx, l.rdb, []string{k.pause}, ms).Int64()
	if err != nil {
		return 0, fmt.Errorf("pause %s: %w", host, err)
	}
	pause := time.Duration(got) * time.Millisecond
	l.watchHost(host, pause)
	l.cfg.Logger.Debug("host paused", slog.String("host", host), slog.Duration("asked", d), slog.Duration("pause", pause))
	return pause, nil
}

// Backoff pauses host after a 429 or 503 that came without Retry-After.
// Each step doubles the pause, starting at Config.BackoffBase and capped at
// Config.MaxPause, with jitter; Recover starts it over. A call while the
// host is paused changes nothing: the failed request started before the
// pause, so it belongs to the step that set it, and the requests that were
// in flight together count as one step. The step count is forgotten
// Config.MaxPause after the pause ends if no Backoff comes in between. It
// returns the pause now in effect.
func (l *Limiter) Backoff(ctx context.Context, host string) (time.Duration, error) {
	host, err := normalizeHost(host)
	if err != nil {
		return 0, fmt.Errorf("backoff: %w", err)
	}
	k := newKeys(l.cfg.Prefix, host)
	res, err := l.s.backoff.Run(ctx, l.rdb, []string{k.pause, k.backoff},
		ceilMS(l.cfg.BackoffBase), ceilMS(l.cfg.MaxPause), l.cfg.Rand(), ceilMS(l.cfg.MaxPause)).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("backoff %s: %w", host, err)
	}
	if len(res) != 2 {
		return 0, fmt.Errorf("backoff %s: script returned %d values; want 2", host, len(res))
	}
	pause := time.Duration(res[1]) * time.Millisecond
	l.watchHost(host, pause)
	l.cfg.Logger.Debug("host backoff", slog.String("host", host), slog.Int64("step", res[0]), slog.Duration("pause", pause))
	return pause, nil
}

// Recover ends the backoff of host after a request that succeeded, so that
// its next Backoff starts again at the first step. A pause in effect is
// kept. Permit.Recover does the same without a round trip when the host
// has no backoff.
func (l *Limiter) Recover(ctx context.Context, host string) error {
	host, err := normalizeHost(host)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	if err := l.rdb.Del(ctx, newKeys(l.cfg.Prefix, host).backoff).Err(); err != nil {
		return fmt.Errorf("recover %s: %w", host, err)
	}
	return nil
}

// watchHost makes Acquire consult Redis for an unlimited host that this
// Limiter paused, until MaxPause after the pause ends.
func (l *Limiter) watchHost(host string, pause time.Duration) {
	if l.policy(host).Unlimited() {
		now := l.cfg.Now()
		l.watch.add(host, now, now.Add(pause+l.cfg.MaxPause))
	}
}

// ceilMS returns d in whole milliseconds, rounded up.
func ceilMS(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
