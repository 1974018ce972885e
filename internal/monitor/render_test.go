package monitor

import (
	"testing"

	"github.com/urlcheck/url-checker/internal/progress"
)

func ptr(f float64) *float64 { return &f }

func TestLine(t *testing.T) {
	tests := []struct {
		name string
		r    progress.Report
		want string
	}{
		{
			"the issue's example",
			progress.Report{Total: 1000, Queued: 750, Processing: 3, Success: 247, Done: 247, Progress: 24.7, Rate: ptr(50), ETASeconds: ptr(15)},
			"Queue: 750 | Processing: 3 | Success: 247 | Error: 0 | Progress: 24.7% | Rate: 50/s | ETA: 15s",
		},
		{
			"zero totals",
			progress.Report{},
			"Queue: 0 | Processing: 0 | Success: 0 | Error: 0 | Progress: - | Rate: - | ETA: -",
		},
		{
			"unknown rate",
			progress.Report{Total: 10, Queued: 10, Rate: nil, ETASeconds: nil},
			"Queue: 10 | Processing: 0 | Success: 0 | Error: 0 | Progress: 0.0% | Rate: - | ETA: -",
		},
		{
			"stalled: rate zero, eta unknown",
			progress.Report{Total: 10, Queued: 4, Error: 6, Done: 6, Progress: 60, Rate: ptr(0)},
			"Queue: 4 | Processing: 0 | Success: 0 | Error: 6 | Progress: 60.0% | Rate: 0.0/s | ETA: -",
		},
		{
			"slow rate, minutes left",
			progress.Report{Total: 3, Queued: 1, Done: 2, Progress: 200.0 / 3, Rate: ptr(0.25), ETASeconds: ptr(125)},
			"Queue: 1 | Processing: 0 | Success: 0 | Error: 0 | Progress: 66.6% | Rate: 0.2/s | ETA: 2m05s",
		},
		{
			"almost done is not 100%",
			progress.Report{Total: 10000, Done: 9999, Progress: 99.99, Rate: ptr(1234.4), ETASeconds: ptr(1)},
			"Queue: 0 | Processing: 0 | Success: 0 | Error: 0 | Progress: 99.9% | Rate: 1234/s | ETA: 1s",
		},
		{
			"hours",
			progress.Report{Total: 1, Progress: 0, Rate: ptr(12.5), ETASeconds: ptr(3*3600 + 7*60 + 1)},
			"Queue: 0 | Processing: 0 | Success: 0 | Error: 0 | Progress: 0.0% | Rate: 12/s | ETA: 3h07m",
		},
		{
			"finished",
			progress.Report{Total: 5, Success: 5, Done: 5, Progress: 100, Rate: ptr(0), ETASeconds: ptr(0)},
			"Queue: 0 | Processing: 0 | Success: 5 | Error: 0 | Progress: 100.0% | Rate: 0.0/s | ETA: 0s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.r); got != tt.want {
				t.Errorf("got  %q;\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDetail(t *testing.T) {
	tests := []struct {
		name string
		r    progress.Report
		want string
	}{
		{"no lookups yet", progress.Report{}, "Retrying: 0 | Workers: 0 | Cache hits: -"},
		{"busy", progress.Report{Delayed: 2, Workers: 4, Cache: progress.Cache{HitRate: ptr(0.63)}}, "Retrying: 2 | Workers: 4 | Cache hits: 63.0%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detail(tt.r); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		name string
		r    progress.Report
		want string
	}{
		{"zero total", progress.Report{}, "[----------]"},
		{"quarter", progress.Report{Total: 4, Progress: 25}, "[##--------]"},
		{"almost", progress.Report{Total: 100, Progress: 99}, "[#########-]"},
		{"done", progress.Report{Total: 1, Progress: 100}, "[##########]"},
		{"over", progress.Report{Total: 1, Progress: 250}, "[##########]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bar(tt.r, 10); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
