package worker

import (
	"context"
	"encoding/json"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

// claimLoop claims jobs while there is room and hands them to the
// checkers. Room is bounded twice: jobs waiting for or in a check, and jobs
// owned at all (including outcomes not yet committed), so a worker that
// cannot reach Redis stops claiming instead of buffering without bound.
func (w *Worker) claimLoop(ctx context.Context, todo chan<- queue.Job) error {
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
			if err := w.q.Wait(ctx, w.cfg.IdleWait); err != nil && ctx.Err() == nil {
				sleep(ctx, w.cfg.IdleWait)
			}
			continue
		}
		w.owned.add(jobs)
		w.busy.Add(int64(len(jobs)))
		for _, j := range jobs {
			todo <- j
		}
	}
	return nil
}

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

func (w *Worker) checkLoop(ctx context.Context, todo <-chan queue.Job) {
	for j := range todo {
		res := w.probe.Check(ctx, j.URL)
		w.flush.Add(w.outcome(j, res))
		w.checked.Add(1)
		w.busy.Add(-1)
		w.signalRoom()
	}
}

// outcome turns a check result into what to commit: a retry for a
// transient failure with attempts left, a final result otherwise.
func (w *Worker) outcome(j queue.Job, res check.Result) queue.Outcome {
	out := queue.Outcome{ID: j.ID, Token: j.Token}
	if !res.OK && res.Transient() && j.Attempt <= w.cfg.MaxRetries {
		out.Kind = queue.Retry
		out.Delay = w.cfg.RetryBackoff.Delay(j.Attempt, nil)
		return out
	}
	res.ID, res.URL, res.Attempts, res.Worker = j.ID, j.URL, j.Attempt, w.cfg.Name
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
