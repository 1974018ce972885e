package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

func parseMetrics(tb testing.TB, body []byte) map[string]*dto.MetricFamily {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("parse metrics: %v\n%s", err, body)
	}
	return fams
}

// value returns the value of the sample of family name whose labels
// include want, and false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	fam, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		match := 0
		for _, l := range m.GetLabel() {
			if want[l.GetName()] == l.GetValue() {
				match++
			}
		}
		if match != len(want) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	f.commit(t, okSpec("a.test"), failSpec(500, check.KindHTTP5xx, "a.test"))
	if _, err := f.q.Enqueue(ctx, []string{"http://x.test/", "http://y.test/", "http://z.test/"}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := f.q.Claim(ctx, 1)
	raw, _ := json.Marshal(check.Result{ID: jobs[0].ID, OK: true})
	_, _, err := f.q.Commit(ctx, []queue.Outcome{{ID: jobs[0].ID, Token: jobs[0].Token, Kind: queue.Succeeded, Result: raw}},
		queue.Deltas{
			Stats:   map[string]int64{"l1": 5, "origin": 2},
			Latency: map[string]int64{"origin:250": 3, "origin:inf": 1, "l1:0.01": 5, "l1:bogus": 9},
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Claim(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Extend(ctx, "w1", nil); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/metrics", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d %s; want 200", resp.StatusCode, body)
	}
	fams := parseMetrics(t, body)
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"urlcheck_redis_up", nil, 1},
		{"urlcheck_run_finished", nil, 0},
		{"urlcheck_jobs_enqueued_total", nil, 5},
		{"urlcheck_results_total", map[string]string{"outcome": "success"}, 2},
		{"urlcheck_results_total", map[string]string{"outcome": "error"}, 1},
		{"urlcheck_queue_depth", nil, 1},
		{"urlcheck_jobs_processing", nil, 1},
		{"urlcheck_jobs_delayed", nil, 0},
		{"urlcheck_workers_alive", nil, 1},
		{"urlcheck_dead_letters_total", nil, 0},
		{"urlcheck_cache_lookups_total", map[string]string{"tier": "l1"}, 5},
		{"urlcheck_cache_lookups_total", map[string]string{"tier": "origin"}, 2},
		{"urlcheck_cache_lookups_total", map[string]string{"tier": "merged"}, 0},
		{"urlcheck_check_duration_seconds", map[string]string{"source": "origin"}, 4},
		{"urlcheck_check_duration_seconds", map[string]string{"source": "l1"}, 5},
	}
	for _, tt := range tests {
		got, ok := value(fams, tt.name, tt.labels)
		if !ok || got != tt.want {
			t.Errorf("%s%v: got %v (present %v); want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if _, ok := value(fams, "urlcheck_run_info", nil); !ok {
		t.Error("urlcheck_run_info missing")
	}
	h := fams["urlcheck_check_duration_seconds"].GetMetric()
	for _, m := range h {
		if n := len(m.GetHistogram().GetBucket()); n != 3 {
			t.Errorf("%v: got %d buckets; want the 2 bounds seen, shared, and +Inf", m.GetLabel(), n)
		}
	}
}

func TestMetricsRedisDown(t *testing.T) {
	f := newFixture(t, Config{})
	f.redis.Kill(t)
	resp, body := f.get(t, "/metrics", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d; want 200", resp.StatusCode)
	}
	fams := parseMetrics(t, body)
	if v, ok := value(fams, "urlcheck_redis_up", nil); !ok || v != 0 {
		t.Errorf("urlcheck_redis_up: got %v %v; want 0", v, ok)
	}
	if len(fams) != 1 {
		t.Errorf("got %d families; want only urlcheck_redis_up", len(fams))
	}
}

func TestMetricsHandler(t *testing.T) {
	f := newFixture(t, Config{})
	f.commit(t, okSpec("a.test"))
	rec := httptest.NewRecorder()
	MetricsHandler(f.q, 0).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fams := parseMetrics(t, rec.Body.Bytes())
	if v, ok := value(fams, "urlcheck_results_total", map[string]string{"outcome": "success"}); !ok || v != 1 {
		t.Errorf("success results: got %v %v; want 1", v, ok)
	}
}

func TestHistograms(t *testing.T) {
	tests := []struct {
		name string
		lat  map[string]int64
		want []histogram
	}{
		{"none", nil, []histogram{}},
		{
			"shared bounds, overflow, junk ignored",
			map[string]int64{"b:1": 2, "b:inf": 1, "a:0.5": 1, "a:1": 1, "nocolon": 5, "a:x": 3, "a:-1": 3, "b:2": 0},
			[]histogram{
				{source: "a", count: 2, sum: 0.0015, buckets: map[float64]uint64{0.0005: 1, 0.001: 2}},
				{source: "b", count: 3, sum: 0.003, buckets: map[float64]uint64{0.0005: 0, 0.001: 2}},
			},
		},
		{
			"source with colons",
			map[string]int64{"a:b:63000": 2},
			[]histogram{{source: "a:b", count: 2, sum: 126, buckets: map[float64]uint64{63: 2}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := histograms(tt.lat)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v; want %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.source != w.source || g.count != w.count || math.Abs(g.sum-w.sum) > 1e-12 || len(g.buckets) != len(w.buckets) {
					t.Errorf("got %+v; want %+v", g, w)
					continue
				}
				for b, n := range w.buckets {
					if g.buckets[b] != n {
						t.Errorf("%s bucket %v: got %d; want %d", g.source, b, g.buckets[b], n)
					}
				}
			}
		})
	}
}
