package histo

// Summary describes a latency distribution. Durations are in milliseconds.
//
// Percentiles are interpolated linearly within their bucket, so they are
// within a bucket's width (at most 28%) of the exact value. Max is the
// upper bound of the highest non-empty bucket, not the largest value seen:
// a true maximum cannot be merged with HINCRBY, a bucket bound can. Values
// above 63 s count as 63 s.
type Summary struct {
	Count int64
	P50   float64
	P95   float64
	P99   float64
	Max   float64
}

// Summarize computes a Summary from bucket counts by label, as returned by
// Histogram.Take and summed across histograms, for instance read back from
// a Redis hash. Unknown labels and counts below one are ignored.
func Summarize(counts map[string]int64) Summary {
	var c [numBuckets]int64
	for l, n := range counts {
		if i, ok := labelIndex[l]; ok && n > 0 {
			c[i] += n
		}
	}
	return summarize(&c)
}

func summarize(c *[numBuckets]int64) Summary {
	var s Summary
	top := -1
	for i, n := range c {
		s.Count += n
		if n > 0 {
			top = i
		}
	}
	if s.Count == 0 {
		return s
	}
	s.P50 = quantile(c, s.Count, 0.50)
	s.P95 = quantile(c, s.Count, 0.95)
	s.P99 = quantile(c, s.Count, 0.99)
	s.Max = upperMS(top)
	return s
}

// quantile estimates the q-quantile of total counts in c: it finds the
// bucket holding the value of rank q*total and interpolates linearly
// between the bucket's bounds.
func quantile(c *[numBuckets]int64, total int64, q float64) float64 {
	rank := q * float64(total)
	var below int64
	last := 0
	for i, n := range c {
		if n <= 0 {
			continue
		}
		if float64(below+n) >= rank {
			lo, hi := lowerMS(i), upperMS(i)
			return lo + (hi-lo)*(rank-float64(below))/float64(n)
		}
		below += n
		last = i
	}
	return upperMS(last)
}
