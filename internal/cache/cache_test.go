package cache

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func TestNewRejectsBadConfig(t *testing.T) {
	_, rdb := newRedis(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no prefix", Config{}, "empty Prefix"},
		{"negative L1Size", Config{Prefix: "p:", L1Size: -1}, "negative L1Size"},
		{"negative L1TTL", Config{Prefix: "p:", L1TTL: -time.Second}, "negative L1TTL"},
		{"negative TTL", Config{Prefix: "p:", TTL: -time.Second}, "negative TTL"},
		{"negative ErrorTTL", Config{Prefix: "p:", ErrorTTL: -time.Second}, "negative ErrorTTL"},
		{"negative ClaimTTL", Config{Prefix: "p:", ClaimTTL: -time.Second}, "negative ClaimTTL"},
		{"negative WaitFor", Config{Prefix: "p:", WaitFor: -time.Second}, "negative WaitFor"},
		{"negative LoadTimeout", Config{Prefix: "p:", LoadTimeout: -time.Second}, "negative LoadTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(rdb, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: got error %v; want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := New(nil, Config{Prefix: "p:"}); err == nil {
		t.Errorf("New(nil client): got nil error; want one")
	}
	c, err := New(rdb, Config{Prefix: "p:"})
	if err != nil {
		t.Fatalf("New with defaults: %v", err)
	}
	if c.cfg.L1Size != DefaultL1Size || c.cfg.TTL != DefaultTTL || c.cfg.ClaimTTL != DefaultClaimTTL {
		t.Errorf("defaults: got %+v; want L1Size %d, TTL %v, ClaimTTL %v",
			c.cfg, DefaultL1Size, DefaultTTL, DefaultClaimTTL)
	}
}

func TestL1Expiry(t *testing.T) {
	_, rdb := newRedis(t)
	clock := newFakeClock()
	c := newCache(t, rdb, Config{L1TTL: time.Minute, Now: clock.Now})
	const url = "http://example.com/"
	o := newOrigin(okResult(url))
	ctx := context.Background()

	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, SourceOrigin},
		{time.Minute - time.Nanosecond, SourceL1},
		{time.Nanosecond, SourceL2}, // a minute old: stale, so L2, which refills L1
		{time.Minute - time.Nanosecond, SourceL1},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		r, err := c.Get(ctx, url, o.fetch)
		if err != nil || r.Cache != s.want {
			t.Fatalf("step %d: got Cache %q, %v; want %q, nil", i, r.Cache, err, s.want)
		}
	}
	clock.Advance(time.Nanosecond)
	if _, ok := c.l1Get(url); ok {
		t.Errorf("l1Get of a stale entry: got a hit; want a miss")
	}
	if c.l1.Contains(url) {
		t.Errorf("stale entry: still in L1; want it evicted")
	}
	if got := o.calls.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}
}

func TestStoreByOutcome(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		status   int
		kind     string
		wantTTL  time.Duration // 0: not in L2
		wantInL1 bool
	}{
		{"ok", 200, "", 5 * time.Minute, true},
		{"redirect ok", 301, "", 5 * time.Minute, true},
		{"not found", 404, check.KindHTTP4xx, 30 * time.Second, false},
		{"dns", 0, check.KindDNS, 30 * time.Second, false},
		{"tls", 0, check.KindTLS, 30 * time.Second, false},
		{"too many requests", 429, check.KindHTTP4xx, 0, false},
		{"server error", 503, check.KindHTTP5xx, 0, false},
		{"timeout", 0, check.KindTimeout, 0, false},
		{"refused", 0, check.KindRefused, 0, false},
		{"reset", 0, check.KindReset, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t, rdb, Config{Prefix: "test:" + tc.name + ":"})
			url := "http://example.com/" + strings.ReplaceAll(tc.name, " ", "-")
			want := okResult(url)
			want.OK, want.Status, want.ErrorKind = tc.kind == "", tc.status, tc.kind
			if tc.kind != "" {
				want.Error = "failed: " + tc.name
			}
			o := newOrigin(want)
			if _, err := c.Get(ctx, url, o.fetch); err != nil {
				t.Fatalf("Get: %v", err)
			}
			ek := c.keys.entry(url)
			pttl, err := rdb.PTTL(ctx, ek).Result()
			if err != nil {
				t.Fatalf("PTTL: %v", err)
			}
			assertTTL(t, pttl, tc.wantTTL)
			if got := c.l1.Contains(url); got != tc.wantInL1 {
				t.Errorf("in L1: got %v; want %v", got, tc.wantInL1)
			}
			if _, err := c.Get(ctx, url, o.fetch); err != nil {
				t.Fatalf("second Get: %v", err)
			}
			wantCalls := int64(1)
			if tc.wantTTL == 0 {
				wantCalls = 2
			}
			if got := o.calls.Load(); got != wantCalls {
				t.Errorf("fetches after two Gets: got %d; want %d", got, wantCalls)
			}
		})
	}
}

// assertTTL checks a PTTL reply: a key without one (-2) when want is 0,
// else a TTL within a second below want.
func assertTTL(t *testing.T, got, want time.Duration) {
	t.Helper()
	if want == 0 {
		if got != -2 {
			t.Errorf("PTTL: got %v; want -2 (no key)", got)
		}
		return
	}
	if got > want || got < want-time.Second {
		t.Errorf("PTTL: got %v; want within a second below %v", got, want)
	}
}

func TestGetFromL2CopiesURLFields(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	writer, reader := newCache(t, rdb, Config{}), newCache(t, rdb, Config{})
	for _, tc := range []struct {
		name     string
		fetched  check.Result
		asked    string
		wantNext string // FinalURL the reader gets
	}{
		{"no redirect", okResult("http://example.com/a"), "HTTP://Example.com/a#x", "HTTP://Example.com/a#x"},
		{"redirect", func() check.Result {
			r := okResult("http://example.com/b")
			r.FinalURL, r.Redirects = "https://example.com/b/", 2
			return r
		}(), "http://example.com/b", "https://example.com/b/"},
		{"permanent error", check.Result{
			URL: "http://example.com/c", Status: 404, ErrorKind: check.KindHTTP4xx,
			Error: "404 Not Found\nwith a newline, and commas", FinalURL: "http://example.com/c",
			DurationMS: 3.25, CheckedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		}, "http://example.com:80/c", "http://example.com:80/c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := writer.Get(ctx, tc.fetched.URL, newOrigin(tc.fetched).fetch); err != nil {
				t.Fatalf("writer Get: %v", err)
			}
			o := newOrigin(check.Result{})
			got, err := reader.Get(ctx, tc.asked, o.fetch)
			if err != nil {
				t.Fatalf("reader Get: %v", err)
			}
			want := check.Result{
				URL: tc.asked, OK: tc.fetched.OK, Status: tc.fetched.Status, Error: tc.fetched.Error,
				ErrorKind: tc.fetched.ErrorKind, FinalURL: tc.wantNext, Redirects: tc.fetched.Redirects,
				DurationMS: tc.fetched.DurationMS, Cache: SourceL2,
				CheckedAt: tc.fetched.CheckedAt.Truncate(time.Millisecond),
			}
			if got != want {
				t.Errorf("reader Get:\ngot  %+v\nwant %+v", got, want)
			}
			if o.calls.Load() != 0 {
				t.Errorf("reader fetched; want it served from L2")
			}
		})
	}
}

func TestGetSurvivesRedisDown(t *testing.T) {
	s := redistest.Start(t)
	// Without retries, each command fails at once once the server is gone.
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	c := newCache(t, rdb, Config{})
	s.Kill(t)
	const url = "http://example.com/"
	o := newOrigin(okResult(url))
	for i, want := range []string{SourceOrigin, SourceL1} {
		r, err := c.Get(context.Background(), url, o.fetch)
		if err != nil || r.Cache != want || !r.OK {
			t.Errorf("Get %d with Redis down: got %+v, %v; want OK from %s", i, r, err, want)
		}
	}
	if _, err := c.GetMany(context.Background(), []string{url, "http://example.com/other"}); err == nil {
		t.Errorf("GetMany with Redis down: got nil error; want one")
	}
}

func TestGetBypassesUnnormalizableURL(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const url = "ftp://example.com/"
	o := newOrigin(check.Result{URL: url, ErrorKind: check.KindOther, Error: "unsupported protocol"})
	for range 2 {
		r, err := c.Get(context.Background(), url, o.fetch)
		if err != nil || r.Cache != SourceOrigin {
			t.Errorf("Get: got Cache %q, %v; want origin, nil", r.Cache, err)
		}
	}
	if got := o.calls.Load(); got != 2 {
		t.Errorf("fetches: got %d; want 2", got)
	}
}

func TestTakeAndAddCounts(t *testing.T) {
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	ctx := context.Background()
	const url = "http://example.com/"
	o := newOrigin(okResult(url))
	for range 3 {
		if _, err := c.Get(ctx, url, o.fetch); err != nil {
			t.Fatalf("Get: %v", err)
		}
	}
	want := map[string]int64{SourceL1: 2, SourceL2: 0, SourceOrigin: 1, Merged: 0}
	got := c.TakeCounts()
	if !maps.Equal(got, want) {
		t.Fatalf("TakeCounts: got %v; want %v", got, want)
	}
	zero := map[string]int64{SourceL1: 0, SourceL2: 0, SourceOrigin: 0, Merged: 0}
	if again := c.TakeCounts(); !maps.Equal(again, zero) {
		t.Errorf("second TakeCounts: got %v; want %v", again, zero)
	}
	c.AddCounts(got)
	c.AddCounts(map[string]int64{"bogus": 7})
	if again := c.TakeCounts(); !maps.Equal(again, want) {
		t.Errorf("TakeCounts after AddCounts: got %v; want %v", again, want)
	}
}

func TestEntryEncoding(t *testing.T) {
	for _, e := range []entry{
		{ok: true, sameURL: true, status: 200, duration: 12.345, at: 1767323045678},
		{status: 404, kind: check.KindHTTP4xx, finalURL: "https://x/y", err: "a,b\nc\n", redirects: 3, at: 1},
		{},
	} {
		got, err := decodeEntry(string(e.encode()))
		if err != nil || got != e {
			t.Errorf("decode(encode(%+v)): got %+v, %v", e, got, err)
		}
	}
	for _, bad := range []string{"", "1,1,200,0,1,1,\n", "2,1,200,0,1,1,\nu\n", "1,x,200,0,1,1,\n\n", "1,1,200,0,1,1,k,extra\n\n"} {
		if _, err := decodeEntry(bad); err == nil {
			t.Errorf("decodeEntry(%q): got nil error; want one", bad)
		}
	}
}
