package check

import (
	"bufio"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newChecker returns a Checker for cfg that is closed when the test ends.
func newChecker(tb testing.TB, cfg Config) *Checker {
	tb.Helper()
	c, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

// serve starts an httptest server for h, closed when the test ends.
func serve(tb testing.TB, h http.HandlerFunc) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// statusURL returns the URL of a server that answers with code.
func statusURL(tb testing.TB, code int) string {
	tb.Helper()
	return serve(tb, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
	}).URL + "/"
}

// redirectServer serves /a → /b → /c (301 each), /c as 200, and /loop as a
// 302 to itself.
func redirectServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.Handle("/a", http.RedirectHandler("/b", http.StatusMovedPermanently))
	mux.Handle("/b", http.RedirectHandler("/c", http.StatusMovedPermanently))
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("landed"))
	})
	mux.Handle("/loop", http.RedirectHandler("/loop", http.StatusFound))
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// hangURL returns the URL of a server that never answers, until the client
// goes away or the test ends.
func hangURL(tb testing.TB) string {
	tb.Helper()
	release := make(chan struct{})
	srv := serve(tb, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	tb.Cleanup(func() { close(release) }) // runs before srv.Close
	return srv.URL + "/"
}

// trickleURL returns the URL of a server that sends headers at once, then
// one body byte every 100ms, forever.
func trickleURL(tb testing.TB) string {
	tb.Helper()
	release := make(chan struct{})
	srv := serve(tb, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			w.Write([]byte{'x'})
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			case <-release:
				return
			}
		}
	})
	tb.Cleanup(func() { close(release) })
	return srv.URL + "/"
}

// bigBody is a server offering a body of size bytes that counts how much
// of it was written before the client hung up.
type bigBody struct {
	url     string
	size    int64
	written atomic.Int64
	done    chan struct{} // closed when the handler returns
}

func newBigBody(tb testing.TB, size int64) *bigBody {
	tb.Helper()
	b := &bigBody{size: size, done: make(chan struct{})}
	b.url = serve(tb, b.serveHTTP).URL + "/"
	return b
}

func (b *bigBody) serveHTTP(w http.ResponseWriter, r *http.Request) {
	defer close(b.done)
	w.Header().Set("Content-Length", strconv.FormatInt(b.size, 10))
	chunk := make([]byte, 32<<10)
	for b.written.Load() < b.size {
		n, err := w.Write(chunk[:min(int64(len(chunk)), b.size-b.written.Load())])
		b.written.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// closedPortURL returns a loopback URL on which nothing listens.
func closedPortURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/"
}

// rawURL returns the URL of a TCP server that reads one request per
// connection and then hands the connection to respond.
func rawURL(tb testing.TB, respond func(*net.TCPConn)) string {
	tb.Helper()
	return rawURLMethods(tb, func(_ string, c *net.TCPConn) { respond(c) })
}

// rawURLMethods is rawURL for responders that look at the request
// method.
func rawURLMethods(tb testing.TB, respond func(method string, c *net.TCPConn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if req, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
					respond(req.Method, conn.(*net.TCPConn))
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

// resetConn aborts the connection with a TCP RST.
func resetConn(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}

// garbage answers with something that is not HTTP.
func garbage(c *net.TCPConn) {
	c.Write([]byte("garbage\r\n\r\n"))
}

// hangUp closes the connection without answering.
func hangUp(c *net.TCPConn) {}

// quietLog returns a logger that sends a server's expected complaints
// (failed handshakes) to the test log instead of stderr.
func quietLog(tb testing.TB) *log.Logger {
	return log.New(testWriter{tb}, "", 0)
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// serveOn starts an HTTP server for h on ip, a loopback address other than
// 127.0.0.1 if need be, closed when the test ends.
func serveOn(tb testing.TB, ip string, h http.Handler) *httptest.Server {
	tb.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// sameChain reports whether a result's chain holds exactly want.
func sameChain(got *[]Hop, want []Hop) bool {
	if got == nil {
		return len(want) == 0
	}
	return slices.Equal(*got, want)
}

// chainOf returns r's chain for messages.
func chainOf(r Result) []Hop {
	if r.Chain == nil {
		return nil
	}
	return *r.Chain
}
