package check

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slack is how far past its Timeout a check may return on a loaded
// machine running the race detector.
const slack = time.Second

// checkCase is one row of TestCheck. setup starts whatever server the case
// needs and returns the URL to check and, optionally, extra assertions.
type checkCase struct {
	name      string
	cfg       Config
	setup     func(t *testing.T) (string, func(t *testing.T, got Result))
	ok        bool
	status    int
	kind      string
	transient bool
	redirects int
}

func only(url string) (string, func(*testing.T, Result)) { return url, nil }

func TestCheck(t *testing.T) {
	short := Config{Timeout: 300 * time.Millisecond}
	cases := []checkCase{
		{name: "200", ok: true, status: 200,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(statusURL(t, 200)) }},
		{name: "301 chain", ok: true, status: 200, redirects: 2, setup: redirectChain},
		{name: "404", status: 404, kind: KindHTTP4xx,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(statusURL(t, 404)) }},
		{name: "429", status: 429, kind: KindHTTP4xx, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(statusURL(t, 429)) }},
		{name: "500", status: 500, kind: KindHTTP5xx, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(statusURL(t, 500)) }},
		{name: "503", status: 503, kind: KindHTTP5xx, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(statusURL(t, 503)) }},
		{name: "redirect loop", cfg: Config{MaxRedirects: 3}, status: 302, kind: KindTooManyRedirects,
			redirects: 3, setup: redirectLoop},
		{name: "no answer", cfg: short, kind: KindTimeout, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(hangURL(t)) }},
		{name: "trickling body", cfg: short, status: 200, kind: KindTimeout, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(trickleURL(t)) }},
		{name: "50 MiB body", ok: true, status: 200, setup: hugeBody},
		{name: "dns", kind: KindDNS,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only("http://nonexistent.invalid/") }},
		{name: "refused", kind: KindRefused, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(closedPortURL(t)) }},
		{name: "reset", kind: KindReset, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(rawURL(t, resetConn)) }},
		{name: "empty answer", kind: KindReset, transient: true,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(rawURL(t, hangUp)) }},
		{name: "malformed", kind: KindOther,
			setup: func(t *testing.T) (string, func(*testing.T, Result)) { return only(rawURL(t, garbage)) }},
		{name: "untrusted certificate", kind: KindTLS, setup: untrustedTLS},
		{name: "https to plain http", kind: KindTLS, setup: httpsToPlain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}

func (tc checkCase) run(t *testing.T) {
	url, extra := tc.setup(t)
	c := newChecker(t, tc.cfg)
	start := time.Now()
	got := c.Check(context.Background(), url)
	elapsed := time.Since(start)
	t.Logf("%+v", got)

	if got.OK != tc.ok || got.Status != tc.status || got.ErrorKind != tc.kind {
		t.Errorf("ok, status, kind = %v, %d, %q; want %v, %d, %q",
			got.OK, got.Status, got.ErrorKind, tc.ok, tc.status, tc.kind)
	}
	if got.Transient() != tc.transient {
		t.Errorf("Transient() = %v; want %v", got.Transient(), tc.transient)
	}
	if got.Redirects != tc.redirects {
		t.Errorf("Redirects = %d; want %d", got.Redirects, tc.redirects)
	}
	if (got.Error == "") != tc.ok || strings.HasPrefix(got.Error, "Get ") {
		t.Errorf("Error = %q; want empty iff ok, and no Get prefix", got.Error)
	}
	if got.URL != url || got.CheckedAt.IsZero() || got.DurationMS <= 0 {
		t.Errorf("URL, CheckedAt, DurationMS = %q, %v, %v; want %q, non-zero, positive",
			got.URL, got.CheckedAt, got.DurationMS, url)
	}
	if budget := c.timeout + slack; elapsed > budget {
		t.Errorf("Check took %v; want at most %v", elapsed, budget)
	}
	if extra != nil {
		extra(t, got)
	}
}

func redirectChain(t *testing.T) (string, func(*testing.T, Result)) {
	srv := redirectServer(t)
	return srv.URL + "/a", func(t *testing.T, got Result) {
		if want := srv.URL + "/c"; got.FinalURL != want {
			t.Errorf("FinalURL = %q; want %q", got.FinalURL, want)
		}
	}
}

func redirectLoop(t *testing.T) (string, func(*testing.T, Result)) {
	srv := redirectServer(t)
	return srv.URL + "/loop", func(t *testing.T, got Result) {
		if want := srv.URL + "/loop"; got.FinalURL != want {
			t.Errorf("FinalURL = %q; want %q", got.FinalURL, want)
		}
	}
}

// hugeBody checks that a 50 MiB body is cut off near MaxBody: the server
// must see the client hang up long before it has written everything.
func hugeBody(t *testing.T) (string, func(*testing.T, Result)) {
	b := newBigBody(t, 50<<20)
	return b.url, func(t *testing.T, got Result) {
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("server still writing after 10s; wrote %d bytes", b.written.Load())
		}
		// Socket buffers on loopback absorb a few MiB beyond what was read.
		n, limit := b.written.Load(), int64(20<<20)
		t.Logf("server wrote %d of %d bytes", n, b.size)
		if n > limit {
			t.Errorf("server wrote %d bytes; want at most %d", n, limit)
		}
	}
}

// untrustedTLS checks a TLS server whose certificate the default
// transport does not trust.
func untrustedTLS(t *testing.T) (string, func(*testing.T, Result)) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = quietLog(t)
	return only(srv.URL + "/")
}

// httpsToPlain checks an https URL served by a plain HTTP server.
func httpsToPlain(t *testing.T) (string, func(*testing.T, Result)) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	return only(strings.Replace(srv.URL, "http:", "https:", 1) + "/")
}

func TestCheckReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 10000)))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newChecker(t, Config{})
	for range 5 {
		if got := c.Check(context.Background(), srv.URL); !got.OK {
			t.Fatalf("Check: %+v", got)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("connections opened = %d; want 1", got)
	}
}

func TestCheckCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newChecker(t, Config{})
	got := c.Check(ctx, hangURL(t))
	if got.OK || got.ErrorKind != KindOther {
		t.Errorf("ok, kind = %v, %q; want false, %q", got.OK, got.ErrorKind, KindOther)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"zero", Config{}, false},
		{"all set", Config{Timeout: time.Second, MaxBody: 1, MaxRedirects: 1, MaxConnsPerHost: 1, UserAgent: "x"}, false},
		{"negative timeout", Config{Timeout: -1}, true},
		{"negative max body", Config{MaxBody: -1}, true},
		{"negative redirects", Config{MaxRedirects: -1}, true},
		{"negative conns", Config{MaxConnsPerHost: -1}, true},
		{"newline in user agent", Config{UserAgent: "a\nb"}, true},
		{"methods", Config{Method: " HEAD, GET "}, false},
		{"head", Config{Method: "head"}, false},
		{"unknown method", Config{Method: "post"}, true},
		{"get,head", Config{Method: "get,head"}, true},
		{"deny private with allow-list", Config{DenyPrivate: true, AllowAddr: func(netip.Addr) bool { return true }}, false},
		{"allow-list alone", Config{AllowAddr: func(netip.Addr) bool { return true }}, true},
		{"transport and insecure", Config{Transport: http.DefaultTransport, Insecure: true}, true},
		{"transport and deny private", Config{Transport: http.DefaultTransport, DenyPrivate: true}, true},
		{"transport and roots", Config{Transport: http.DefaultTransport, RootCAs: x509.NewCertPool()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v; want error %v", err, tt.wantErr)
			}
			if c != nil {
				c.Close()
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	}))
	b.Cleanup(srv.Close)
	benchCheck(b, Config{MaxConnsPerHost: 256}, srv.URL+"/")
}

// BenchmarkCheckHeadGet checks a host known not to support HEAD: the cost
// of asking the HeadMemory.
func BenchmarkCheckHeadGet(b *testing.B) {
	s := newMethodServer(b, http.StatusMethodNotAllowed, http.StatusOK)
	benchCheck(b, Config{MaxConnsPerHost: 256, Method: "head,get"}, s.url)
}

// BenchmarkCheckTLS checks over kept-alive HTTP/2: the cost of the TLS
// details.
func BenchmarkCheckTLS(b *testing.B) {
	ca := newCA(b, time.Now().Add(day))
	srv := tlsServer(b, ca.issue(b, time.Now().Add(-time.Hour), time.Now().Add(day), "127.0.0.1"),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }))
	benchCheck(b, Config{MaxConnsPerHost: 256, RootCAs: ca.pool}, srv.URL+"/")
}

func benchCheck(b *testing.B, cfg Config, url string) {
	c := newChecker(b, cfg)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if got := c.Check(ctx, url); !got.OK {
				b.Errorf("Check: %+v", got)
				return
			}
		}
	})
}

// BenchmarkResultMarshal measures the JSON encoding each result goes
// through before it is stored.
func BenchmarkResultMarshal(b *testing.B) {
	r := Result{
		ID: "0192d6a1-7b7e-7c4e-9b1a-4f5e6d7c8b9a", URL: "https://example.com/some/page", OK: true, Status: 200,
		FinalURL: "https://example.com/some/page", DurationMS: 123.456, Attempts: 1, Worker: "w1",
		CheckedAt: time.Now().UTC(), Method: "GET", HTTPVersion: "HTTP/2.0", ContentType: "text/html",
		ContentLength: 5120, RemoteIP: "93.184.215.14", Timing: Timing{DNS: 5, Connect: 20, TLS: 40, TTFB: 100, Total: 123.456},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}
