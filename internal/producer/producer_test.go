package producer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/queue"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func newQueue(tb testing.TB) *queue.Queue {
	tb.Helper()
	q, err := queue.New(context.Background(), redistest.Start(tb).Client(tb), queue.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

const list = "\xef\xbb\xbfhttp://a.test/1\r\n" +
	"\n" +
	"# a comment\n" +
	"ftp://a.test/x\n" +
	"https://b.test/2\n" +
	"http://a.test/1\n" +
	"http://\n" +
	"not a url\n" +
	"http://c.test/3" // no final newline

func TestProduceReportsBadLinesAndEnqueuesGoodOnes(t *testing.T) {
	q := newQueue(t)
	var report bytes.Buffer
	sum, err := Produce(context.Background(), q, strings.NewReader(list), "urls.txt", Config{Report: &report, Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 4 || sum.Rejected != 3 {
		t.Errorf("accepted %d rejected %d; want 4, 3", sum.Accepted, sum.Rejected)
	}
	for _, want := range []string{"urls.txt:4: ", "urls.txt:7: ", "urls.txt:8: "} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report %q lacks %q", report.String(), want)
		}
	}
	st, _ := q.Stats(context.Background())
	if st.Total != 4 || st.Queued != 4 {
		t.Errorf("queue total %d queued %d; want 4 (a repeated URL is its own job)", st.Total, st.Queued)
	}
}

func TestStrictEnqueuesNothingOnABadLine(t *testing.T) {
	q := newQueue(t)
	var report bytes.Buffer
	_, err := Produce(context.Background(), q, strings.NewReader(list), "-", Config{Strict: true, Report: &report})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v; want ErrRejected", err)
	}
	if st, _ := q.Stats(context.Background()); st.Total != 0 {
		t.Errorf("strict mode enqueued %d jobs; want 0", st.Total)
	}
	good := "http://a.test/1\nhttp://b.test/2\n"
	sum, err := Produce(context.Background(), q, strings.NewReader(good), "-", Config{Strict: true, Report: &report})
	if err != nil || sum.Accepted != 2 {
		t.Errorf("strict good list = %d, %v; want 2 accepted", sum.Accepted, err)
	}
}

func TestReportIsCappedWithACount(t *testing.T) {
	q := newQueue(t)
	var report bytes.Buffer
	bad := strings.Repeat("nope\n", 25)
	sum, _ := Produce(context.Background(), q, strings.NewReader(bad), "f", Config{Report: &report})
	lines := strings.Split(strings.TrimSpace(report.String()), "\n")
	if sum.Rejected != 25 || len(lines) != 21 || lines[20] != "... and 5 more rejected lines" {
		t.Errorf("rejected %d, report %d lines ending %q; want 25, 21 lines, a count of 5", sum.Rejected, len(lines), lines[len(lines)-1])
	}
}

func TestLongLineIsRejectedWithoutBreakingTheNext(t *testing.T) {
	long := "http://a.test/" + strings.Repeat("x", 100_000)
	lr := newLineReader(strings.NewReader(long+"\nhttp://b.test/\n"), "f")
	if _, err := lr.next(); err == nil || !strings.Contains(err.Error(), "f:1: longer than 2048 bytes") {
		t.Errorf("long line err = %v; want f:1: longer than 2048 bytes", err)
	}
	if u, err := lr.next(); err != nil || u != "http://b.test/" {
		t.Errorf("next line = %q, %v; want http://b.test/", u, err)
	}
}
