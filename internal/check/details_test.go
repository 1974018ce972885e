package check

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestCheckDetails(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("part"))
			w.(http.Flusher).Flush()
		case "/empty":
			w.Header().Set("Content-Length", "0")
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("hello"))
		}
	})
	tests := []struct {
		name       string
		method     string
		path       string
		wantMethod string
		wantType   string
		wantLength int64
	}{
		{"get", "", "/", "GET", "text/plain; charset=utf-8", 5},
		{"head", "head", "/", "HEAD", "text/plain; charset=utf-8", 5},
		{"chunked", "", "/chunked", "GET", "text/plain; charset=utf-8", -1},
		{"empty", "", "/empty", "GET", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newChecker(t, Config{Method: tt.method}).Check(context.Background(), srv.URL+tt.path)
			if got.Method != tt.wantMethod || got.ContentType != tt.wantType || got.ContentLength != tt.wantLength {
				t.Errorf("method, type, length = %q, %q, %d; want %q, %q, %d",
					got.Method, got.ContentType, got.ContentLength, tt.wantMethod, tt.wantType, tt.wantLength)
			}
			if got.HTTPVersion != "HTTP/1.1" || got.RemoteIP != "127.0.0.1" {
				t.Errorf("version, remote IP = %q, %q; want HTTP/1.1, 127.0.0.1", got.HTTPVersion, got.RemoteIP)
			}
		})
	}
}

func TestCheckNoResponseDetails(t *testing.T) {
	got := newChecker(t, Config{}).Check(context.Background(), closedPortURL(t))
	if got.ContentLength != -1 || got.HTTPVersion != "" || got.RemoteIP != "" || got.TLS != nil {
		t.Errorf("length, version, remote IP, TLS = %d, %q, %q, %v; want -1, empty, empty, nil",
			got.ContentLength, got.HTTPVersion, got.RemoteIP, got.TLS)
	}
}

func TestCheckTiming(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	c := newChecker(t, Config{})
	ctx := context.Background()

	// A name, so that there is a lookup; a new connection.
	first := c.Check(ctx, "http://localhost:"+port+"/").Timing
	if first.DNS <= 0 || first.Connect <= 0 || first.TLS != 0 {
		t.Errorf("first check: dns, connect, tls = %v, %v, %v; want > 0, > 0, 0", first.DNS, first.Connect, first.TLS)
	}
	if first.TTFB < first.DNS+first.Connect || first.Total < first.TTFB {
		t.Errorf("first check: %+v; want dns + connect <= ttfb <= total", first)
	}
	// The kept-alive connection: no dial phases.
	second := c.Check(ctx, "http://localhost:"+port+"/").Timing
	if second.DNS != 0 || second.Connect != 0 || second.TTFB <= 0 || second.Total < second.TTFB {
		t.Errorf("second check: %+v; want dns, connect 0 and 0 < ttfb <= total", second)
	}
}

func TestCheckTimingTLS(t *testing.T) {
	ca := newCA(t, time.Now().Add(day))
	srv := tlsServer(t, ca.issue(t, time.Now().Add(-time.Hour), time.Now().Add(day), "127.0.0.1"),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	got := newChecker(t, Config{RootCAs: ca.pool}).Check(context.Background(), srv.URL+"/")
	tm := got.Timing
	if tm.Connect <= 0 || tm.TLS <= 0 || tm.TTFB < tm.Connect+tm.TLS || tm.Total < tm.TTFB || tm.Total != got.DurationMS {
		t.Errorf("timing %+v, duration %v; want connect, tls > 0, connect + tls <= ttfb <= total = duration", tm, got.DurationMS)
	}
}

func TestCheckChain(t *testing.T) {
	srv := redirectServer(t)
	c := newChecker(t, Config{MaxRedirects: 3})
	tests := []struct {
		path string
		want []Hop
	}{
		{"/c", nil},
		{"/a", []Hop{{srv.URL + "/a", 301}, {srv.URL + "/b", 301}}},
		{"/loop", []Hop{{srv.URL + "/loop", 302}, {srv.URL + "/loop", 302}, {srv.URL + "/loop", 302}}},
	}
	for _, tt := range tests {
		got := c.Check(context.Background(), srv.URL+tt.path)
		if !sameChain(got.Chain, tt.want) {
			t.Errorf("%s: chain = %v; want %v", tt.path, chainOf(got), tt.want)
		}
	}
}
