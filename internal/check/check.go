// Package check probes one URL over HTTP and classifies the outcome, so that
// workers store a uniform Result and can tell a retryable failure from a
// permanent one.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Checker probes URLs. It is safe for concurrent use; one Checker per
// process lets all workers share one connection pool.
type Checker struct {
	client       http.Client
	timeout      time.Duration
	maxBody      int64
	maxRedirects int
	def          profile
	hosts        map[string]*profile // by lower-case url.URL.Host
	memory       HeadMemory          // nil unless a profile falls back from HEAD
}

// New returns a Checker for cfg.
func New(cfg Config) (*Checker, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("check config: %w", err)
	}
	cfg.setDefaults()
	c := &Checker{
		timeout:      cfg.Timeout,
		maxBody:      cfg.MaxBody,
		maxRedirects: cfg.MaxRedirects,
	}
	if err := c.setProfiles(cfg); err != nil {
		return nil, fmt.Errorf("check config: %w", err)
	}
	c.client = http.Client{Transport: cfg.Transport, CheckRedirect: c.checkRedirect}
	if cfg.Transport == nil {
		c.client.Transport = newTransport(cfg)
	}
	return c, nil
}

// setProfiles builds the default profile and those of cfg.Hosts, and keeps
// the HEAD memory if any of them needs it.
func (c *Checker) setProfiles(cfg Config) error {
	m, _ := parseMethod(cfg.Method) // checked by validate
	c.def = profile{method: m, accept: cfg.Accept, header: http.Header{"User-Agent": {cfg.UserAgent}}}
	fallback := m.fallback
	if len(cfg.Hosts) > 0 {
		c.hosts = make(map[string]*profile, len(cfg.Hosts))
	}
	for host, hs := range cfg.Hosts {
		p, err := newProfile(c.def, hs)
		if err != nil {
			return fmt.Errorf("host %q: %w", host, err)
		}
		c.hosts[strings.ToLower(host)] = &p
		fallback = fallback || p.method.fallback
	}
	if fallback {
		c.memory = cfg.HeadMemory
	}
	return nil
}

// Close closes idle connections. The Checker stays usable.
func (c *Checker) Close() {
	c.client.CloseIdleConnections()
}

// Check makes one attempt on rawURL: one request and its redirects, or with
// Method "head,get" possibly a HEAD and then a GET. It fills the fields
// about the URL and leaves the job fields (ID, Attempts, Worker, Cache) to
// the caller. It never takes longer than Config.Timeout (or ctx's deadline,
// if sooner). If ctx is cancelled the result is of kind other; callers
// shutting down should look at ctx.Err() rather than store it.
func (c *Checker) Check(ctx context.Context, rawURL string) Result {
	start := time.Now()
	res := Result{URL: rawURL, FinalURL: rawURL, ContentLength: -1, CheckedAt: start.UTC()}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.do(ctx, &res)
	res.DurationMS = millis(time.Since(start))
	res.Timing.Total = res.DurationMS
	return res
}

// do runs the exchange and fills res. The body is read inside the same
// deadline as the headers, so a trickling body cannot outlive the budget.
func (c *Checker) do(ctx context.Context, res *Result) {
	x, ctx := newExchange(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, res.URL, nil)
	if err != nil {
		res.fail(KindOther, message(err))
		return
	}
	p := c.profileFor(req.URL.Host)
	req.Header = p.header
	resp, err := c.send(ctx, x, req, p.method)
	c.record(ctx, res, x, resp, err, p.accept)
}

// record fills res from the outcome of the exchange.
func (c *Checker) record(ctx context.Context, res *Result, x *exchange, resp *http.Response, err error, accept Accept) {
	res.Method = x.method
	res.Redirects = x.hops
	if len(x.chain) > 0 {
		res.Chain = &x.chain
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.URL != "" {
			res.FinalURL = ue.URL
		}
		x.trace.fill(res)
		res.fail(explain(ctx, err, "awaiting response"))
		return
	}
	note(res, resp, x.hops)
	err = drain(resp.Body, c.maxBody)
	resp.Body.Close()
	x.trace.fill(res)
	if err != nil {
		res.fail(explain(ctx, err, "reading body"))
		return
	}
	c.judge(res, x.limited, accept)
}

// note records what the final response says about itself.
func note(res *Result, resp *http.Response, hops int) {
	res.Status = resp.StatusCode
	if hops > 0 {
		// Only a redirect changes the URL; skipping String saves an
		// allocation on the common path.
		res.FinalURL = resp.Request.URL.String()
	}
	res.HTTPVersion = protoName(resp)
	res.ContentType = truncate(resp.Header.Get("Content-Type"), maxMessage)
	res.ContentLength = resp.ContentLength
	now := time.Now()
	res.TLS = newTLSInfo(resp.TLS, now)
	res.RetryAfterMS = retryAfter(resp, now).Milliseconds()
}

// protoName returns resp's protocol, as a constant for the usual ones so
// that the result does not keep the status line alive.
func protoName(resp *http.Response) string {
	switch {
	case resp.ProtoAtLeast(3, 0):
		return truncate(resp.Proto, 16)
	case resp.ProtoMajor == 2:
		return "HTTP/2.0"
	case resp.ProtoMinor == 1:
		return "HTTP/1.1"
	case resp.ProtoMinor == 0:
		return "HTTP/1.0"
	}
	return truncate(resp.Proto, 16)
}

// judge sets OK or the failure kind from the final status.
func (c *Checker) judge(res *Result, limited bool, accept Accept) {
	code := res.Status
	switch {
	case limited:
		res.fail(KindTooManyRedirects, "stopped after "+strconv.Itoa(c.maxRedirects)+" redirects")
	case accept.Contains(code):
		res.OK = true
	case code >= 400 && code <= 499:
		res.fail(KindHTTP4xx, statusMessage(code))
	case code >= 500 && code <= 599:
		res.fail(KindHTTP5xx, statusMessage(code))
	case code >= 100 && code <= 399:
		res.fail(KindUnacceptedStatus, statusMessage(code)+" is not an accepted status")
	default:
		res.fail(KindOther, statusMessage(code))
	}
}

// statusMessage describes code without the server's reason phrase, which
// is arbitrary text of arbitrary length.
func statusMessage(code int) string {
	if text := http.StatusText(code); text != "" {
		return "HTTP " + strconv.Itoa(code) + " " + text
	}
	return "HTTP " + strconv.Itoa(code)
}

// copyBufs holds buffers for drain. 32 KiB matches io.Copy's buffer.
var copyBufs = sync.Pool{New: func() any {
	b := make([]byte, 32<<10)
	return &b
}}

// drain reads and discards at most limit bytes of body. A short body is
// read to EOF so that its connection can be reused; a long one is cut off,
// and closing it then costs its connection, which is cheaper than reading
// on.
func drain(body io.Reader, limit int64) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for limit > 0 {
		if int64(len(buf)) > limit {
			buf = buf[:limit]
		}
		n, err := body.Read(buf)
		limit -= int64(n)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading body: %w", err)
		}
	}
	return nil
}
