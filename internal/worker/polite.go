package worker

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/hostlimit"
)

// fetch checks url at its origin, within the host's fleet-wide limits when
// there are some: a host at its limit is not waited for, the result says
// "deferred" and the job goes back to the delayed set, so no checker sits
// idle behind a busy host.
func (w *Worker) fetch(ctx context.Context, rawURL string) check.Result {
	l := w.cfg.Limiter
	if l == nil {
		return w.probe.Check(ctx, rawURL)
	}
	host := hostOf(rawURL)
	if host == "" || l.Unlimited(host) {
		return w.probe.Check(ctx, rawURL)
	}
	p, wait, ok, err := l.Acquire(ctx, host)
	if err != nil {
		w.log.Debug("host limiter unavailable; checking anyway", "host", host, "err", err)
		return w.probe.Check(ctx, rawURL)
	}
	if !ok {
		return check.Result{URL: rawURL, ErrorKind: check.KindDeferred, RetryAfterMS: wait.Milliseconds(),
			Error: "host " + host + " is at its limit"}
	}
	defer func() {
		if err := p.Release(context.WithoutCancel(ctx)); err != nil {
			w.log.Debug("host permit release failed", "host", host, "err", err)
		}
	}()
	res := w.probe.Check(ctx, rawURL)
	w.learn(ctx, host, p, res)
	return res
}

// learn makes the whole fleet hold off a host that said so: Retry-After on
// a 429 or 503 pauses it for that long (capped), and without the header
// the host backs off exponentially until it answers well again.
func (w *Worker) learn(ctx context.Context, host string, p hostlimit.Permit, res check.Result) {
	l := w.cfg.Limiter
	var err error
	switch {
	case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable:
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
