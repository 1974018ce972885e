package chaos

import (
	"context"
	"encoding/json"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

// feedResults reads every result of the feed (uncapped here, see fastEnv),
// keyed by job id, and counts the entries beyond one per job.
func (s *system) feedResults() (map[string]check.Result, int64) {
	s.tb.Helper()
	byID := make(map[string]check.Result)
	var extra int64
	for e, err := range s.q.Scan(context.Background(), queue.FeedStream, queue.Range{}, 1000) {
		if err != nil {
			s.tb.Fatalf("scan the feed: %v", err)
		}
		var r check.Result
		if err := json.Unmarshal(e.Result, &r); err != nil {
			s.tb.Errorf("feed entry %s is not a result: %v: %s", e.ID, err, e.Result)
			continue
		}
		if _, seen := byID[r.ID]; seen {
			extra++
		}
		byID[r.ID] = r
	}
	return byID, extra
}

// verify checks that the run ended with exactly one result per job: the
// counters agree with each other and with the results, one feed entry per
// job, nothing left queued, delayed, in flight or leased, and no duplicate
// seen by the commit script. It returns what was lost and duplicated, and
// the results by job id.
func (s *system) verify(n int64) (tally, map[string]check.Result) {
	s.tb.Helper()
	st := s.stats()
	sz, err := s.q.Sizes(context.Background())
	if err != nil {
		s.tb.Fatal(err)
	}
	byID, extra := s.feedResults()
	t := tally{lost: n - sz.Results, dup: extra + st.Counters["bug_duplicate"]}
	if st.Total != n || st.Done != n || st.Success+st.Error != st.Done || !st.Finished() {
		s.tb.Errorf("stats: total %d done %d success %d error %d finished %v; want %d done",
			st.Total, st.Done, st.Success, st.Error, st.Finished(), n)
	}
	if sz.Results != n || sz.Feed != n || sz.Pending+sz.Delayed+sz.Inflight+sz.Leases+sz.Jobs != 0 {
		s.tb.Errorf("sizes = %+v; want %d results and feed entries, nothing else left", sz, n)
	}
	if int64(len(byID)) != n || extra != 0 {
		s.tb.Errorf("feed holds %d jobs and %d extra entries; want %d jobs, none twice", len(byID), extra, n)
	}
	if d := st.Counters["bug_duplicate"]; d != 0 {
		s.tb.Errorf("bug_duplicate = %d; want 0", d)
	}
	var ok, failed int64
	for _, r := range byID {
		if r.OK {
			ok++
		} else {
			failed++
		}
	}
	if ok != st.Success || failed != st.Error {
		s.tb.Errorf("counters say %d ok and %d failed; the results say %d and %d", st.Success, st.Error, ok, failed)
	}
	return t, byID
}
