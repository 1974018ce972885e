package check

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"time"
)

// exchange is what one check learns while net/http runs its requests: the
// redirects, through CheckRedirect, and the timings, through httptrace.
// CheckRedirect is shared by all concurrent checks, so the exchange travels
// in the request context. The fields other than trace are only touched by
// the goroutine running the check (CheckRedirect runs inside Client.Do).
type exchange struct {
	method  string // of the requests being made, "GET" or "HEAD"
	hops    int    // redirects followed
	limited bool   // a further redirect was refused
	chain   []Hop
	trace   tracer
	hooks   httptrace.ClientTrace // feeding trace
}

type exchangeKey struct{}

// newExchange returns an exchange and ctx carrying it.
func newExchange(ctx context.Context) (*exchange, context.Context) {
	x := new(exchange)
	x.trace.hook(&x.hooks)
	ctx = context.WithValue(ctx, exchangeKey{}, x)
	return x, httptrace.WithClientTrace(ctx, &x.hooks)
}

// restart forgets the requests made so far, before those of req.
func (x *exchange) restart(req *http.Request) {
	x.method, x.hops, x.limited, x.chain = req.Method, 0, false, nil
	x.trace.request(time.Now())
}

// checkRedirect follows up to maxRedirects redirects. Past that it returns
// the last 3xx response instead of an error, so that the result still
// carries its status and URL.
func (c *Checker) checkRedirect(req *http.Request, via []*http.Request) error {
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if len(via) > c.maxRedirects {
		if x != nil {
			x.limited = true
		}
		return http.ErrUseLastResponse
	}
	if x == nil {
		return nil // not a request of Check
	}
	x.hops = len(via)
	hop := Hop{URL: via[len(via)-1].URL.String()}
	if req.Response != nil {
		hop.Status = req.Response.StatusCode
	}
	x.chain = append(x.chain, hop)
	x.trace.request(time.Now())
	return nil
}
