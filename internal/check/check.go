// Package check probes one URL over HTTP and classifies the outcome, so that
// workers store a uniform Result and can tell a retryable failure from a
// permanent one.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout         = 5 * time.Second
	DefaultMaxBody         = 1 << 20
	DefaultMaxRedirects    = 10
	DefaultMaxConnsPerHost = 64
	DefaultUserAgent       = "url-checker/1 (+https://github.com/urlcheck/url-checker)"
)

// Config configures a Checker. Zero values mean the documented default;
// negative values make New fail.
type Config struct {
	// Timeout is the whole budget of one attempt: DNS, connect, TLS,
	// headers and body. Default 5s.
	Timeout time.Duration
	// MaxBody is how many bytes of body are read, then discarded, before
	// the body is closed. Default 1 MiB.
	MaxBody int64
	// MaxRedirects is how many redirects are followed. Default 10.
	MaxRedirects int
	// MaxConnsPerHost is how many idle connections are kept per host.
	// Default 64.
	MaxConnsPerHost int
	// UserAgent is sent with every request. Default DefaultUserAgent.
	UserAgent string
	// Transport, if set, replaces the tuned transport (tests use it).
	// Close then closes its idle connections if it supports that.
	Transport http.RoundTripper
}

// Checker probes URLs. It is safe for concurrent use; one Checker per
// process lets all workers share one connection pool.
type Checker struct {
	client       http.Client
	timeout      time.Duration
	maxBody      int64
	maxRedirects int
	// userAgent is shared, read-only, by every request's header map; this
	// saves an allocation per check and is safe because nothing in
	// net/http writes to header value slices.
	userAgent []string
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
		userAgent:    []string{cfg.UserAgent},
	}
	c.client = http.Client{Transport: cfg.Transport, CheckRedirect: c.checkRedirect}
	if cfg.Transport == nil {
		c.client.Transport = newTransport(cfg)
	}
	return c, nil
}

func (cfg Config) validate() error {
	switch {
	case cfg.Timeout < 0:
		return fmt.Errorf("negative Timeout %v", cfg.Timeout)
	case cfg.MaxBody < 0:
		return fmt.Errorf("negative MaxBody %d", cfg.MaxBody)
	case cfg.MaxRedirects < 0:
		return fmt.Errorf("negative MaxRedirects %d", cfg.MaxRedirects)
	case cfg.MaxConnsPerHost < 0:
		return fmt.Errorf("negative MaxConnsPerHost %d", cfg.MaxConnsPerHost)
	}
	for i := 0; i < len(cfg.UserAgent); i++ {
		if b := cfg.UserAgent[i]; b < 0x20 || b == 0x7f {
			// Such a header would make every request fail.
			return fmt.Errorf("control character in UserAgent at byte %d", i)
		}
	}
	return nil
}

func (cfg *Config) setDefaults() {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.MaxConnsPerHost == 0 {
		cfg.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
}

// newTransport returns a transport tuned for many short requests to many
// hosts: large idle pool, keep-alive, HTTP/2, and no gzip since bodies are
// discarded unread. The per-attempt context deadline bounds everything; the
// dial and TLS timeouts only matter if the caller's context has none.
func newTransport(cfg Config) *http.Transport {
	d := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           max(1024, cfg.MaxConnsPerHost),
		MaxIdleConnsPerHost:    cfg.MaxConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
}

// maxHeaderBytes caps response headers well below net/http's 1 MiB default,
// so that a hostile server cannot make each in-flight check hold a megabyte.
const maxHeaderBytes = 256 << 10

// Close closes idle connections. The Checker stays usable.
func (c *Checker) Close() {
	c.client.CloseIdleConnections()
}

// hops counts the redirects of one check. It travels in the request context
// because CheckRedirect is shared by all concurrent checks.
type hops struct {
	n       int  // redirects followed
	limited bool // a further redirect was refused
}

type hopsKey struct{}

// checkRedirect follows up to maxRedirects redirects. Past that it returns
// the last 3xx response instead of an error, so that the result still
// carries its status and URL.
func (c *Checker) checkRedirect(req *http.Request, via []*http.Request) error {
	h, _ := req.Context().Value(hopsKey{}).(*hops)
	if len(via) > c.maxRedirects {
		if h != nil {
			h.limited = true
		}
		return http.ErrUseLastResponse
	}
	if h != nil {
		h.n = len(via)
	}
	return nil
}

// Check makes one GET attempt on rawURL. It fills URL, OK, Status, Error,
// ErrorKind, FinalURL, Redirects, DurationMS and CheckedAt; the caller owns
// the other fields. It never takes longer than Config.Timeout (or ctx's
// deadline, if sooner). If ctx is cancelled the result is of kind other;
// callers shutting down should look at ctx.Err() rather than store it.
func (c *Checker) Check(ctx context.Context, rawURL string) Result {
	start := time.Now()
	res := Result{URL: rawURL, FinalURL: rawURL, CheckedAt: start.UTC()}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var h hops
	c.do(context.WithValue(ctx, hopsKey{}, &h), &res, &h)
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

// do runs the exchange and fills res. The body is read inside the same
// deadline as the headers, so a trickling body cannot outlive the budget.
func (c *Checker) do(ctx context.Context, res *Result, h *hops) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, res.URL, nil)
	if err != nil {
		res.fail(KindOther, message(err))
		return
	}
	req.Header["User-Agent"] = c.userAgent
	resp, err := c.client.Do(req)
	res.Redirects = h.n
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.URL != "" {
			res.FinalURL = ue.URL
		}
		res.fail(explain(ctx, err, "awaiting response"))
		return
	}
	res.Status = resp.StatusCode
	if h.n > 0 {
		// Only a redirect changes the URL; skipping String saves an
		// allocation on the common path.
		res.FinalURL = resp.Request.URL.String()
	}
	err = drain(resp.Body, c.maxBody)
	resp.Body.Close()
	if err != nil {
		res.fail(explain(ctx, err, "reading body"))
		return
	}
	c.judge(res, h.limited)
}

// judge sets OK or the failure kind from the final status.
func (c *Checker) judge(res *Result, limited bool) {
	code := res.Status
	switch {
	case limited:
		res.fail(KindTooManyRedirects, "stopped after "+strconv.Itoa(c.maxRedirects)+" redirects")
	case code >= 200 && code <= 399:
		res.OK = true
	case code >= 400 && code <= 499:
		res.fail(KindHTTP4xx, statusMessage(code))
	case code >= 500 && code <= 599:
		res.fail(KindHTTP5xx, statusMessage(code))
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
