package worker

import (
	"context"
	"net/http"
	"testing"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/hostlimit"
	"github.com/urlcheck/url-checker/internal/queue"
)

// TestPutBackKeepsOnlyPlainPermits: a permit is kept as a spare only for a
// host limited by concurrency alone; a host with a rate must see every
// request pass the rate, and a 429 ends every spare of its host.
func TestPutBackKeepsOnlyPlainPermits(t *testing.T) {
	ctx := context.Background()
	q, rdb := setup(t, queue.Config{})
	l, err := hostlimit.New(ctx, rdb, hostlimit.Config{Prefix: "t:host:", Default: hostlimit.Policy{Concurrency: 2},
		Hosts: map[string]hostlimit.Policy{"rated.test": {Concurrency: 2, Rate: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, q, Config{Limiter: l})
	ok := check.Result{Status: http.StatusOK}
	for _, tc := range []struct {
		host string
		res  check.Result
		kept bool
	}{
		{"plain.test", ok, true},
		{"rated.test", ok, false},
		{"plain.test", check.Result{Status: http.StatusTooManyRequests}, false},
	} {
		s, _, granted := w.permit(ctx, tc.host)
		if !granted {
			t.Fatalf("%s: no permit", tc.host)
		}
		w.putBack(ctx, tc.host, s, tc.res)
		_, kept := w.gate.takeSpare(tc.host)
		if kept != tc.kept {
			t.Errorf("%s after status %d: spare kept %v; want %v", tc.host, tc.res.Status, kept, tc.kept)
		}
		if kept {
			w.gate.keep(tc.host, s) // for the next case
		}
	}
}
