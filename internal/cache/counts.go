package cache

import "sync/atomic"

// counts tallies how lookups were served; see TakeCounts.
type counts struct {
	l1, l2, origin, merged atomic.Int64
}

// counter returns the counter named by a TakeCounts key, or nil.
func (c *counts) counter(name string) *atomic.Int64 {
	switch name {
	case SourceL1:
		return &c.l1
	case SourceL2:
		return &c.l2
	case SourceOrigin:
		return &c.origin
	case Merged:
		return &c.merged
	}
	return nil
}

// TakeCounts returns how lookups were served since the last TakeCounts,
// and resets the counts. Keys:
//   - "l1": lookups served by L1;
//   - "l2": lookups and shared loads served by L2;
//   - "origin": fetches, that is, requests to origins;
//   - "merged": callers served by a load another caller ran, in this
//     process or in another worker.
//
// A shared load counts once, under its source; each other caller that it
// served counts under "merged". A caller whose context ended before its
// result was ready counts nowhere. TakeCounts is safe for concurrent use.
func (c *Cache) TakeCounts() map[string]int64 {
	return map[string]int64{
		SourceL1:     c.counts.l1.Swap(0),
		SourceL2:     c.counts.l2.Swap(0),
		SourceOrigin: c.counts.origin.Swap(0),
		Merged:       c.counts.merged.Swap(0),
	}
}

// AddCounts adds counts back, such as a map from TakeCounts whose commit
// failed. Unknown keys are ignored. It is safe for concurrent use.
func (c *Cache) AddCounts(m map[string]int64) {
	for name, n := range m {
		if ctr := c.counts.counter(name); ctr != nil {
			ctr.Add(n)
		}
	}
}
