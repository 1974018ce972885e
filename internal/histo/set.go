package histo

import (
	"strings"
	"sync/atomic"
	"time"
)

// Set keeps one histogram per source, such as the cache tier that served a
// check. It is safe for concurrent use, and Observe neither locks nor
// allocates: each source has a fixed array of atomic counters.
type Set struct {
	names  []string
	counts []atomicCounts // counts[i] belongs to names[i]
}

type atomicCounts [numBuckets]atomic.Int64

// NewSet returns a Set for the given sources; a repeated source is kept
// once. Sources must not contain ':', which separates source and label in
// the keys of Take.
func NewSet(sources ...string) *Set {
	s := &Set{}
	for _, name := range sources {
		if s.index(name) < 0 {
			s.names = append(s.names, name)
		}
	}
	s.counts = make([]atomicCounts, len(s.names))
	return s
}

func (s *Set) index(source string) int {
	for i, name := range s.names {
		if name == source {
			return i
		}
	}
	return -1
}

// Observe counts d for source. A source that NewSet was not given is
// ignored.
func (s *Set) Observe(source string, d time.Duration) {
	if i := s.index(source); i >= 0 {
		s.counts[i][bucketOf(d)].Add(1)
	}
}

// Take returns the counts observed since the last Take, keyed
// "source:label", and resets them. Empty buckets are left out. Each bucket
// is read and reset atomically, so every observation is taken exactly once,
// though the map is not a snapshot of one instant.
func (s *Set) Take() map[string]int64 {
	m := make(map[string]int64)
	for i, name := range s.names {
		for b := range s.counts[i] {
			if n := s.counts[i][b].Swap(0); n != 0 {
				m[name+":"+labels[b]] = n
			}
		}
	}
	return m
}

// Add adds counts keyed "source:label", such as a map that Take returned
// and that could not be flushed. Unknown sources and labels are ignored.
func (s *Set) Add(m map[string]int64) {
	for key, n := range m {
		source, label, ok := splitKey(key)
		if !ok {
			continue
		}
		b, known := labelIndex[label]
		if i := s.index(source); i >= 0 && known {
			s.counts[i][b].Add(n)
		}
	}
}

// SummarizeBySource computes a Summary per source from counts keyed
// "source:label", as returned by Set.Take and summed across workers. Keys
// without a ':' and unknown labels are ignored.
func SummarizeBySource(counts map[string]int64) map[string]Summary {
	bySource := make(map[string]map[string]int64)
	for key, n := range counts {
		source, label, ok := splitKey(key)
		if !ok {
			continue
		}
		if bySource[source] == nil {
			bySource[source] = make(map[string]int64)
		}
		bySource[source][label] += n
	}
	out := make(map[string]Summary, len(bySource))
	for source, c := range bySource {
		out[source] = Summarize(c)
	}
	return out
}

// splitKey splits "source:label" at its last ':'.
func splitKey(key string) (source, label string, ok bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}
