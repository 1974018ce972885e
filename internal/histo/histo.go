// Package histo keeps bounded, mergeable latency histograms. Counts live in
// fixed log-spaced buckets named by stable labels, so the histograms of many
// workers merge by adding counts per label, as Redis HINCRBY does, and
// percentiles are computed from the merged counts.
//
// Bucket labels are upper bounds in milliseconds written as decimals, such as
// "0.00125" (1.25 µs) or "250" (250 ms), from "0.001" (1 µs) to "63000"
// (63 s), plus "inf" for anything longer.
package histo

import "time"

// Histogram counts durations in fixed log-spaced buckets. Its zero value is
// an empty histogram ready to use. It is not safe for concurrent use; Set
// is.
type Histogram struct {
	counts [numBuckets]int64
}

// Observe counts d.
func (h *Histogram) Observe(d time.Duration) {
	h.counts[bucketOf(d)]++
}

// Take returns the counts observed since the last Take, by bucket label,
// and resets them. Empty buckets are left out, so an empty histogram gives
// an empty map.
func (h *Histogram) Take() map[string]int64 {
	m := make(map[string]int64)
	for i, n := range h.counts {
		if n != 0 {
			m[labels[i]] = n
			h.counts[i] = 0
		}
	}
	return m
}

// Add adds counts by bucket label, such as a map that Take returned and that
// could not be flushed. Unknown labels are ignored.
func (h *Histogram) Add(m map[string]int64) {
	for l, n := range m {
		if i, ok := labelIndex[l]; ok {
			h.counts[i] += n
		}
	}
}

// Summary summarises the counts observed since the last Take.
func (h *Histogram) Summary() Summary {
	return summarize(&h.counts)
}
