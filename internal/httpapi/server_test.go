package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/queue"
)

func TestNewHTTPServerTimeouts(t *testing.T) {
	s := NewHTTPServer(":0", http.NotFoundHandler(), 0, slog.Default())
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout != 30*time.Second || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Errorf("got read header %v, read %v, write %v, idle %v, max header %d; want all set, write 30s",
			s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout, s.MaxHeaderBytes)
	}
}

func TestNewRejectsNegativeSettings(t *testing.T) {
	for _, cfg := range []Config{{Lease: -1}, {ScanLimit: -1}, {Chunk: -5}, {WriteTimeout: -time.Second}} {
		if _, err := New(queue.NewLazy(nil, queue.Config{}), cfg); err == nil {
			t.Errorf("New(%+v) = nil error; want one", cfg)
		}
	}
}

func TestDashboard(t *testing.T) {
	f := newFixture(t, Config{Token: "t"})
	resp, body := f.get(t, "/", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("got %d %q; want 200 html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(body) != len(dashboardHTML) {
		t.Errorf("got %d bytes; want the embedded page's %d", len(body), len(dashboardHTML))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'sha256-", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if resp, _ := f.get(t, "/nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/nope: got %d; want 404", resp.StatusCode)
	}
}
