package check

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{" 0 ", 0, true},
		{"007", 7 * time.Second, true},
		{"99999999999999999999", time.Duration(maxRetryAfterSeconds) * time.Second, true},
		{"Sat, 01 Jun 2030 12:01:30 GMT", 90 * time.Second, true},
		{"Saturday, 01-Jun-30 12:00:10 GMT", 10 * time.Second, true}, // RFC 850
		{"Sat Jun  1 12:00:05 2030", 5 * time.Second, true},          // asctime
		{"Sat, 01 Jun 2030 11:00:00 GMT", 0, true},                   // past
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"2030-06-01T12:01:00Z", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCheckRetryAfter(t *testing.T) {
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		code     int
		header   string
		min, max time.Duration
	}{
		{"429 seconds", 429, "120", 120 * time.Second, 120 * time.Second},
		{"503 date", 503, date, 58 * time.Minute, time.Hour},
		{"503 malformed", 503, "soon", 0, 0},
		{"500 ignored", 500, "120", 0, 0},
		{"429 without", 429, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.code)
			})
			got := newChecker(t, Config{}).Check(context.Background(), srv.URL+"/")
			if got.RetryAfter() < tt.min || got.RetryAfter() > tt.max {
				t.Errorf("RetryAfter() = %v; want between %v and %v", got.RetryAfter(), tt.min, tt.max)
			}
		})
	}
}
