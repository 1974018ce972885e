package progress

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/queue"
)

func TestNewReport(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := queue.Stats{
		RunID: "r1", StartedAt: now.Add(-time.Minute), Now: now,
		Total: 1000, Queued: 750, Processing: 3, Delayed: 2, Success: 240, Error: 5, Done: 245,
		Counters: map[string]int64{"l1": 6, "l2": 2, "origin": 10, "merged": 2},
		Latency:  map[string]int64{"origin:250": 10, "l1:0.001": 4, "bogus": 3},
		Workers: []queue.Worker{
			{Name: "b", LastSeen: now.Add(-time.Second)},
			{Name: "a", LastSeen: now.Add(-time.Hour / 2)},
		},
	}
	r := NewReport(s, 50, true, 30*time.Second)
	if r.Progress != 24.5 {
		t.Errorf("progress: got %v; want 24.5", r.Progress)
	}
	if r.Rate == nil || *r.Rate != 50 {
		t.Errorf("rate: got %v; want 50", r.Rate)
	}
	if r.ETASeconds == nil || *r.ETASeconds != 16 { // 755/50 = 15.1, rounded up
		t.Errorf("eta: got %v; want 16", r.ETASeconds)
	}
	if r.Workers != 1 || len(r.WorkerList) != 2 || r.WorkerList[0].Name != "a" || r.WorkerList[0].Alive || !r.WorkerList[1].Alive {
		t.Errorf("workers: got %d %+v; want 1 live of a (dead), b (alive)", r.Workers, r.WorkerList)
	}
	if r.Cache.HitRate == nil || *r.Cache.HitRate != 0.5 {
		t.Errorf("hit rate: got %v; want 0.5", r.Cache.HitRate)
	}
	if got := r.LatencyMS["origin"]; got.Count != 10 || got.Max != 250 {
		t.Errorf("origin latency: got %+v; want count 10, max 250", got)
	}
	if got := len(r.LatencyMS); got != 2 {
		t.Errorf("latency sources: got %d; want 2", got)
	}
	if r.StartedAt == nil || !r.StartedAt.Equal(s.StartedAt) || r.Finished {
		t.Errorf("started %v finished %v; want %v, false", r.StartedAt, r.Finished, s.StartedAt)
	}
}

func TestNewReportEmpty(t *testing.T) {
	r := NewReport(queue.Stats{}, 0, false, time.Second)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rate", "eta_seconds", "started_at"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s: got %v (present %v); want null", k, v, ok)
		}
	}
	if m["progress"] != 0.0 || m["finished"] != false {
		t.Errorf("progress %v finished %v; want 0 false", m["progress"], m["finished"])
	}
	if c := m["cache"].(map[string]any); c["hit_rate"] != nil {
		t.Errorf("hit_rate: got %v; want null", c["hit_rate"])
	}
	if wl, ok := m["worker_list"].([]any); !ok || len(wl) != 0 {
		t.Errorf("worker_list: got %v; want []", m["worker_list"])
	}
}

func TestNewReportFinished(t *testing.T) {
	s := queue.Stats{Total: 4, Done: 4, Success: 4}
	r := NewReport(s, 0, false, time.Second)
	if !r.Finished || r.Progress != 100 || r.ETASeconds == nil || *r.ETASeconds != 0 {
		t.Errorf("got finished %v progress %v eta %v; want true 100 0", r.Finished, r.Progress, r.ETASeconds)
	}
}
