package worker

import (
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

// BenchmarkOutcomeEncode measures turning one successful check into the
// outcome a commit stores, mostly the JSON encoding of the result.
func BenchmarkOutcomeEncode(b *testing.B) {
	w, err := New(nil, nil, Config{Name: "bench-1"})
	if err != nil {
		b.Fatal(err)
	}
	const url = "http://127.0.0.1:8081/status/200?i=123456"
	j := queue.Job{ID: "123456", URL: url, Attempt: 1, Token: "0123456789abcdef01234567/1"}
	res := check.Result{OK: true, Status: 200, FinalURL: url, DurationMS: 4.2,
		Cache: "origin", CheckedAt: time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		out := w.outcome(j, res)
		if out.Kind != queue.Succeeded {
			b.Fatalf("outcome kind = %q; want %q", out.Kind, queue.Succeeded)
		}
		size = len(out.Result)
	}
	b.ReportMetric(float64(size), "B/result")
}
