package histo

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// maxRelErr is the worst error of an estimate: the widest bucket ratio.
const maxRelErr = 0.28

func TestSummaryOfKnownDistributions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sample func(r *rand.Rand) time.Duration
	}{
		{"constant 3ms", func(*rand.Rand) time.Duration { return 3 * time.Millisecond }},
		{"uniform 1us-10ms", func(r *rand.Rand) time.Duration {
			return time.Microsecond + time.Duration(r.Int64N(int64(10*time.Millisecond)))
		}},
		{"exponential mean 20ms", func(r *rand.Rand) time.Duration {
			return time.Duration(r.ExpFloat64() * float64(20*time.Millisecond))
		}},
		{"lognormal around 300us", func(r *rand.Rand) time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()) * float64(300*time.Microsecond))
		}},
		{"bimodal 90% 200us 10% 80ms", func(r *rand.Rand) time.Duration {
			if r.IntN(10) == 0 {
				return 80*time.Millisecond + time.Duration(r.Int64N(int64(10*time.Millisecond)))
			}
			return 200*time.Microsecond + time.Duration(r.Int64N(int64(50*time.Microsecond)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h Histogram
			samples := make([]time.Duration, 10000)
			for i := range samples {
				samples[i] = tc.sample(r)
				h.Observe(samples[i])
			}
			slices.Sort(samples)
			got := Summarize(h.Take())
			if got.Count != int64(len(samples)) {
				t.Errorf("Count: got %d; want %d", got.Count, len(samples))
			}
			for _, p := range []struct {
				name string
				got  float64
				q    float64
			}{{"P50", got.P50, 0.50}, {"P95", got.P95, 0.95}, {"P99", got.P99, 0.99}} {
				assertNear(t, p.name, p.got, exactQuantile(samples, p.q))
			}
			maxMS := durMS(samples[len(samples)-1])
			if got.Max < maxMS || got.Max > maxMS*(1+maxRelErr) {
				t.Errorf("Max: got %v ms; want the bucket bound just above %v ms", got.Max, maxMS)
			}
		})
	}
}

// exactQuantile returns the sample of rank ceil(q*n) of sorted samples, in ms.
func exactQuantile(sorted []time.Duration, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return durMS(sorted[max(i, 0)])
}

func durMS(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

func assertNear(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > want*maxRelErr {
		t.Errorf("%s: got %.4f ms; want %.4f ms within %.0f%%", name, got, want, maxRelErr*100)
	}
}

func TestSummaryEmpty(t *testing.T) {
	var h Histogram
	if got := h.Take(); len(got) != 0 {
		t.Errorf("Take of empty histogram: got %v; want empty map", got)
	}
	for _, counts := range []map[string]int64{nil, {}, {"bogus": 3}, {"0.001": 0}, {"0.001": -2}} {
		if got := Summarize(counts); got != (Summary{}) {
			t.Errorf("Summarize(%v): got %+v; want zero Summary", counts, got)
		}
	}
}

func TestSummaryOverflow(t *testing.T) {
	var h Histogram
	h.Observe(2 * time.Minute)
	want := Summary{Count: 1, P50: 63000, P95: 63000, P99: 63000, Max: 63000}
	if got := h.Summary(); got != want {
		t.Errorf("Summary: got %+v; want %+v", got, want)
	}
}

func TestTakeAddRoundTrip(t *testing.T) {
	var h Histogram
	for _, d := range []time.Duration{0, time.Microsecond, 3 * time.Millisecond, 3 * time.Millisecond, time.Hour} {
		h.Observe(d)
	}
	first := h.Take()
	want := map[string]int64{"0.001": 2, "3.2": 2, "inf": 1}
	if !maps.Equal(first, want) {
		t.Fatalf("Take: got %v; want %v", first, want)
	}
	if got := h.Take(); len(got) != 0 {
		t.Errorf("second Take: got %v; want empty map", got)
	}
	h.Add(first)
	h.Add(map[string]int64{"no-such-bucket": 5})
	if got := h.Take(); !maps.Equal(got, want) {
		t.Errorf("Take after Add: got %v; want %v", got, want)
	}
}

func TestMergeEqualsUnion(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a, b, union Histogram
	for i := range 5000 {
		d := time.Duration(r.ExpFloat64() * float64(5*time.Millisecond))
		union.Observe(d)
		if i%3 == 0 {
			a.Observe(d)
		} else {
			b.Observe(d)
		}
	}
	merged := a.Take()
	for l, n := range b.Take() {
		merged[l] += n
	}
	want := union.Take()
	if !maps.Equal(merged, want) {
		t.Errorf("merged counts: got %v; want %v", merged, want)
	}
	if got, want := Summarize(merged), Summarize(want); got != want {
		t.Errorf("Summarize(merged): got %+v; want %+v", got, want)
	}
}
