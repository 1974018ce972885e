package producer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// verdict is what the producer must do with one line of the corpus.
type verdict struct {
	line   int
	action string // skip, accept or reject
	arg    string // the enqueued URL, or a substring of the reason
	bug    bool   // the producer does not do this yet
	note   string
}

// readVerdicts parses testdata/hostile.want.
func readVerdicts(tb testing.TB) []verdict {
	tb.Helper()
	f, err := os.Open("testdata/hostile.want")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []verdict
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		v, err := parseVerdict(text)
		if err != nil {
			tb.Fatalf("hostile.want:%d: %v", n, err)
		}
		if v.line != len(out)+1 {
			tb.Fatalf("hostile.want:%d: verdict for line %d; want line %d", n, v.line, len(out)+1)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// parseVerdict parses `LINE ACTION ["ARG"] [# NOTE]`.
func parseVerdict(text string) (verdict, error) {
	num, rest, _ := strings.Cut(text, " ")
	action, rest, _ := strings.Cut(rest, " ")
	line, err := strconv.Atoi(num)
	if err != nil {
		return verdict{}, err
	}
	v := verdict{line: line, action: action}
	if strings.HasPrefix(rest, `"`) {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return verdict{}, err
		}
		v.arg, _ = strconv.Unquote(q)
		rest = strings.TrimSpace(rest[len(q):])
	}
	if note, ok := strings.CutPrefix(rest, "# "); ok {
		v.note, v.bug = note, strings.HasPrefix(note, "BUG")
	} else if rest != "" {
		return verdict{}, errors.New("junk after the verdict: " + rest)
	}
	switch {
	case action == "skip" && v.arg == "", action == "accept" && v.arg != "", action == "reject" && v.arg != "":
		return v, nil
	}
	return verdict{}, errors.New("want skip, accept \"URL\" or reject \"REASON\"")
}

// corpusRun is what Produce did with the corpus.
type corpusRun struct {
	sum      Summary
	reasons  map[int]string // line -> reported reason
	enqueued map[string]int // URL -> jobs
}

var reportLine = regexp.MustCompile(`^hostile\.txt:(\d+): (.+)$`)

func produceCorpus(t *testing.T) corpusRun {
	t.Helper()
	data, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	q := newQueue(t)
	var rep bytes.Buffer
	sum, err := Produce(context.Background(), q, bytes.NewReader(data), "hostile.txt", Config{Report: &rep, MaxReport: 1000})
	if err != nil {
		t.Fatalf("Produce: %v", err)
	}
	checkPrintable(t, rep.String())
	run := corpusRun{sum: sum, reasons: make(map[int]string), enqueued: make(map[string]int)}
	for _, l := range strings.Split(strings.TrimSuffix(rep.String(), "\n"), "\n") {
		m := reportLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("report line %q is not FILE:LINE: REASON", l)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		run.reasons[n] = m[2]
	}
	for {
		jobs, err := q.Claim(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 {
			break
		}
		for _, j := range jobs {
			run.enqueued[j.URL]++
		}
	}
	return run
}

// checkPrintable wants the report safe to show on a terminal: valid UTF-8
// without control characters (but newlines) or bidirectional overrides,
// whatever bytes the input held.
func checkPrintable(t *testing.T, rep string) {
	t.Helper()
	if !utf8.ValidString(rep) {
		t.Errorf("report is not valid UTF-8: %q", rep)
	}
	for _, r := range rep {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			t.Errorf("report holds %U; want printable text only", r)
		}
	}
}

// TestHostileCorpus runs testdata/hostile.txt through Produce: every bad
// line is reported with its line number and reason, every good one is
// enqueued, cleaned, and nothing else is.
func TestHostileCorpus(t *testing.T) {
	verdicts := readVerdicts(t)
	run := produceCorpus(t)
	wantURLs := make(map[string]int)
	var accepted int64
	for _, v := range verdicts {
		if v.action == "accept" {
			wantURLs[v.arg]++
			accepted++
		}
		if !v.bug {
			checkVerdict(t, v, run)
		}
	}
	for line := range run.reasons {
		if line < 1 || line > len(verdicts) || verdicts[line-1].action != "reject" {
			t.Errorf("line %d reported as %q; its verdict is not reject", line, run.reasons[line])
		}
	}
	for u, n := range run.enqueued {
		if wantURLs[u] != n {
			t.Errorf("%q enqueued %d times; want %d", u, n, wantURLs[u])
		}
	}
	if run.sum.Accepted != accepted || run.sum.Rejected != int64(len(run.reasons)) {
		t.Errorf("summary %d accepted, %d rejected; want %d accepted and one rejection per reported line (%d)",
			run.sum.Accepted, run.sum.Rejected, accepted, len(run.reasons))
	}
}

// TestHostileCorpusKnownBugs checks the verdicts marked BUG in
// testdata/hostile.want, which the producer does not give yet.
func TestHostileCorpusKnownBugs(t *testing.T) {
	run := produceCorpus(t)
	for _, v := range readVerdicts(t) {
		if v.bug {
			checkVerdict(t, v, run)
		}
	}
}

func checkVerdict(t *testing.T, v verdict, run corpusRun) {
	t.Helper()
	reason, reported := run.reasons[v.line]
	switch v.action {
	case "skip":
		if reported {
			t.Errorf("line %d (%s): reported %q; want it skipped", v.line, v.note, reason)
		}
	case "accept":
		if reported || run.enqueued[v.arg] == 0 {
			t.Errorf("line %d (%s): reported %q, %q enqueued %d times; want it enqueued",
				v.line, v.note, reason, v.arg, run.enqueued[v.arg])
		}
	case "reject":
		if !strings.Contains(reason, v.arg) {
			t.Errorf("line %d (%s): reported %v %q; want a reason containing %q", v.line, v.note, reported, reason, v.arg)
		}
	}
}

// TestHostileCorpusStrict: in strict mode the corpus, which has bad lines,
// enqueues nothing at all.
func TestHostileCorpusStrict(t *testing.T) {
	data, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	q := newQueue(t)
	var rep bytes.Buffer
	sum, err := Produce(context.Background(), q, bytes.NewReader(data), "hostile.txt", Config{Strict: true, Report: &rep})
	if !errors.Is(err, ErrRejected) || sum.Accepted != 0 || sum.Rejected == 0 {
		t.Errorf("strict Produce = %+v, %v; want nothing accepted and ErrRejected", sum, err)
	}
	st, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 0 || st.Queued != 0 {
		t.Errorf("strict mode enqueued %d jobs; want none", st.Total)
	}
}
