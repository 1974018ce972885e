package httpapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
)

func TestResultsNewestFirstWithLimit(t *testing.T) {
	f := newFixture(t, Config{})
	all := f.commit(t, okSpec("a.test"), okSpec("b.test"), failSpec(404, check.KindHTTP4xx, "c.test"), okSpec("d.test"))
	tests := []struct {
		query      string
		want       []check.Result
		wantCursor bool
	}{
		{"", reversed(all), false},
		{"?limit=2", reversed(all)[:2], true},
		{"?limit=4", reversed(all), true}, // full page: there may be more
		{"?limit=5", reversed(all), false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []check.Result
			resp := f.getJSON(t, "/results"+tt.query, &got)
			if !slices.Equal(ids(got), ids(tt.want)) {
				t.Errorf("got %v; want %v", ids(got), ids(tt.want))
			}
			if c := resp.Header.Get(headerNextCursor); (c != "") != tt.wantCursor {
				t.Errorf("X-Next-Cursor %q; want present %v", c, tt.wantCursor)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
		})
	}
}

func TestResultsEmpty(t *testing.T) {
	f := newFixture(t, Config{})
	for _, tt := range []struct{ query, want string }{
		{"", "[]\n"},
		{"?format=jsonl", ""},
		{"?format=csv", strings.Join(csvHeader, ",") + "\n"},
	} {
		resp, body := f.get(t, "/results"+tt.query, "")
		if resp.StatusCode != http.StatusOK || string(body) != tt.want {
			t.Errorf("%s: got %d %q; want 200 %q", tt.query, resp.StatusCode, body, tt.want)
		}
	}
}

func TestResultsFilters(t *testing.T) {
	f := newFixture(t, Config{})
	all := f.commit(t,
		okSpec("example.com"),
		failSpec(404, check.KindHTTP4xx, "example.com"),
		failSpec(0, check.KindTimeout, "slow.test"),
		okSpec("other.test"),
		failSpec(404, check.KindHTTP4xx, "other.test"),
		failSpec(0, check.KindTimeout, "example.com"),
	)
	pick := func(i ...int) []string {
		var out []string
		for _, n := range slices.Backward(i) {
			out = append(out, all[n].ID)
		}
		return out
	}
	tests := []struct {
		query, stream string
		want          []string
	}{
		{"ok=true", "feed", pick(0, 3)},
		{"ok=false", "failed", pick(1, 2, 4, 5)},
		{"status=404", "feed", pick(1, 4)},
		{"status=0", "feed", pick(2, 5)},
		{"error_kind=timeout", "failed", pick(2, 5)},
		{"host=example.com", "feed", pick(0, 1, 5)},
		{"host=EXAMPLE.com.", "feed", pick(0, 1, 5)},
		{"ok=false&host=example.com", "failed", pick(1, 5)},
		{"ok=true&status=404", "feed", nil},
		{"status=404&limit=1", "feed", pick(4)},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []check.Result
			resp := f.getJSON(t, "/results?"+tt.query, &got)
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("got %v; want %v", ids(got), tt.want)
			}
			if s := resp.Header.Get(headerStream); s != tt.stream {
				t.Errorf("stream %q; want %q", s, tt.stream)
			}
		})
	}
}

// page fetches /results with query and cursor, and returns the results
// and the next cursor.
func (f *fixture) page(tb testing.TB, query, cursor string) ([]check.Result, string, *http.Response) {
	tb.Helper()
	v, _ := url.ParseQuery(query)
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	var got []check.Result
	resp := f.getJSON(tb, "/results?"+v.Encode(), &got)
	return got, resp.Header.Get(headerNextCursor), resp
}

// TestPagingUnderConcurrentInserts pages with cursors while more results
// are committed between the pages: each result that existed at the first
// page shows up exactly once, in order, and none of the new ones do.
func TestPagingUnderConcurrentInserts(t *testing.T) {
	f := newFixture(t, Config{Chunk: 4})
	specs := make([]spec, 47)
	for i := range specs {
		specs[i] = okSpec("a.test")
		if i%4 == 1 {
			specs[i] = failSpec(500, check.KindHTTP5xx, "a.test")
		}
	}
	f.commit(t, specs...)
	for _, query := range []string{"limit=5", "limit=3&ok=false", "limit=6&status=200"} {
		t.Run(query, func(t *testing.T) {
			existing := slices.Clone(f.all)
			var seen []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("more than 100 pages")
				}
				got, next, _ := f.page(t, query, cursor)
				seen = append(seen, ids(got)...)
				if next == "" {
					break
				}
				cursor = next
				f.commit(t, okSpec("new.test"), failSpec(500, check.KindHTTP5xx, "new.test"))
			}
			var want []string
			for _, r := range reversed(existing) {
				if matches(t, query, r) {
					want = append(want, r.ID)
				}
			}
			if !slices.Equal(seen, want) {
				t.Errorf("got  %v;\nwant %v", seen, want)
			}
		})
	}
}

// matches applies the filters of query to r, as the server should.
func matches(tb testing.TB, query string, r check.Result) bool {
	tb.Helper()
	v, _ := url.ParseQuery(query)
	rq, perr := parseResultsQuery(v)
	if perr != nil {
		tb.Fatal(perr)
	}
	return rq.filter.match(r)
}

func TestScanLimitIsReported(t *testing.T) {
	f := newFixture(t, Config{ScanLimit: 10, Chunk: 3})
	specs := make([]spec, 35)
	for i := range specs {
		specs[i] = okSpec("a.test")
		if i%9 == 0 {
			specs[i] = okSpec("rare.test")
		}
	}
	all := f.commit(t, specs...)
	var want []string
	for _, r := range reversed(all) {
		if strings.Contains(r.URL, "rare.test") {
			want = append(want, r.ID)
		}
	}
	var seen []string
	cursor, truncated := "", 0
	for {
		got, next, resp := f.page(t, "host=rare.test&limit=100", cursor)
		if len(got) > 2 {
			t.Errorf("page of %d matches from 10 scanned entries; want at most 2", len(got))
		}
		if resp.Header.Get(headerScanTruncated) == "true" {
			truncated++
			if next == "" {
				t.Fatal("scan truncated without a next cursor")
			}
		}
		seen = append(seen, ids(got)...)
		if next == "" {
			break
		}
		cursor = next
	}
	if truncated != 3 { // 35 entries, 10 per request
		t.Errorf("truncated pages: got %d; want 3", truncated)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("got %v; want %v", seen, want)
	}
}

// TestFormatsAgree checks that CSV and JSON lines parse back to the same
// records as JSON, across several chunks.
func TestFormatsAgree(t *testing.T) {
	f := newFixture(t, Config{Chunk: 7})
	specs := make([]spec, 30)
	for i := range specs {
		specs[i] = okSpec("x.test")
		if i%3 == 0 {
			specs[i] = failSpec(503, check.KindHTTP5xx, "y.test")
		}
	}
	committed := f.commit(t, specs...)
	for _, query := range []string{"limit=25", "ok=false", "host=y.test&limit=4"} {
		t.Run(query, func(t *testing.T) {
			var fromJSON []check.Result
			f.getJSON(t, "/results?"+query, &fromJSON)
			if len(fromJSON) == 0 {
				t.Fatal("no results")
			}
			for i, r := range fromJSON {
				if want := find(committed, r.ID); !sameResult(r, want) {
					t.Errorf("json record %d: got %+v; want %+v", i, r, want)
				}
			}
			fromJSONL := decodeJSONL(t, f.body(t, "/results?"+query+"&format=jsonl", "application/x-ndjson"))
			fromCSV := decodeCSV(t, f.body(t, "/results?"+query+"&format=csv", "text/csv; charset=utf-8"))
			for name, got := range map[string][]check.Result{"jsonl": fromJSONL, "csv": fromCSV} {
				if len(got) != len(fromJSON) {
					t.Fatalf("%s: got %d records; want %d", name, len(got), len(fromJSON))
				}
				for i := range got {
					if !sameResult(got[i], fromJSON[i]) {
						t.Errorf("%s record %d: got %+v; want %+v", name, i, got[i], fromJSON[i])
					}
				}
			}
		})
	}
}

func find(rs []check.Result, id string) check.Result {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return check.Result{}
}

func sameResult(a, b check.Result) bool {
	at, bt := a.CheckedAt, b.CheckedAt
	a.CheckedAt, b.CheckedAt = time.Time{}, time.Time{}
	return a == b && at.Equal(bt)
}

// body fetches path, wants 200 with content type ct, and returns the body.
func (f *fixture) body(tb testing.TB, path, ct string) []byte {
	tb.Helper()
	resp, body := f.get(tb, path, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ct {
		tb.Fatalf("GET %s: got %d %q; want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
	}
	return body
}

func decodeJSONL(tb testing.TB, body []byte) []check.Result {
	tb.Helper()
	var out []check.Result
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var r check.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("jsonl line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func decodeCSV(tb testing.TB, body []byte) []check.Result {
	tb.Helper()
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		tb.Fatalf("csv: %v", err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], csvHeader) {
		tb.Fatalf("csv header: got %v; want %v", recs[:min(1, len(recs))], csvHeader)
	}
	out := make([]check.Result, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		out = append(out, parseCSVRecord(tb, rec))
	}
	return out
}

func parseCSVRecord(tb testing.TB, rec []string) check.Result {
	tb.Helper()
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			tb.Fatalf("csv number %q: %v", s, err)
		}
		return n
	}
	ok, err1 := strconv.ParseBool(rec[2])
	dur, err2 := strconv.ParseFloat(rec[8], 64)
	var at time.Time
	var err3 error
	if rec[13] != "" {
		at, err3 = time.Parse(time.RFC3339Nano, rec[13])
	}
	if err1 != nil || err2 != nil || err3 != nil {
		tb.Fatalf("csv record %q: %v %v %v", rec, err1, err2, err3)
	}
	return check.Result{ID: rec[0], URL: rec[1], OK: ok, Status: num(rec[3]), Error: rec[4], ErrorKind: rec[5],
		FinalURL: rec[6], Redirects: num(rec[7]), DurationMS: dur, Attempts: num(rec[9]), WaitedMS: int64(num(rec[10])),
		Worker: rec[11], Cache: rec[12], CheckedAt: at}
}

func TestFailedCSV(t *testing.T) {
	f := newFixture(t, Config{Chunk: 50})
	specs := make([]spec, 260)
	for i := range specs {
		specs[i] = failSpec(404, check.KindHTTP4xx, "gone.test")
		if i%5 == 0 {
			specs[i] = okSpec("fine.test")
		}
	}
	all := f.commit(t, specs...)
	var want []check.Result
	for _, r := range reversed(all) {
		if !r.OK {
			want = append(want, r)
		}
	}
	resp, body := f.get(t, "/results/failed.csv", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="failed.csv"` {
		t.Fatalf("got %d %v; want 200 with an attachment", resp.StatusCode, resp.Header)
	}
	got := decodeCSV(t, body)
	if len(got) != len(want) {
		t.Fatalf("got %d records; want %d", len(got), len(want))
	}
	for i := range got {
		if !sameResult(got[i], want[i]) {
			t.Errorf("record %d: got %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestResultsRedisDown(t *testing.T) {
	f := newFixture(t, Config{})
	f.redis.Kill(t)
	for _, path := range []string{"/results", "/results/failed.csv", "/stats", "/readyz"} {
		resp, body := f.get(t, path, "")
		var e errorBody
		if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s: got %d %q; want 503 with a JSON error", path, resp.StatusCode, body)
		}
	}
	if resp, _ := f.get(t, "/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: got %d; want 200 while Redis is down", resp.StatusCode)
	}
	f.redis.Restart(t)
	if resp, body := f.get(t, "/readyz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after restart: got %d %s; want 200", resp.StatusCode, body)
	}
}
