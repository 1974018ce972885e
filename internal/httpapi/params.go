package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
)

// paramError is a bad query parameter; the answer names it.
type paramError struct {
	param, msg string
}

func (e *paramError) Error() string { return e.param + ": " + e.msg }

// params parses the query string, which may hold each allowed parameter
// at most once and nothing else. On a bad query it answers 400 naming the
// parameter and returns false.
func params(w http.ResponseWriter, r *http.Request, allowed ...string) (url.Values, bool) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("query: %w", err), "")
		return nil, false
	}
	if _, ok := v[""]; ok {
		writeError(w, http.StatusBadRequest, fmt.Errorf("query: a parameter has no name (as in ?=1)"), "")
		return nil, false
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // name the same parameter whatever the map order
	for _, name := range names {
		var perr *paramError
		switch {
		case !slices.Contains(allowed, name):
			perr = &paramError{name, "unknown parameter" + allowedText(allowed)}
		case len(v[name]) > 1:
			perr = &paramError{name, "given more than once"}
		}
		if perr != nil {
			writeError(w, http.StatusBadRequest, perr, name)
			return nil, false
		}
	}
	return v, true
}

func allowedText(allowed []string) string {
	if len(allowed) == 0 {
		return " (this endpoint takes none)"
	}
	return " (want " + strings.Join(allowed, ", ") + ")"
}

// Limits of GET /results.
const (
	defaultLimit = 100
	maxLimit     = 10_000
	maxHostLen   = 253
)

// Output formats of GET /results.
const (
	formatJSON  = "json"
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

// errorKinds are the values error_kind accepts.
var errorKinds = []string{
	check.KindTimeout, check.KindDNS, check.KindRefused, check.KindReset, check.KindTLS,
	check.KindTooManyRedirects, check.KindHTTP4xx, check.KindHTTP5xx, check.KindOther, check.KindDead,
	check.KindBlocked, check.KindUnacceptedStatus,
}

var resultsParams = []string{"limit", "cursor", "ok", "status", "error_kind", "host", "format"}

// resultsQuery is a parsed GET /results query.
type resultsQuery struct {
	limit  int
	cursor string // "" for the newest
	format string
	stream queue.Stream
	filter filter
}

// parseResultsQuery validates the parameters of GET /results. Failed
// results come from the failed stream, which holds all of the run's; the
// feed holds only the newest. So ok=false, and error_kind (only failures
// have one), read the failed stream, everything else the feed.
func parseResultsQuery(v url.Values) (resultsQuery, *paramError) {
	q := resultsQuery{limit: defaultLimit, format: formatJSON, stream: queue.FeedStream}
	for _, p := range []struct {
		name  string
		parse func(string) *paramError
	}{
		{"limit", func(s string) *paramError { return parseInt(s, "limit", 1, maxLimit, &q.limit) }},
		{"cursor", func(s string) *paramError { return parseCursor(s, &q.cursor) }},
		{"ok", func(s string) *paramError { return parseOK(s, &q.filter.ok) }},
		{"status", func(s string) *paramError { return parseStatus(s, &q.filter.status) }},
		{"error_kind", func(s string) *paramError { return parseKind(s, &q.filter.kind) }},
		{"host", func(s string) *paramError { return parseHost(s, &q.filter.host) }},
		{"format", func(s string) *paramError { return parseFormat(s, &q.format) }},
	} {
		if s, ok := v[p.name]; ok {
			if err := p.parse(s[0]); err != nil {
				return q, err
			}
		}
	}
	if (q.filter.ok != nil && !*q.filter.ok) || q.filter.kind != "" {
		q.stream = queue.FailedStream
	}
	return q, nil
}

func parseInt(s, name string, lo, hi int, p *int) *paramError {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return &paramError{name, fmt.Sprintf("must be %d..%d", lo, hi)}
	}
	*p = n
	return nil
}

func parseCursor(s string, p *string) *paramError {
	if err := queue.CheckCursor(s); err != nil {
		return &paramError{"cursor", "not a cursor (pass the X-Next-Cursor of the previous page)"}
	}
	*p = s
	return nil
}

func parseOK(s string, p **bool) *paramError {
	switch s {
	case "true", "false":
		ok := s == "true"
		*p = &ok
		return nil
	}
	return &paramError{"ok", "must be true or false"}
}

func parseStatus(s string, p **int) *paramError {
	var n int
	if err := parseInt(s, "status", 0, 999, &n); err != nil {
		return &paramError{"status", "must be an HTTP status 100..999, or 0 for no response"}
	}
	if n > 0 && n < 100 {
		return &paramError{"status", "must be an HTTP status 100..999, or 0 for no response"}
	}
	*p = &n
	return nil
}

func parseKind(s string, p *string) *paramError {
	if !slices.Contains(errorKinds, s) {
		return &paramError{"error_kind", "must be one of " + strings.Join(errorKinds, ", ")}
	}
	*p = s
	return nil
}

func parseHost(s string, p *string) *paramError {
	if s == "" || len(s) > maxHostLen || strings.ContainsAny(s, "/?#@ \t\r\n") {
		return &paramError{"host", fmt.Sprintf("must be a host name such as example.com, at most %d characters", maxHostLen)}
	}
	*p = strings.ToLower(strings.TrimSuffix(s, "."))
	return nil
}

func parseFormat(s string, p *string) *paramError {
	switch s {
	case formatJSON, formatJSONL, formatCSV:
		*p = s
		return nil
	}
	return &paramError{"format", "must be json, jsonl or csv"}
}
