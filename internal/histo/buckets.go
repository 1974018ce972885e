package histo

import (
	"strconv"
	"time"
)

// Buckets are the R10 preferred numbers, ten log-spaced steps per decade,
// from 1 µs to 63 s, plus one overflow bucket. Neighbouring bounds differ by
// at most 28%, so an interpolated percentile is well within 25% of the truth.
const (
	numBounds  = 79            // upper bounds, 1 µs ... 63 s
	numBuckets = numBounds + 1 // plus the overflow bucket, above 63 s

	// overflowLabel names the bucket of durations above the last bound.
	overflowLabel = "inf"
)

// steps are the mantissas of one decade of bounds, in units of a tenth of
// the decade's first bound.
var steps = [10]int64{100, 125, 160, 200, 250, 320, 400, 500, 630, 800}

var (
	// bounds[i] is the inclusive upper bound of bucket i, in nanoseconds.
	bounds = makeBounds()
	// labels[i] names bucket i: its upper bound in milliseconds, written
	// shortest, such as "0.00125" or "63000", or overflowLabel.
	labels = makeLabels()
	// labelIndex maps a label back to its bucket.
	labelIndex = makeLabelIndex()
)

func makeBounds() [numBounds]int64 {
	var b [numBounds]int64
	scale := int64(time.Microsecond) / steps[0]
	for i := range b {
		b[i] = steps[i%len(steps)] * scale
		if i%len(steps) == len(steps)-1 {
			scale *= 10
		}
	}
	return b
}

func makeLabels() [numBuckets]string {
	var l [numBuckets]string
	for i, ns := range bounds {
		l[i] = strconv.FormatFloat(nsToMS(ns), 'f', -1, 64)
	}
	l[numBounds] = overflowLabel
	return l
}

func makeLabelIndex() map[string]int {
	m := make(map[string]int, numBuckets)
	for i, l := range labels {
		m[l] = i
	}
	return m
}

func nsToMS(ns int64) float64 {
	return float64(ns) / float64(time.Millisecond)
}

// bucketOf returns the bucket that counts d: the first whose bound is at
// least d. Negative durations count as zero.
func bucketOf(d time.Duration) int {
	ns := int64(d)
	lo, hi := 0, numBounds
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bounds[mid] < ns {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// upperMS is bucket i's upper bound in milliseconds. The overflow bucket
// has none; it reports the last bound, so values above 63 s read as 63 s.
func upperMS(i int) float64 {
	return nsToMS(bounds[min(i, numBounds-1)])
}

// lowerMS is bucket i's lower bound in milliseconds: the previous bucket's
// upper bound, or zero for the first.
func lowerMS(i int) float64 {
	if i == 0 {
		return 0
	}
	return upperMS(i - 1)
}
