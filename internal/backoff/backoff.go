// Package backoff computes retry delays: exponential growth so that a
// struggling host or Redis gets room to recover, with jitter so that many
// workers that failed together do not retry together.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Defaults applied to zero Policy fields.
const (
	DefaultBase = time.Second
	DefaultMax  = time.Minute
)

// Policy is an exponential backoff with equal jitter. The zero value uses
// the defaults. A Policy is a plain value, safe for concurrent use.
type Policy struct {
	// Base is the ceiling of the first delay. Default 1s.
	Base time.Duration
	// Max caps every delay, even one below Base. Default 60s.
	Max time.Duration
}

// Delay returns how long to wait before retry number attempt (1 for the
// first retry). The ceiling d is Base doubled attempt-1 times, capped at
// Max; the delay is d/2 + rnd()*d/2, in [d/2, d], so it never collapses to
// nearly zero the way full jitter can. rnd must return values in [0, 1);
// nil means math/rand/v2's Float64. Attempts below 1 count as 1. Negative
// Base or Max count as zero, that is, the default.
func (p Policy) Delay(attempt int, rnd func() float64) time.Duration {
	if rnd == nil {
		rnd = rand.Float64
	}
	d := p.ceiling(attempt)
	half := d / 2
	span := d - half
	jitter := time.Duration(min(max(rnd(), 0), 1) * float64(span))
	if jitter < 0 || jitter > span {
		jitter = span // float rounding near the int64 limit
	}
	return half + jitter
}

// ceiling is Base * 2^(attempt-1), capped at Max without overflowing.
func (p Policy) ceiling(attempt int) time.Duration {
	base, limit := p.Base, p.Max
	if base <= 0 {
		base = DefaultBase
	}
	if limit <= 0 {
		limit = DefaultMax
	}
	d := min(base, limit)
	for i := 1; i < attempt && d < limit; i++ {
		if d > limit/2 {
			return limit
		}
		d *= 2
	}
	return d
}
