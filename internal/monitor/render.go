package monitor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/urlcheck/url-checker/internal/progress"
)

// barWidth is the number of cells in the progress bar.
const barWidth = 30

// Line renders the main status line:
//
//	Queue: 750 | Processing: 3 | Success: 247 | Error: 0 | Progress: 24.7% | Rate: 50/s | ETA: 15s
//
// Progress, Rate and ETA read "-" while unknown.
func Line(r progress.Report) string {
	return fmt.Sprintf("Queue: %d | Processing: %d | Success: %d | Error: %d | Progress: %s | Rate: %s | ETA: %s",
		r.Queued, r.Processing, r.Success, r.Error, formatProgress(r), formatRate(r.Rate), formatETA(r.ETASeconds))
}

// Detail renders the secondary facts: retries waiting, live workers and the
// cache hit rate.
func Detail(r progress.Report) string {
	return fmt.Sprintf("Retrying: %d | Workers: %d | Cache hits: %s", r.Delayed, r.Workers, formatShare(r.Cache.HitRate))
}

// Bar renders a progress bar of width cells, such as "[#######-------]".
func Bar(r progress.Report, width int) string {
	filled := 0
	if r.Total > 0 {
		filled = int(math.Floor(r.Progress / 100 * float64(width)))
	}
	filled = min(max(filled, 0), width)
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}

func formatProgress(r progress.Report) string {
	if r.Total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", math.Floor(r.Progress*10)/10)
}

func formatShare(f *float64) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

// formatRate writes results per second: one decimal below 10/s, whole
// numbers above.
func formatRate(rate *float64) string {
	switch {
	case rate == nil || math.IsNaN(*rate) || *rate < 0:
		return "-"
	case *rate < 10:
		return fmt.Sprintf("%.1f/s", *rate)
	}
	return fmt.Sprintf("%.0f/s", *rate)
}

// formatETA writes seconds as 15s, 2m05s or 3h07m.
func formatETA(secs *float64) string {
	if secs == nil || math.IsNaN(*secs) || *secs < 0 {
		return "-"
	}
	d := time.Duration(math.Ceil(*secs)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
