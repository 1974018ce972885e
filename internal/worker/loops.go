package worker

import (
	"context"
	"encoding/json"
	"time"

	"github.com/urlcheck/url-checker/internal/cache"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

// claimLoop claims jobs while there is room and hands them to the
// checkers. Room is bounded twice: jobs waiting for or in a check, and jobs
// owned at all (including outcomes not yet committed), so a worker that
// cannot reach Redis stops claiming instead of buffering without bound.
func (w *Worker) claimLoop(ctx context.Context, todo chan<- task) error {
	maxBusy := int64(2 * w.cfg.Concurrency)
	maxOwned := 2*w.cfg.Concurrency + 2*w.cfg.BatchSize
	failures := 0
	for ctx.Err() == nil {
		free := min(int(maxBusy-w.busy.Load()), maxOwned-w.owned.len(), w.cfg.ClaimBatch)
		if free <= 0 {
			w.waitRoom(ctx)
			continue
		}
		jobs, err := w.q.Claim(ctx, free)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			d := w.cfg.RetryBackoff.Delay(failures, nil)
			w.log.Warn("claim failed", "retry_in", d, "err", err)
			sleep(ctx, min(d, 5*time.Second))
			continue
		}
		failures = 0
		if len(jobs) == 0 {
			if w.cfg.Drain && w.drained(ctx) {
				return nil
			}
			w.idle(ctx)
			continue
		}
		w.owned.add(jobs)
		for _, t := range w.serveCached(ctx, jobs) {
			w.busy.Add(1)
			todo <- t
		}
	}
	return nil
}

// idle waits for work. Outcomes still buffered are flushed at once, since
// there is nothing to batch them with, and the wait ends when they are
// committed, so a draining worker exits as soon as its last flush lands.
func (w *Worker) idle(ctx context.Context) {
	if w.owned.len() > 0 || w.busy.Load() > 0 {
		w.flush.FlushNow()
		w.waitRoom(ctx)
		return
	}
	wait := w.cfg.IdleWait
	if w.cfg.Drain {
		// Nothing wakes a draining worker when the other workers commit
		// the run's last results; it looks again soon.
		wait = min(wait, drainPoll)
	}
	if err := w.q.Wait(ctx, wait); err != nil && ctx.Err() == nil {
		sleep(ctx, wait)
	}
}

// drainPoll is how often an idle draining worker checks whether the run
// has finished.
const drainPoll = 100 * time.Millisecond

// drained reports whether neither this worker nor the run has work left.
func (w *Worker) drained(ctx context.Context) bool {
	if w.owned.len() > 0 || w.busy.Load() > 0 {
		return false
	}
	s, err := w.q.Stats(ctx)
	return err == nil && !s.Unfinished()
}

func (w *Worker) waitRoom(ctx context.Context) {
	t := time.NewTimer(100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.room:
	case <-t.C:
	}
}

// task is a job for a checker, with the cache claim on its fetch when the
// claimer took one.
type task struct {
	job   queue.Job
	claim string
	// fetch makes a job fetch without a claim rather than wait for the
	// holder's result: a reaped job's URL is most likely claimed by the
	// worker that died with it, and waiting would last the claim's TTL.
	fetch bool
}

// serveCached answers the jobs whose URL is cached, with one batched
// lookup, claims the fetch of the others in one more, and returns them.
// Serving hits here keeps the warm path off the checkers and at a fraction
// of a Redis round trip per job.
func (w *Worker) serveCached(ctx context.Context, jobs []queue.Job) []task {
	if w.cfg.Cache == nil {
		tasks := make([]task, len(jobs))
		for i, j := range jobs {
			tasks[i] = task{job: j}
		}
		return tasks
	}
	start := time.Now()
	looks, err := w.cfg.Cache.GetMany(ctx, urlsOf(jobs))
	if err != nil {
		w.log.Debug("batched cache lookup failed; checking at the origin", "err", err)
	}
	// Every job waited for the whole batched lookup; an L1 hit's own share
	// is the lookup's time divided over the batch.
	took := time.Since(start)
	l1Share := took / time.Duration(len(jobs))
	misses := jobs[:0:0]
	for i, j := range jobs {
		if i >= len(looks) || !looks[i].Found {
			misses = append(misses, j)
			continue
		}
		d := took
		if looks[i].Source == cache.SourceL1 {
			d = l1Share
		}
		w.finish(j, looks[i].Result, d)
	}
	return w.claimFetches(ctx, misses)
}

// claimFetches takes the cache claims on the misses' fetches in one round
// trip, so a checker can fetch and store without asking again; a URL
// another worker stored meanwhile is served from L2 here.
func (w *Worker) claimFetches(ctx context.Context, misses []queue.Job) []task {
	if len(misses) == 0 {
		return nil
	}
	start := time.Now()
	claims, err := w.cfg.Cache.ClaimMany(ctx, urlsOf(misses))
	if err != nil {
		w.log.Debug("batched cache claim failed", "err", err)
	}
	took := time.Since(start)
	tasks := make([]task, 0, len(misses))
	for i, j := range misses {
		if claims[i].Lookup.Found {
			w.finish(j, claims[i].Lookup.Result, took)
			continue
		}
		tasks = append(tasks, task{job: j, claim: claims[i].Token, fetch: j.Reaps > 0})
	}
	return tasks
}

func urlsOf(jobs []queue.Job) []string {
	urls := make([]string, len(jobs))
	for i, j := range jobs {
		urls[i] = j.URL
	}
	return urls
}

func (w *Worker) checkLoop(ctx context.Context, todo <-chan task) {
	for t := range todo {
		if host, ok := w.gated(t); ok {
			w.runGated(ctx, host, t)
		} else {
			w.run(ctx, t, w.fetch)
		}
	}
}

// run checks t, fetching with fetch if it must go to the origin, hands its
// outcome on and returns its result.
func (w *Worker) run(ctx context.Context, t task, fetch func(context.Context, string) check.Result) check.Result {
	start := time.Now()
	res := w.check(ctx, t, fetch)
	w.finish(t.job, res, time.Since(start))
	w.done()
	return res
}

// done counts a task out of the checkers' hands.
func (w *Worker) done() {
	w.busy.Add(-1)
	w.signalRoom()
}

// check checks a task's URL through the cache, when there is one.
func (w *Worker) check(ctx context.Context, t task, fetchURL func(context.Context, string) check.Result) check.Result {
	url := t.job.URL
	fetch := func(ctx context.Context) check.Result { return fetchURL(ctx, url) }
	switch {
	case w.cfg.Cache == nil:
	case t.claim != "" || t.fetch:
		return w.cfg.Cache.FetchClaimed(ctx, url, t.claim, fetch)
	default:
		if res, err := w.cfg.Cache.Get(ctx, url, fetch); err == nil {
			return res
		}
	}
	res := fetch(ctx)
	res.Cache = cache.SourceOrigin
	return res
}

// finish records a job's check and hands its outcome to the flusher.
func (w *Worker) finish(j queue.Job, res check.Result, took time.Duration) {
	if res.ErrorKind != check.KindDeferred {
		w.latency.Observe(res.Cache, took)
	}
	w.flush.Add(w.outcome(j, res))
	w.checked.Add(1)
}

// outcome turns a check result into what to commit: a deferral when the
// host was busy, a retry for a transient failure with attempts left, a
// final result otherwise.
func (w *Worker) outcome(j queue.Job, res check.Result) queue.Outcome {
	out := queue.Outcome{ID: j.ID, Token: j.Token}
	switch {
	case res.ErrorKind == check.KindDeferred:
		out.Kind, out.Delay = queue.Defer, deferDelay(j, res)
		return out
	case !res.OK && res.Transient() && j.Attempt <= w.cfg.MaxRetries:
		out.Kind, out.Delay = queue.Retry, w.retryDelay(j.Attempt, res)
		return out
	}
	res.ID, res.URL, res.Attempts, res.Worker = j.ID, j.URL, j.Attempt, w.cfg.Name
	res.WaitedMS = j.Waited.Milliseconds()
	out.Kind = queue.Failed
	if res.OK {
		out.Kind = queue.Succeeded
	}
	out.Result, _ = json.Marshal(res) // a Result always encodes
	return out
}

// heartbeat renews the leases of every owned job, including those whose
// outcome waits in the flusher, and forgets the jobs it lost.
func (w *Worker) heartbeat(ctx context.Context) {
	every := w.q.Lease() / 6
	for {
		sent := w.owned.list()
		lost, err := w.q.Extend(ctx, w.cfg.Name, sent)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("heartbeat failed", "err", err)
		}
		if n := w.owned.drop(sent, lost); n > 0 {
			w.log.Warn("lost jobs whose lease expired", "jobs", n)
			w.signalRoom()
		}
		if !sleep(ctx, every) {
			return
		}
	}
}

// reaper requeues the jobs of workers that stopped renewing their leases.
func (w *Worker) reaper(ctx context.Context) {
	every := w.q.Lease() / 6
	for sleep(ctx, jitter(every)) {
		for {
			requeued, dead, err := w.q.Reap(ctx, 500)
			if err != nil {
				if ctx.Err() == nil {
					w.log.Warn("reap failed", "err", err)
				}
				break
			}
			if requeued+dead > 0 {
				w.log.Info("reaped expired leases", "requeued", requeued, "dead", dead)
			}
			if requeued+dead < 500 {
				break
			}
		}
	}
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

var _ Prober = (*check.Checker)(nil)
