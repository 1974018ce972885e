package check

import (
	"math"
	"net/http"
	"time"
)

// Kinds of failure stored in Result.ErrorKind. They are part of the stored
// JSON and the API, so their spelling must not change.
const (
	KindTimeout          = "timeout"            // no answer within the budget, including DNS timeouts
	KindDNS              = "dns"                // name did not resolve (NXDOMAIN, no such host)
	KindRefused          = "refused"            // TCP connection refused
	KindReset            = "reset"              // connection reset or closed mid-exchange
	KindTLS              = "tls"                // handshake or certificate verification failed
	KindTooManyRedirects = "too_many_redirects" // redirect chain longer than Config.MaxRedirects
	KindHTTP4xx          = "http_4xx"           // final status 400..499, not in Config.Accept
	KindHTTP5xx          = "http_5xx"           // final status 500..599, not in Config.Accept
	KindUnacceptedStatus = "unaccepted_status"  // final status 100..399, not in Config.Accept (say a 204 when only 200 is)
	KindBlocked          = "blocked"            // Config.DenyPrivate refused the address connected to
	KindOther            = "other"              // anything else, including malformed responses and statuses 600..999
	KindDead             = "dead"               // job abandoned after repeated worker crashes
	KindDeferred         = "deferred"           // not checked: the host was at its limit; never a final result
)

// Result is one job's final result, stored as one JSON object in Redis and
// served by the API. The fields from Method on were added later; all but
// content_length (whose 0 means something) are left out of the JSON when
// empty, so that the common result stays compact.
//
// Result is comparable with ==, and tests elsewhere rely on it: that is why
// Chain is a pointer to a slice.
type Result struct {
	ID         string  `json:"id"`
	URL        string  `json:"url"`
	OK         bool    `json:"ok"`          // final status in Config.Accept (default 200..399)
	Status     int     `json:"status"`      // 0 when no response
	Error      string  `json:"error"`       // empty when none
	ErrorKind  string  `json:"error_kind"`  // "" when ok; else one of the Kind constants
	FinalURL   string  `json:"final_url"`   // URL of the last request made
	Redirects  int     `json:"redirects"`   // redirects followed
	DurationMS float64 `json:"duration_ms"` // wall time of the attempt, ms
	Attempts   int     `json:"attempts"`
	// WaitedMS is how long the job was put back for before this attempt:
	// its retry delays, the Retry-After pauses of its host and the
	// deferrals while the host was at its limit, in ms.
	WaitedMS  int64     `json:"waited_ms,omitempty"`
	Worker    string    `json:"worker"`
	Cache     string    `json:"cache,omitempty"` // "l1", "l2" or "origin"; set by the cache layer
	CheckedAt time.Time `json:"checked_at"`      // when the attempt began, UTC

	// Method is that of the last request made, "GET" or "HEAD".
	Method string `json:"method,omitempty"`
	// Chain lists the redirect responses followed, in order; nil when none.
	Chain *[]Hop `json:"chain,omitempty"`
	// HTTPVersion is the protocol of the final response: "HTTP/1.1",
	// "HTTP/2.0".
	HTTPVersion string `json:"http_version,omitempty"`
	// ContentType is the final response's Content-Type header, as sent
	// (cut at 256 bytes).
	ContentType string `json:"content_type,omitempty"`
	// ContentLength is the final response's Content-Length header: -1 when
	// the length is unknown (no such header, or no response at all), so 0
	// means a known empty body.
	ContentLength int64 `json:"content_length"`
	// RemoteIP is the address of the final connection: the server's, or
	// the proxy's when a proxy is used. Empty when no connection was made.
	RemoteIP string `json:"remote_ip,omitempty"`
	// Timing breaks down the time taken.
	Timing Timing `json:"timing,omitzero"`
	// TLS describes the final connection when it was https; nil otherwise.
	TLS *TLSInfo `json:"tls,omitempty"`
	// RetryAfterMS is the pause a 429 or 503 response asked for in its
	// Retry-After header, in milliseconds from when it arrived; 0 when
	// none. It is not capped: that is the caller's policy. RetryAfter
	// returns it as a Duration.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
}

// Hop is one redirect response followed.
type Hop struct {
	URL    string `json:"url"`    // URL requested
	Status int    `json:"status"` // its redirect status, such as 301
}

// Timing holds the phases of a check in milliseconds. DNS, Connect, TLS and
// TTFB describe the last request made (the one after the last redirect, or
// the GET after a failed HEAD); DNS, Connect and TLS are 0 when that request
// reused a kept-alive connection. DNS, Connect and TLS each run from the end
// of the phase before, so that DNS + Connect + TLS <= TTFB <= Total. Total
// is the whole check.
type Timing struct {
	DNS     float64 `json:"dns,omitempty"`     // name resolution
	Connect float64 `json:"connect,omitempty"` // TCP connect
	TLS     float64 `json:"tls,omitempty"`     // TLS handshake
	TTFB    float64 `json:"ttfb,omitempty"`    // from starting the request, connection included, to the first response byte
	Total   float64 `json:"total"`             // whole check, redirects and HEAD fallback included; equals DurationMS
}

// RetryAfter returns the pause the server asked for, 0 if none, saturating
// for values no Duration holds.
//
// It is a method over a field in milliseconds, rather than a Duration
// field, because encoding/json writes a Duration in nanoseconds: custom
// MarshalJSON and UnmarshalJSON methods on Result would make every stored
// result several times slower to encode and decode.
func (r Result) RetryAfter() time.Duration {
	const maxMS = math.MaxInt64 / int64(time.Millisecond)
	return time.Duration(min(max(r.RetryAfterMS, 0), maxMS)) * time.Millisecond
}

// Transient reports whether another attempt could plausibly succeed: the
// failure came from load or a flaky network rather than from what the URL
// is. A DNS NXDOMAIN, a bad certificate, a blocked address, a 404 or an
// unaccepted status will be the same next time; a 429 explicitly asks the
// client to come back later (see RetryAfter for when).
func (r Result) Transient() bool {
	switch r.ErrorKind {
	case KindTimeout, KindRefused, KindReset, KindHTTP5xx, KindDeferred:
		return true
	case KindHTTP4xx:
		return r.Status == http.StatusTooManyRequests
	}
	return false
}

// fail marks r as failed with the given kind and message.
func (r *Result) fail(kind, msg string) {
	r.OK = false
	r.ErrorKind = kind
	r.Error = msg
}
