package check

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestResultJSON(t *testing.T) {
	full := Result{
		ID: "j1", URL: "https://a.example/", OK: true, Status: 200, FinalURL: "https://a.example/b",
		Redirects: 1, DurationMS: 12.5, CheckedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Method: "GET", Chain: &[]Hop{{"https://a.example/", 301}}, HTTPVersion: "HTTP/2.0",
		ContentType: "text/html", ContentLength: 42, RemoteIP: "192.0.2.1",
		Timing: Timing{DNS: 1, Connect: 2, TLS: 3, TTFB: 7, Total: 12.5},
		TLS: &TLSInfo{Version: "TLS 1.3", LeafNotAfter: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), LeafDaysLeft: 300,
			ChainNotAfter: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), ChainDaysLeft: 150},
		RetryAfterMS: 1500,
	}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{`"retry_after_ms":1500`, `"chain":[{"url":"https://a.example/","status":301}]`,
		`"timing":{"dns":1,"connect":2,"tls":3,"ttfb":7,"total":12.5}`, `"leaf_not_after":"2031-01-01T00:00:00Z"`,
		`"chain_days_left":150`, `"http_version":"HTTP/2.0"`, `"remote_ip":"192.0.2.1"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s; want it to contain %s", b, want)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if back.RetryAfter() != 1500*time.Millisecond || !sameChain(back.Chain, *full.Chain) || *back.TLS != *full.TLS || back.Timing != full.Timing {
		t.Errorf("round trip = %+v; want %+v", back, full)
	}

	for ms, want := range map[int64]time.Duration{0: 0, -5: 0, 1500: 1500 * time.Millisecond,
		math.MaxInt64: time.Duration(math.MaxInt64/int64(time.Millisecond)) * time.Millisecond} {
		if got := (Result{RetryAfterMS: ms}).RetryAfter(); got != want {
			t.Errorf("Result{RetryAfterMS: %d}.RetryAfter() = %v; want %v", ms, got, want)
		}
	}

	// A result without the new details stays as compact as before.
	b, err = json.Marshal(Result{URL: "u", ContentLength: -1})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, absent := range []string{"method", "chain", "http_version", "content_type", "remote_ip", "timing", `"tls"`, "retry_after_ms"} {
		if strings.Contains(string(b), absent) {
			t.Errorf("JSON %s; want no %s", b, absent)
		}
	}
}
