package producer

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/check"
)

// FuzzScanLines feeds arbitrary lists to the producer's line reading and
// validation, without Redis. It must never panic; every URL it emits is
// one ValidateURL accepts unchanged; and every rejected line is reported
// once, with a line number in order and within the list.
func FuzzScanLines(f *testing.F) {
	for _, seed := range []string{
		"http://a.test/1\nhttp://b.test/2\n", "\xef\xbb\xbfhttp://bom.test/\r\n", "\n\n# c\n \t\n", "http://a.test/",
		"ftp://x\nnot a url\nhttp://\n", "\x00\xff\xfe\n\x1b[2J\n", "\r\r\r", "http://a.test/" + strings.Repeat("x", 5000) + "\n",
		strings.Repeat(" ", 3000) + "http://padded.test/\n", "#" + strings.Repeat("#", 3000) + "\nhttp://after.test/",
		"http://[::1]/\nhttp://[::1/\nhttp://bücher.test/\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		var rep bytes.Buffer
		var emitted int
		rejected, err := scan(newLineReader(bytes.NewReader(data), "f"), Config{Report: &rep, MaxReport: 1 << 30},
			func(u string) error {
				emitted++
				if again, err := check.ValidateURL(u); err != nil || again != u {
					t.Fatalf("emitted %q, which ValidateURL turns into %q, %v", u, again, err)
				}
				return nil
			})
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		if emitted+int(rejected) > lines {
			t.Fatalf("%d emitted and %d rejected from %d lines", emitted, rejected, lines)
		}
		reported := strings.Split(strings.TrimSuffix(rep.String(), "\n"), "\n")
		if rep.Len() == 0 {
			reported = nil
		}
		if len(reported) != int(rejected) {
			t.Fatalf("%d rejected but %d report lines: %q", rejected, len(reported), rep.String())
		}
		last := 0
		for _, l := range reported {
			num, _, _ := strings.Cut(strings.TrimPrefix(l, "f:"), ":")
			n, err := strconv.Atoi(num)
			if !strings.HasPrefix(l, "f:") || err != nil || n <= last || n > lines {
				t.Fatalf("report line %q: want f:N: with N after %d and at most %d", l, last, lines)
			}
			last = n
		}
	})
}
