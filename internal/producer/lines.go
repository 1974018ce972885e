package producer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/urlcheck/url-checker/internal/check"
)

// maxLine is the longest line kept in memory; longer lines are read to
// their end and rejected, so one huge line cannot bloat the producer.
const maxLine = 2048

// lineReader yields the URLs of a list, one line at a time, with the line
// number, and validates them. Not safe for concurrent use.
type lineReader struct {
	r    *bufio.Reader
	name string
	n    int
	buf  []byte
}

func newLineReader(r io.Reader, name string) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), name: name, buf: make([]byte, 0, maxLine+1)}
}

// LineError is a rejected line.
type LineError struct {
	File   string
	Line   int
	Reason error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Reason) }

// next returns the next URL. Blank lines and # comments are skipped; a bad
// line is returned as a *LineError; io.EOF ends the list.
func (lr *lineReader) next() (string, error) {
	for {
		line, err := lr.readLine()
		if err != nil {
			return "", err
		}
		if lr.n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] == '#' {
			continue
		}
		// Only the first maxLine+1 bytes of a line are kept: judge its
		// length before calling it blank, or a long line that starts with
		// spaces would pass for blank.
		if len(line) > maxLine {
			return "", &LineError{lr.name, lr.n, errors.New("longer than 2048 bytes")}
		}
		if len(t) == 0 {
			continue
		}
		u, verr := check.ValidateURL(string(line))
		if verr != nil {
			return "", &LineError{lr.name, lr.n, verr}
		}
		return u, nil
	}
}

// readLine returns the next line without its newline, cut after maxLine+1
// bytes (the rest of a long line is read and thrown away).
func (lr *lineReader) readLine() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if room := maxLine + 1 - len(lr.buf); room > 0 {
			lr.buf = append(lr.buf, chunk[:min(len(chunk), room)]...)
		}
		switch {
		case err == nil:
			lr.n++
			return trimEOL(lr.buf), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(lr.buf) > 0:
			lr.n++
			return trimEOL(lr.buf), nil
		default:
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read %s: %w", lr.name, err)
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
