package queue

import (
	"context"
	"fmt"
	"testing"
)

// benchResult returns a result JSON of the size a worker commits.
func benchResult(j Job) []byte {
	return fmt.Appendf(nil, `{"id":%q,"url":%q,"ok":true,"status":200,"error":"","error_kind":"",`+
		`"final_url":%q,"redirects":0,"duration_ms":4.2,"attempts":1,"worker":"bench-1",`+
		`"cache":"origin","checked_at":"2026-12-04T20:00:00Z"}`, j.ID, j.URL, j.URL)
}

// fill enqueues n jobs in batches of 1000, the producer's default. (One
// script call cannot take much more: Lua's unpack stops near 8000 values.)
func fill(tb testing.TB, q *Queue, n int) {
	tb.Helper()
	for ; n > 0; n -= 1000 {
		mustEnqueue(tb, q, urls(min(n, 1000)))
	}
}

// claimN enqueues n jobs and claims them in batches of 100, as a worker does.
func claimN(tb testing.TB, q *Queue, n int) []Job {
	tb.Helper()
	fill(tb, q, n)
	jobs := make([]Job, 0, n)
	for len(jobs) < n {
		got, err := q.Claim(context.Background(), min(100, n-len(jobs)))
		if err != nil || len(got) == 0 {
			tb.Fatalf("Claim = %d jobs, %v; want more", len(got), err)
		}
		jobs = append(jobs, got...)
	}
	return jobs
}

// BenchmarkClaim100 measures one claim of 100 jobs: a script that pops
// them, leases them and logs the claim for replay.
func BenchmarkClaim100(b *testing.B) {
	ctx := context.Background()
	q, _ := startQueue(b, Config{Namespace: "bench"})
	left := 0
	b.ReportAllocs()
	for b.Loop() {
		if left < 100 {
			b.StopTimer()
			fill(b, q, 10000)
			left += 10000
			b.StartTimer()
		}
		jobs, err := q.Claim(ctx, 100)
		if err != nil || len(jobs) != 100 {
			b.Fatalf("Claim = %d jobs, %v; want 100", len(jobs), err)
		}
		left -= 100
	}
}

// BenchmarkCommit500 measures one commit of a full write-behind batch: 500
// results with their counters and latency buckets, in one script.
func BenchmarkCommit500(b *testing.B) {
	ctx := context.Background()
	q, _ := startQueue(b, Config{Namespace: "bench", FeedSize: 10000})
	d := Deltas{
		Stats:   map[string]int64{"origin": 500},
		Latency: map[string]int64{"origin:4": 300, "origin:5": 150, "origin:6": 50},
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		jobs := claimN(b, q, 500)
		outs := make([]Outcome, len(jobs))
		for i, j := range jobs {
			outs[i] = Outcome{ID: j.ID, Token: j.Token, Kind: Succeeded, Result: benchResult(j)}
		}
		b.StartTimer()
		if c, stale, err := q.Commit(ctx, outs, d); err != nil || c != 500 {
			b.Fatalf("Commit = %d committed, %d stale, %v; want 500", c, stale, err)
		}
	}
}

// BenchmarkEnqueue1000 measures one producer batch of 1000 URLs: the id
// reservation and the enqueue script.
func BenchmarkEnqueue1000(b *testing.B) {
	ctx := context.Background()
	q, _ := startQueue(b, Config{Namespace: "bench"})
	batch := urls(1000)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		if n++; n%100 == 0 { // keep the server's memory flat
			b.StopTimer()
			if _, err := q.NewRun(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if got, err := q.Enqueue(ctx, batch); err != nil || got != len(batch) {
			b.Fatalf("Enqueue = %d, %v; want %d", got, err, len(batch))
		}
	}
}
