package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urlcheck/url-checker/internal/progress"
)

// screen is where a Monitor shows what it read.
type screen interface {
	report(r progress.Report) error
	noRun(r progress.Report, namespace string) error
	unreachable(err error) error
	close() error
}

func noRunText(namespace string) string {
	return fmt.Sprintf("No run in namespace %s yet; waiting for one to start", namespace)
}

func unreachableText(err error) string {
	return fmt.Sprintf("redis unreachable, retrying: %v", err)
}

// plainScreen writes one line per snapshot.
type plainScreen struct{ w io.Writer }

func (s *plainScreen) report(r progress.Report) error {
	return s.line(Line(r) + " | " + Detail(r))
}

func (s *plainScreen) noRun(_ progress.Report, ns string) error { return s.line(noRunText(ns)) }
func (s *plainScreen) unreachable(err error) error              { return s.line(unreachableText(err)) }
func (s *plainScreen) close() error                             { return nil }

func (s *plainScreen) line(l string) error {
	_, err := io.WriteString(s.w, l+"\n")
	return err
}

// termScreen redraws a block of lines in place. Line wrapping is turned off
// while it runs, so a line wider than the terminal is cut rather than
// wrapped and the block keeps its height.
type termScreen struct {
	w     io.Writer
	lines int    // height of the block on screen; 0 before the first draw
	last  string // the last status line, kept on screen during an outage
}

const (
	ansiHideCursor = "\x1b[?25l\x1b[?7l" // hide the cursor, no line wrap
	ansiRestore    = "\x1b[?7h\x1b[?25h" // line wrap, show the cursor
	ansiClearDown  = "\x1b[J"
)

func (s *termScreen) report(r progress.Report) error {
	s.last = Line(r)
	return s.draw(s.last, Bar(r, barWidth)+" "+Detail(r))
}

func (s *termScreen) noRun(_ progress.Report, ns string) error { return s.draw(noRunText(ns)) }

func (s *termScreen) unreachable(err error) error {
	if s.last == "" {
		return s.draw(unreachableText(err))
	}
	return s.draw(unreachableText(err), "Last seen: "+s.last)
}

func (s *termScreen) draw(lines ...string) error {
	var b strings.Builder
	if s.lines == 0 {
		b.WriteString(ansiHideCursor)
	} else {
		fmt.Fprintf(&b, "\r\x1b[%dA", s.lines)
	}
	b.WriteString(ansiClearDown)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\n")
	}
	s.lines = len(lines)
	_, err := io.WriteString(s.w, b.String())
	return err
}

func (s *termScreen) close() error {
	if s.lines == 0 {
		return nil
	}
	_, err := io.WriteString(s.w, ansiRestore)
	return err
}

// jsonScreen writes one JSON object per snapshot: a progress.Report, or
// {"error": "..."} when Redis did not answer.
type jsonScreen struct{ w io.Writer }

func (s *jsonScreen) report(r progress.Report) error          { return s.write(r) }
func (s *jsonScreen) noRun(r progress.Report, _ string) error { return s.write(r) }
func (s *jsonScreen) close() error                            { return nil }

func (s *jsonScreen) unreachable(err error) error {
	return s.write(map[string]string{"error": "redis unreachable: " + err.Error()})
}

func (s *jsonScreen) write(v any) error {
	return json.NewEncoder(s.w).Encode(v)
}
