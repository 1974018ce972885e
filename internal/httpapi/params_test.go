package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestBadParameters(t *testing.T) {
	f := newFixture(t, Config{})
	tests := []struct {
		path, param, msg string
	}{
		{"/results?limit=0", "limit", "limit: must be 1..10000"},
		{"/results?limit=10001", "limit", "limit: must be 1..10000"},
		{"/results?limit=ten", "limit", "limit: must be 1..10000"},
		{"/results?limit=", "limit", "limit: must be 1..10000"},
		{"/results?limit=1&limit=2", "limit", "limit: given more than once"},
		{"/results?cursor=yesterday", "cursor", "cursor: not a cursor"},
		{"/results?cursor=1-2-3", "cursor", "cursor: not a cursor"},
		{"/results?ok=yes", "ok", "ok: must be true or false"},
		{"/results?ok=", "ok", "ok: must be true or false"},
		{"/results?status=abc", "status", "status: must be an HTTP status"},
		{"/results?status=1000", "status", "status: must be an HTTP status"},
		{"/results?status=42", "status", "status: must be an HTTP status"},
		{"/results?status=-1", "status", "status: must be an HTTP status"},
		{"/results?error_kind=slow", "error_kind", "error_kind: must be one of timeout, dns"},
		{"/results?host=", "host", "host: must be a host name"},
		{"/results?host=a/b", "host", "host: must be a host name"},
		{"/results?host=" + strings.Repeat("a", 254), "host", "host: must be a host name"},
		{"/results?format=xml", "format", "format: must be json, jsonl or csv"},
		{"/results?sort=asc", "sort", "sort: unknown parameter (want limit, cursor"},
		{"/results?limit=5&Limit=5", "Limit", "Limit: unknown parameter"},
		{"/results/failed.csv?format=csv", "format", "format: unknown parameter (this endpoint takes none)"},
		{"/stats?verbose=1", "verbose", "verbose: unknown parameter"},
		{"/healthz?x", "x", "x: unknown parameter"},
		{"/readyz?x=1", "x", "x: unknown parameter"},
		{"/metrics?name[]=up", "name[]", "name[]: unknown parameter"},
		{"/?x=1", "x", "x: unknown parameter"},
		{"/results?limit=%zz", "", "query: invalid URL escape"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.get(t, tt.path, "")
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if resp.StatusCode != http.StatusBadRequest || e.Param != tt.param || !strings.HasPrefix(e.Error, tt.msg) {
				t.Errorf("got %d %+v; want 400 param %q error %q...", resp.StatusCode, e, tt.param, tt.msg)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
		})
	}
}

func TestGoodParameters(t *testing.T) {
	f := newFixture(t, Config{})
	for _, path := range []string{
		"/results?limit=1", "/results?limit=10000", "/results?cursor=0-0", "/results?cursor=1712345678901-7",
		"/results?ok=true", "/results?ok=false", "/results?status=0", "/results?status=404",
		"/results?error_kind=too_many_redirects", "/results?host=example.com", "/results?host=::1",
		"/results?format=json", "/results?format=jsonl", "/results?format=csv",
		"/results?limit=3&cursor=5-0&ok=false&status=500&error_kind=http_5xx&host=a.test&format=csv",
	} {
		if resp, body := f.get(t, path, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d %s; want 200", path, resp.StatusCode, body)
		}
	}
}
