package httpapi

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/urlcheck/url-checker/internal/check"
)

// filter selects results; a zero filter selects all.
type filter struct {
	ok     *bool
	status *int
	kind   string // error_kind
	host   string // host of the checked URL, lower case
}

func (f filter) match(r check.Result) bool {
	switch {
	case f.ok != nil && r.OK != *f.ok,
		f.status != nil && r.Status != *f.status,
		f.kind != "" && r.ErrorKind != f.kind,
		f.host != "" && hostOf(r.URL) != f.host:
		return false
	}
	return true
}

// empty reports whether f selects every result.
func (f filter) empty() bool { return f == filter{} }

// hostOf returns the lower-case host name of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// decode parses a stored result; false means it is not a result object.
func decode(raw json.RawMessage) (check.Result, bool) {
	var r check.Result
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return r, false
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, false
	}
	return r, true
}
