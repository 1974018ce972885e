package worker

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/hostlimit"
	"github.com/urlcheck/url-checker/internal/queue"
)

// fetch checks url at its origin, within the host's fleet-wide limits when
// there are some, for the tasks that are not gated: a host at its limit is
// not waited for, the result says "deferred" and the job goes back to the
// delayed set, so no checker sits idle behind a busy host.
func (w *Worker) fetch(ctx context.Context, rawURL string) check.Result {
	l := w.cfg.Limiter
	if l == nil {
		return w.probe.Check(ctx, rawURL)
	}
	host := hostOf(rawURL)
	if host == "" || l.Unlimited(host) {
		return w.probe.Check(ctx, rawURL)
	}
	s, wait, ok := w.permit(ctx, host)
	if !ok {
		return deferred(rawURL, host, wait)
	}
	res := w.probe.Check(ctx, rawURL)
	w.learn(ctx, host, s.p, res)
	w.putBack(ctx, host, s, res)
	return res
}

// maxHandoffTime bounds how long one permit serves, handed from check to
// check, before it goes back to Redis: other workers get their turn at a
// busy host, a pause another worker recorded is seen within that time, and
// the permit's lease, which nothing renews, never runs out under it.
// spareFor is how long a permit is kept once no job wants it.
const (
	maxHandoffTime = 250 * time.Millisecond
	spareFor       = 20 * time.Millisecond
)

// gated reports whether t goes to the origin under a fleet-wide host limit
// that a permit hand-off can serve: the host has a concurrency limit and no
// rate (a hand-off would skip the rate's accounting), and t needs a fetch
// for sure (no cache, a cache claim taken for it, or task.fetch). Other tasks take
// their permit, if any, inside fetch.
func (w *Worker) gated(t task) (string, bool) {
	l := w.cfg.Limiter
	if l == nil || (w.cfg.Cache != nil && t.claim == "" && !t.fetch) {
		return "", false
	}
	host := hostOf(t.job.URL)
	if host == "" || l.Unlimited(host) {
		return "", false
	}
	pol := l.Policy(host)
	return host, pol.Concurrency > 0 && pol.Rate == 0
}

// runGated checks t under a permit for host, then hands the permit on to
// the jobs parked behind it. A job that finds the host at its limit is
// parked behind this worker's own requests to the host if there are some,
// and deferred to the delayed set otherwise.
func (w *Worker) runGated(ctx context.Context, host string, t task) {
	if w.gate.queue(host, t, w.cfg.Limiter.Policy(host).Concurrency) {
		return
	}
	holding := false
	for {
		s, wait, ok := w.permit(ctx, host)
		if !ok {
			w.deferBusy(ctx, host, wait, t, holding)
			return
		}
		if !holding {
			w.gate.hold(host)
			holding = true
		}
		if t, ok = w.serveHost(ctx, host, s, t); !ok {
			return
		}
	}
}

// permit takes a spare permit for host, or acquires one, telling the
// limiter how fast the host's slots free up as this worker has seen it, so
// that jobs turned away come back at that pace. When the limiter is
// unavailable it grants an empty permit: checking anyway beats stalling.
func (w *Worker) permit(ctx context.Context, host string) (spare, time.Duration, bool) {
	if s, ok := w.gate.takeSpare(host); ok {
		return s, 0, true
	}
	l := w.cfg.Limiter
	p, wait, ok, err := l.AcquirePaced(ctx, host, w.gate.pace(host, l.Policy(host).Concurrency))
	if err != nil {
		w.log.Debug("host limiter unavailable; checking anyway", "host", host, "err", err)
		return spare{since: time.Now()}, 0, true
	}
	return spare{p: p, since: time.Now()}, wait, ok
}

// serveHost checks t and then the jobs parked behind host with permit s.p.
// It stops when no job is parked, which ends the caller's hold, or when the
// permit has served long enough or the host asked to be left alone; it
// then returns the next parked job, which needs a permit of its own, and
// puts the permit back.
func (w *Worker) serveHost(ctx context.Context, host string, s spare, t task) (task, bool) {
	fetch := func(ctx context.Context, url string) check.Result {
		res := w.probe.Check(ctx, url)
		w.learn(ctx, host, s.p, res)
		return res
	}
	for {
		began := time.Now()
		res := w.run(ctx, t, fetch)
		next, ok := w.gate.next(host, time.Since(began))
		if ok && time.Since(s.since) < maxHandoffTime && !pauses(res) {
			t = next
			continue
		}
		w.putBack(ctx, host, s, res)
		return next, ok
	}
}

// putBack keeps a permit whose check is over as a spare for a moment,
// unless it is old, its host has a rate (each request must pass the rate),
// or the host asked for a pause, which also ends the host's other spares.
func (w *Worker) putBack(ctx context.Context, host string, s spare, res check.Result) {
	switch {
	case pauses(res):
		w.releaseAll(ctx, append(w.gate.sweep(time.Time{}, host), s.p))
	case time.Since(s.since) >= maxHandoffTime || w.cfg.Limiter.Policy(host).Rate > 0:
		w.release(ctx, host, s.p)
	default:
		s.idle = time.Now()
		w.gate.keep(host, s)
	}
}

// deferBusy sends t back to the delayed set for wait, unless it can park
// behind another holder of host. A caller that was holding host stops; if
// it was the last, the jobs parked behind it are deferred too.
func (w *Worker) deferBusy(ctx context.Context, host string, wait time.Duration, t task, holding bool) {
	var orphans []task
	if holding {
		orphans = w.gate.leave(host)
	}
	if !w.gate.park(host, t) {
		orphans = append(orphans, t)
	}
	wait = max(wait, w.gate.backlog(host))
	for _, o := range orphans {
		if o.claim != "" {
			w.cfg.Cache.Release(ctx, o.job.URL, o.claim)
		}
		w.finish(o.job, deferred(o.job.URL, host, wait), 0)
		w.done()
	}
}

// maxDeferBackoff caps how long a job deferred again and again waits.
const maxDeferBackoff = time.Second

// deferDelay is how long a deferred job waits: what the limiter said, but
// at least as long as the job has waited so far (up to maxDeferBackoff),
// so that the jobs of a host that stays busy come back less and less
// often instead of going round the delayed set at full speed.
func deferDelay(j queue.Job, res check.Result) time.Duration {
	return max(res.RetryAfter(), min(j.Waited, maxDeferBackoff), 10*time.Millisecond)
}

func deferred(url, host string, wait time.Duration) check.Result {
	return check.Result{URL: url, ErrorKind: check.KindDeferred, RetryAfterMS: wait.Milliseconds(),
		Error: "host " + host + " is at its limit"}
}

func (w *Worker) release(ctx context.Context, host string, p hostlimit.Permit) {
	if err := p.Release(context.WithoutCancel(ctx)); err != nil {
		w.log.Debug("host permit release failed", "host", host, "err", err)
	}
}

// releaseAll releases permits in one round trip.
func (w *Worker) releaseAll(ctx context.Context, permits []hostlimit.Permit) {
	if err := w.cfg.Limiter.ReleaseMany(context.WithoutCancel(ctx), permits); err != nil {
		w.log.Debug("host permit release failed", "permits", len(permits), "err", err)
	}
}

// sweepSpares releases the spare permits nobody took in spareFor, until
// ctx ends, and then every spare: the checkers are done by then.
func (w *Worker) sweepSpares(ctx context.Context) {
	tick := time.NewTicker(spareFor / 2)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			w.releaseAll(ctx, w.gate.sweep(time.Now().Add(time.Hour), ""))
			return
		case now := <-tick.C:
			if stale := w.gate.sweep(now.Add(-spareFor), ""); len(stale) > 0 {
				w.releaseAll(ctx, stale)
			}
		}
	}
}

// pauses reports whether res makes the host pause or back off.
func pauses(res check.Result) bool {
	return res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable
}

// learn makes the whole fleet hold off a host that said so: Retry-After on
// a 429 or 503 pauses it for that long (capped), and without the header
// the host backs off exponentially until it answers well again.
func (w *Worker) learn(ctx context.Context, host string, p hostlimit.Permit, res check.Result) {
	l := w.cfg.Limiter
	var err error
	switch {
	case pauses(res):
		if ra := res.RetryAfter(); ra > 0 {
			_, err = l.Pause(ctx, host, min(ra, w.cfg.MaxRetryAfter))
		} else {
			_, err = l.Backoff(ctx, host)
		}
	case res.Status > 0 && res.Status < 500:
		err = p.Recover(ctx) // a round trip only if the host was backing off

	}
	if err != nil {
		w.log.Debug("host pause not recorded", "host", host, "err", err)
	}
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// retryDelay is how long a transient failure waits: the backoff, or what
// the server asked for with Retry-After if that is longer (capped).
func (w *Worker) retryDelay(attempt int, res check.Result) time.Duration {
	d := w.cfg.RetryBackoff.Delay(attempt, nil)
	if ra := min(res.RetryAfter(), w.cfg.MaxRetryAfter); ra > d {
		d = ra
	}
	return d
}
