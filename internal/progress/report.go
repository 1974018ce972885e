package progress

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/urlcheck/url-checker/internal/histo"
	"github.com/urlcheck/url-checker/internal/queue"
)

// Report is what the monitor shows and GET /stats serves. Counts are of
// the current run.
type Report struct {
	Total      int64 `json:"total"`
	Queued     int64 `json:"queued"`
	Processing int64 `json:"processing"`
	Delayed    int64 `json:"delayed"` // retries waiting for their due time
	Success    int64 `json:"success"`
	Error      int64 `json:"error"`
	Done       int64 `json:"done"`
	Dead       int64 `json:"dead"`
	Retried    int64 `json:"retried"`
	// Progress is done over total in percent, 0..100; 0 without jobs.
	Progress float64 `json:"progress"`
	// Rate is results per second over the sliding window; nil (null)
	// while unknown.
	Rate *float64 `json:"rate"`
	// ETASeconds is the time left at Rate, rounded up; nil (null) while
	// unknown, and without jobs.
	ETASeconds *float64           `json:"eta_seconds"`
	RunID      string             `json:"run_id"`      // "" without a run
	StartedAt  *time.Time         `json:"started_at"`  // nil without a run
	Now        time.Time          `json:"now"`         // the Redis clock at the snapshot
	Finished   bool               `json:"finished"`    // every job has its result
	Workers    int                `json:"workers"`     // live workers: heartbeat within the lease
	WorkerList []Worker           `json:"worker_list"` // workers seen in the last hour
	Cache      Cache              `json:"cache"`       // cache lookups by tier
	LatencyMS  map[string]Latency `json:"latency_ms"`  // check latency by source
}

// Worker is one worker's last heartbeat.
type Worker struct {
	Name          string    `json:"name"`
	LastHeartbeat time.Time `json:"last_heartbeat"`
	Alive         bool      `json:"alive"` // heartbeat within the lease
}

// Cache counts cache lookups by the tier that answered them. Merged counts
// lookups that joined another lookup of the same URL already in flight.
type Cache struct {
	L1     int64 `json:"l1"`
	L2     int64 `json:"l2"`
	Origin int64 `json:"origin"`
	Merged int64 `json:"merged"`
	// HitRate is the share of lookups that did not make their own origin
	// check, (l1+l2+merged)/(l1+l2+merged+origin), 0..1; nil (null)
	// before the first lookup.
	HitRate *float64 `json:"hit_rate"`
}

// Latency summarises check latency, in milliseconds.
type Latency struct {
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Count int64   `json:"count"`
}

// NewReport builds the report of snapshot s. rate and known come from a
// Window that was given s; lease decides which workers count as alive.
func NewReport(s queue.Stats, rate float64, known bool, lease time.Duration) Report {
	r := Report{
		Total: s.Total, Queued: s.Queued, Processing: s.Processing, Delayed: s.Delayed,
		Success: s.Success, Error: s.Error, Done: s.Done, Dead: s.Dead, Retried: s.Retried,
		Progress: percent(s.Done, s.Total),
		RunID:    s.RunID, Now: s.Now, Finished: s.Finished(),
		Workers:    s.Alive(lease),
		WorkerList: workers(s, lease),
		Cache:      cache(s.Counters),
		LatencyMS:  latency(s.Latency),
	}
	if known {
		r.Rate = &rate
	}
	if eta, ok := ETA(s.Total-s.Done, rate, known); ok && s.Total > 0 {
		secs := math.Ceil(eta.Seconds())
		r.ETASeconds = &secs
	}
	if !s.StartedAt.IsZero() {
		t := s.StartedAt.UTC()
		r.StartedAt = &t
	}
	return r
}

func percent(part, whole int64) float64 {
	if whole <= 0 {
		return 0
	}
	return min(100, 100*float64(part)/float64(whole))
}

func workers(s queue.Stats, lease time.Duration) []Worker {
	out := make([]Worker, 0, len(s.Workers))
	for _, w := range s.Workers {
		out = append(out, Worker{Name: w.Name, LastHeartbeat: w.LastSeen.UTC(), Alive: s.Now.Sub(w.LastSeen) <= lease})
	}
	slices.SortFunc(out, func(a, b Worker) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func cache(c map[string]int64) Cache {
	out := Cache{L1: c["l1"], L2: c["l2"], Origin: c["origin"], Merged: c["merged"]}
	hits := out.L1 + out.L2 + out.Merged
	if all := hits + out.Origin; all > 0 {
		rate := float64(hits) / float64(all)
		out.HitRate = &rate
	}
	return out
}

func latency(buckets map[string]int64) map[string]Latency {
	out := make(map[string]Latency)
	for source, s := range histo.SummarizeBySource(buckets) {
		if s.Count > 0 {
			out[source] = Latency{P50: s.P50, P95: s.P95, P99: s.P99, Max: s.Max, Count: s.Count}
		}
	}
	return out
}
