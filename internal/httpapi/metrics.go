package httpapi

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/urlcheck/url-checker/internal/queue"
)

// statsSource reads snapshots of a run; *queue.Queue and *queue.Lazy are
// ones.
type statsSource interface {
	Stats(ctx context.Context) (queue.Stats, error)
}

var (
	_ statsSource = (*queue.Queue)(nil)
	_ statsSource = (*queue.Lazy)(nil)
)

// MetricsHandler serves the run's metrics in the Prometheus text format,
// read from q at every scrape, for a worker's METRICS_ADDR. lease decides
// which workers count as alive; zero means 30s. The numbers are the run's,
// not the process's: every worker of a run serves the same ones.
func MetricsHandler(q *queue.Queue, lease time.Duration) http.Handler {
	if lease <= 0 {
		lease = 30 * time.Second
	}
	return metricsHandler(q, lease, 5*time.Second, slog.Default())
}

func (s *Server) metrics() http.HandlerFunc {
	h := metricsHandler(s.q, s.cfg.Lease, s.cfg.RedisTimeout, s.log)
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := params(w, r); ok {
			h.ServeHTTP(w, r)
		}
	}
}

func metricsHandler(src statsSource, lease, timeout time.Duration, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{src: src, lease: lease, timeout: timeout, log: log})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("urlcheck_"+name, help, labels, nil)
}

// The metrics. Counters are of the current run: they start again from
// zero with a new run, which Prometheus treats as a counter reset.
var (
	descUp         = desc("redis_up", "1 if Redis answered this scrape, else 0 (and no other metric is reported).")
	descRunInfo    = desc("run_info", "The current run, by id; always 1.", "run_id")
	descRunStart   = desc("run_start_time_seconds", "Unix time the current run started.")
	descFinished   = desc("run_finished", "1 once every job of the run has its result, else 0.")
	descEnqueued   = desc("jobs_enqueued_total", "Jobs enqueued in the current run.")
	descResults    = desc("results_total", "Final results stored in the current run, by outcome.", "outcome")
	descDead       = desc("dead_letters_total", "Jobs given up on after repeated worker deaths (included in the error results).")
	descRetried    = desc("retries_total", "Attempts scheduled again after a transient failure.")
	descReaped     = desc("reaped_total", "Jobs put back on the queue after their lease expired.")
	descStale      = desc("stale_commits_total", "Outcomes rejected because their worker had lost the job.")
	descQueued     = desc("queue_depth", "Jobs waiting on the queue.")
	descProcessing = desc("jobs_processing", "Jobs claimed by a worker and not yet committed.")
	descDelayed    = desc("jobs_delayed", "Retries waiting for their due time.")
	descWorkers    = desc("workers_alive", "Workers whose last heartbeat is within the lease.")
	descCache      = desc("cache_lookups_total", "Cache lookups in the current run, by the tier that answered (merged: joined a lookup in flight).", "tier")
	descLatency    = desc("check_duration_seconds", "Check latency by source, from the buckets merged across workers. "+
		"The sum is estimated from the bucket upper bounds.", "source")
)

var cacheTiers = []string{"l1", "l2", "origin", "merged"}

// collector reads a snapshot of the run at every scrape.
type collector struct {
	src     statsSource
	lease   time.Duration
	timeout time.Duration
	log     *slog.Logger
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descRunInfo, descRunStart, descFinished, descEnqueued,
		descResults, descDead, descRetried, descReaped, descStale, descQueued, descProcessing, descDelayed,
		descWorkers, descCache, descLatency} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		c.log.Warn("metrics: read stats", "err", err)
		ch <- gauge(descUp, 0)
		return
	}
	ch <- gauge(descUp, 1)
	if st.RunID != "" {
		ch <- gauge(descRunInfo, 1, st.RunID)
	}
	if !st.StartedAt.IsZero() {
		ch <- gauge(descRunStart, float64(st.StartedAt.UnixMilli())/1000)
	}
	ch <- gauge(descFinished, boolFloat(st.Finished()))
	ch <- counter(descEnqueued, st.Total)
	ch <- counter(descResults, st.Success, "success")
	ch <- counter(descResults, st.Error, "error")
	ch <- counter(descDead, st.Dead)
	ch <- counter(descRetried, st.Retried)
	ch <- counter(descReaped, st.Reaped)
	ch <- counter(descStale, st.Stale)
	ch <- gauge(descQueued, float64(st.Queued))
	ch <- gauge(descProcessing, float64(st.Processing))
	ch <- gauge(descDelayed, float64(st.Delayed))
	ch <- gauge(descWorkers, float64(st.Alive(c.lease)))
	for _, tier := range cacheTiers {
		ch <- counter(descCache, st.Counters[tier], tier)
	}
	for _, h := range histograms(st.Latency) {
		ch <- prometheus.MustNewConstHistogram(descLatency, h.count, h.sum, h.buckets, h.source)
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func counter(d *prometheus.Desc, v int64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(max(v, 0)), labels...)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// histogram is one source's latency in Prometheus terms: cumulative
// counts by upper bound in seconds.
type histogram struct {
	source  string
	count   uint64
	sum     float64
	buckets map[float64]uint64
}

// histograms turns the run's latency buckets, keyed "source:label" with
// labels that are upper bounds in milliseconds or "inf", into one
// histogram per source. Every source gets the same bounds, the union of
// the labels seen, so the histograms aggregate across sources.
func histograms(lat map[string]int64) []histogram {
	perSource := make(map[string]map[float64]int64) // source -> bound in ms -> count
	boundSet := make(map[float64]bool)
	for key, n := range lat {
		i := strings.LastIndexByte(key, ':')
		if i < 0 || n <= 0 {
			continue
		}
		source, label := key[:i], key[i+1:]
		bound := math.Inf(1)
		if label != "inf" {
			b, err := strconv.ParseFloat(label, 64)
			if err != nil || b < 0 || math.IsInf(b, 0) || math.IsNaN(b) {
				continue
			}
			bound = b
			boundSet[b] = true
		}
		if perSource[source] == nil {
			perSource[source] = make(map[float64]int64)
		}
		perSource[source][bound] += n
	}
	bounds := make([]float64, 0, len(boundSet))
	for b := range boundSet {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	out := make([]histogram, 0, len(perSource))
	for source, counts := range perSource {
		out = append(out, cumulate(source, counts, bounds))
	}
	slices.SortFunc(out, func(a, b histogram) int { return strings.Compare(a.source, b.source) })
	return out
}

// cumulate builds source's histogram over bounds (ms, ascending); counts
// above the last bound count only in the total, as Prometheus's +Inf.
func cumulate(source string, counts map[float64]int64, bounds []float64) histogram {
	h := histogram{source: source, buckets: make(map[float64]uint64, len(bounds))}
	var cum uint64
	last := 0.0
	if len(bounds) > 0 {
		last = bounds[len(bounds)-1]
	}
	for _, b := range bounds {
		cum += uint64(counts[b])
		h.buckets[b/1000] = cum
		h.sum += float64(counts[b]) * b / 1000
	}
	inf := uint64(counts[math.Inf(1)])
	h.count = cum + inf
	h.sum += float64(inf) * last / 1000
	return h
}
