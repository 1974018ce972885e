package httpapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
)

// encoder writes results in one of the output formats. Rows are buffered;
// flush sends them on.
type encoder interface {
	begin() error
	row(raw json.RawMessage, r check.Result) error
	end() error
	flush() error
}

func contentType(format string) string {
	switch format {
	case formatJSONL:
		return "application/x-ndjson"
	case formatCSV:
		return "text/csv; charset=utf-8"
	}
	return "application/json"
}

func newEncoder(format string, w io.Writer) encoder {
	bw := bufio.NewWriterSize(w, 32<<10)
	switch format {
	case formatJSONL:
		return &jsonEncoder{w: bw, lines: true}
	case formatCSV:
		return &csvEncoder{w: csv.NewWriter(bw), bw: bw}
	}
	return &jsonEncoder{w: bw}
}

// jsonEncoder writes a JSON array, or JSON lines, of the stored results as
// they are, compacted onto one line each.
type jsonEncoder struct {
	w     *bufio.Writer
	lines bool
	n     int
	buf   bytes.Buffer
}

func (e *jsonEncoder) begin() error {
	if e.lines {
		return nil
	}
	return e.w.WriteByte('[')
}

func (e *jsonEncoder) row(raw json.RawMessage, _ check.Result) error {
	e.buf.Reset()
	if err := json.Compact(&e.buf, raw); err != nil {
		return err
	}
	if e.lines {
		e.buf.WriteByte('\n')
	} else if e.n > 0 {
		if err := e.w.WriteByte(','); err != nil {
			return err
		}
	}
	e.n++
	_, err := e.w.Write(e.buf.Bytes())
	return err
}

func (e *jsonEncoder) end() error {
	if !e.lines {
		if _, err := e.w.WriteString("]\n"); err != nil {
			return err
		}
	}
	return e.flush()
}

func (e *jsonEncoder) flush() error { return e.w.Flush() }

// csvHeader names the CSV columns: the JSON fields of check.Result.
var csvHeader = []string{"id", "url", "ok", "status", "error", "error_kind", "final_url", "redirects",
	"duration_ms", "attempts", "waited_ms", "worker", "cache", "checked_at"}

// csvEncoder writes one row per result under csvHeader. Numbers are
// written so they parse back to the same value, checked_at in RFC 3339 (an
// empty cell for no time).
type csvEncoder struct {
	w  *csv.Writer
	bw *bufio.Writer
}

func (e *csvEncoder) begin() error { return e.w.Write(csvHeader) }

func (e *csvEncoder) row(_ json.RawMessage, r check.Result) error {
	return e.w.Write(csvRecord(r))
}

func csvRecord(r check.Result) []string {
	checked := ""
	if !r.CheckedAt.IsZero() {
		checked = r.CheckedAt.Format(time.RFC3339Nano)
	}
	return []string{r.ID, r.URL, strconv.FormatBool(r.OK), strconv.Itoa(r.Status), r.Error, r.ErrorKind,
		r.FinalURL, strconv.Itoa(r.Redirects), strconv.FormatFloat(r.DurationMS, 'f', -1, 64),
		strconv.Itoa(r.Attempts), strconv.FormatInt(r.WaitedMS, 10), r.Worker, r.Cache, checked}
}

func (e *csvEncoder) end() error { return e.flush() }

func (e *csvEncoder) flush() error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	return e.bw.Flush()
}
