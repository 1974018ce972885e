package check

import (
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
	KindHTTP4xx          = "http_4xx"           // final status 400..499
	KindHTTP5xx          = "http_5xx"           // final status 500..599
	KindOther            = "other"              // anything else, including malformed responses
	KindDead             = "dead"               // job abandoned after repeated worker crashes
)

// Result is one job's final result, stored as one JSON object in Redis and
// served by the API.
type Result struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	OK         bool      `json:"ok"`          // final status in the accepted range (200..399)
	Status     int       `json:"status"`      // 0 when no response
	Error      string    `json:"error"`       // empty when none
	ErrorKind  string    `json:"error_kind"`  // "" when ok; else one of the Kind constants
	FinalURL   string    `json:"final_url"`   // URL of the last request made
	Redirects  int       `json:"redirects"`   // redirects followed
	DurationMS float64   `json:"duration_ms"` // wall time of the attempt, ms
	Attempts   int       `json:"attempts"`
	Worker     string    `json:"worker"`
	Cache      string    `json:"cache,omitempty"` // "l1", "l2" or "origin"; set by the cache layer
	CheckedAt  time.Time `json:"checked_at"`      // when the attempt began, UTC
}

// Transient reports whether another attempt could plausibly succeed: the
// failure came from load or a flaky network rather than from what the URL
// is. A DNS NXDOMAIN, a bad certificate or a 404 will be the same next time;
// a 429 explicitly asks the client to come back later.
func (r Result) Transient() bool {
	switch r.ErrorKind {
	case KindTimeout, KindRefused, KindReset, KindHTTP5xx:
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
