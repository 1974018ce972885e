package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

// fixture is an API on a private Redis with a fresh run.
type fixture struct {
	redis *redistest.Server
	rdb   *redis.Client
	q     *queue.Queue
	api   *Server
	srv   *httptest.Server
	all   []check.Result // every result committed, oldest first
}

func newFixture(tb testing.TB, cfg Config) *fixture {
	tb.Helper()
	f := &fixture{redis: redistest.Start(tb)}
	// No retries: the tests that kill Redis want their 503 at once.
	f.rdb = redis.NewClient(&redis.Options{Addr: f.redis.Addr(), MaxRetries: -1, DisableIdentity: true})
	tb.Cleanup(func() { f.rdb.Close() })
	lz := queue.NewLazy(f.rdb, queue.Config{Namespace: "api"})
	q, err := lz.Get(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	f.q = q
	if _, err := q.NewRun(context.Background()); err != nil {
		tb.Fatal(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	f.api, err = New(lz, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	f.srv = httptest.NewServer(f.api.Handler())
	tb.Cleanup(f.srv.Close)
	return f
}

// spec describes a result to commit; the job id and URL come from the
// queue.
type spec struct {
	ok     bool
	status int
	kind   string
	host   string
}

func okSpec(host string) spec { return spec{ok: true, status: 200, host: host} }

func failSpec(status int, kind, host string) spec {
	return spec{status: status, kind: kind, host: host}
}

var seq int

// commit enqueues one job per spec, claims them and commits their results
// in order, one commit each, so stream order is spec order. It returns the
// results as committed.
func (f *fixture) commit(tb testing.TB, specs ...spec) []check.Result {
	tb.Helper()
	ctx := context.Background()
	urls := make([]string, len(specs))
	for i, s := range specs {
		seq++
		urls[i] = fmt.Sprintf("https://%s/page/%d?q=a,b", s.host, seq)
	}
	if _, err := f.q.Enqueue(ctx, urls); err != nil {
		tb.Fatal(err)
	}
	jobs, err := f.q.Claim(ctx, len(specs))
	if err != nil || len(jobs) != len(specs) {
		tb.Fatalf("Claim = %d, %v; want %d", len(jobs), err, len(specs))
	}
	out := make([]check.Result, 0, len(specs))
	for i, j := range jobs {
		s := specs[i]
		r := check.Result{
			ID: j.ID, URL: j.URL, OK: s.ok, Status: s.status, ErrorKind: s.kind,
			FinalURL: j.URL, Redirects: i % 3, DurationMS: 12.5 + float64(i)/3, Attempts: 1 + i%2,
			Worker: "w\"1", Cache: "origin", CheckedAt: time.Date(2025, 1, 2, 3, 4, 5, i*1000, time.UTC),
		}
		if !s.ok {
			r.Error = fmt.Sprintf("failed, \"badly\"\nline two %d", i)
		}
		raw, _ := json.Marshal(r)
		kind := queue.Succeeded
		if !s.ok {
			kind = queue.Failed
		}
		o := queue.Outcome{ID: j.ID, Token: j.Token, Kind: kind, Result: raw}
		if _, _, err := f.q.Commit(ctx, []queue.Outcome{o}, queue.Deltas{}); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	f.all = append(f.all, out...)
	return out
}

// get requests path, with the bearer token unless it is empty, and returns
// the response with its body read.
func (f *fixture) get(tb testing.TB, path, token string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, body
}

// getJSON requests path, wants 200 and decodes the body into v.
func (f *fixture) getJSON(tb testing.TB, path string, v any) *http.Response {
	tb.Helper()
	resp, body := f.get(tb, path, "")
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: got %d %s; want 200", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("GET %s: decode %q: %v", path, body, err)
	}
	return resp
}

func ids(rs []check.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
