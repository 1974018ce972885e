package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{RateWindow: 200 * time.Millisecond})
	f.commit(t, okSpec("a.test"), failSpec(404, check.KindHTTP4xx, "a.test"))
	if _, err := f.q.Enqueue(ctx, []string{"http://left.test/1", "http://left.test/2"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := f.q.Claim(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(check.Result{ID: jobs[0].ID, URL: jobs[0].URL, OK: true, Status: 200})
	_, _, err = f.q.Commit(ctx, []queue.Outcome{{ID: jobs[0].ID, Token: jobs[0].Token, Kind: queue.Succeeded, Result: raw}},
		queue.Deltas{Stats: map[string]int64{"l1": 3, "l2": 1, "origin": 2, "merged": 2}, Latency: map[string]int64{"origin:250": 4, "l1:0.01": 6}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Extend(ctx, "worker-1", nil); err != nil {
		t.Fatal(err)
	}

	var raw1 map[string]any
	f.getJSON(t, "/stats", &raw1)
	for _, k := range []string{"total", "queued", "processing", "delayed", "success", "error", "done", "dead", "retried",
		"progress", "rate", "eta_seconds", "run_id", "started_at", "finished", "workers", "worker_list", "cache", "latency_ms"} {
		if _, ok := raw1[k]; !ok {
			t.Errorf("/stats lacks %q", k)
		}
	}
	var s progress.Report
	f.getJSON(t, "/stats", &s)
	if s.Total != 4 || s.Queued != 1 || s.Done != 3 || s.Success != 2 || s.Error != 1 || s.Progress != 75 || s.Finished {
		t.Errorf("counts: got %+v; want total 4 queued 1 done 3 success 2 error 1 progress 75, unfinished", s)
	}
	if s.Workers != 1 || len(s.WorkerList) != 1 || s.WorkerList[0].Name != "worker-1" {
		t.Errorf("workers: got %d %+v; want worker-1 alive", s.Workers, s.WorkerList)
	}
	if c := s.Cache; c.L1 != 3 || c.L2 != 1 || c.Origin != 2 || c.Merged != 2 || c.HitRate == nil || *c.HitRate != 0.75 {
		t.Errorf("cache: got %+v; want 3 1 2 2 and hit rate 0.75", c)
	}
	if l := s.LatencyMS["origin"]; l.Count != 4 || l.Max != 250 {
		t.Errorf("origin latency: got %+v; want count 4, max 250", l)
	}
	if s.RunID == "" || s.StartedAt == nil {
		t.Errorf("run: got %q %v; want an id and a start", s.RunID, s.StartedAt)
	}
	// The window needs samples a tenth of its span apart; then the rate
	// is known (zero: nothing moves) and the ETA, with work left, is not.
	waitfor.Cond(t, 5*time.Second, "a known rate", func() bool {
		f.getJSON(t, "/stats", &s)
		return s.Rate != nil
	})
	if *s.Rate != 0 || s.ETASeconds != nil {
		t.Errorf("rate %v eta %v; want 0 and unknown", *s.Rate, s.ETASeconds)
	}
}

func TestRunSamplesInTheBackground(t *testing.T) {
	f := newFixture(t, Config{RateWindow: 100 * time.Millisecond, SampleInterval: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.api.Run(ctx) }()
	waitfor.Cond(t, 5*time.Second, "a known rate without /stats calls", func() bool {
		_, known := f.api.win.Rate()
		return known
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v; want nil", err)
	}
}

func TestHealthAndReady(t *testing.T) {
	f := newFixture(t, Config{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, body := f.get(t, path, "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d %s; want 200", path, resp.StatusCode, body)
		}
	}
}
