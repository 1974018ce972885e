package e2e

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
)

// writeRepeated writes lines URLs of o that cycle through distinct ones.
func writeRepeated(tb testing.TB, o *origintest.Origin, distinct, lines int) string {
	var b bytes.Buffer
	for i := range lines {
		fmt.Fprintf(&b, "%s/ok/%d\n", o.URL, i%distinct)
	}
	return origintest.WriteFile(tb, "repeated.txt", b.Bytes())
}

func (s *system) drain(workers int, env ...string) {
	s.tb.Helper()
	var ps []*proc
	for i := range workers {
		ps = append(ps, s.start("worker", env, "-drain", fmt.Sprint("w", i)))
	}
	for _, p := range ps {
		if err := p.Wait(s.tb, 2*time.Minute); err != nil {
			s.tb.Fatalf("%s: %v", p.Name, err)
		}
	}
}

// TestCacheDeduplicatesAcrossWorkers: 50 distinct URLs repeated to 5,000
// lines, three workers: the origin sees each URL about once, not once per
// worker.
func TestCacheDeduplicatesAcrossWorkers(t *testing.T) {
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) { dedup(t, setup.new(t)) })
	}
}

func dedup(t *testing.T, s *system) {
	o := origintest.New(t, 5*time.Millisecond)
	s.run("producer", writeRepeated(t, o, 50, 5000))
	s.drain(3)
	st := s.checkExactlyOnce(5000)
	c := st.Counters
	t.Logf("origin requests %d; l1 %d, l2 %d, origin %d, merged %d", o.Total.Load(), c["l1"], c["l2"], c["origin"], c["merged"])
	if got := o.Total.Load(); got < 50 || got > 55 {
		t.Errorf("origin requests = %d; want about 50 (one per distinct URL)", got)
	}
}

// TestWarmRun checks the same 20,000 URLs twice; the second run, a new run
// on a warm cache, must reach the origin for less than 1% of them.
func TestWarmRun(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 URLs twice")
	}
	const n = 20000
	s := newSystem(t)
	o := origintest.New(t, 0)
	list := writeRepeated(t, o, n, n)
	s.run("producer", list)
	s.drain(1)
	s.checkExactlyOnce(n)
	cold := o.Total.Load()
	s.run("producer", list)
	s.drain(1)
	st := s.checkExactlyOnce(n)
	warm := o.Total.Load() - cold
	c := st.Counters
	t.Logf("cold origin requests %d; warm %d (l1 %d, l2 %d, origin %d)", cold, warm, c["l1"], c["l2"], c["origin"])
	if warm >= n/100 || c["origin"] >= n/100 {
		t.Errorf("warm run reached the origin %d times (counter %d); want under %d", warm, c["origin"], n/100)
	}
}
