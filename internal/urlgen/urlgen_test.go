package urlgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/check"
)

const testBase = "http://127.0.0.1:8081"

func generate(tb testing.TB, cfg Config, n int) []string {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	var buf bytes.Buffer
	if err := g.WriteLines(context.Background(), &buf, n); err != nil {
		tb.Fatalf("WriteLines: %v", err)
	}
	var lines []string
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestLinesAreValidURLs(t *testing.T) {
	for _, mix := range Mixes {
		for _, n := range []int{0, 1, 2000} {
			lines := generate(t, Config{Base: testBase, Mix: mix, Seed: 1}, n)
			if len(lines) != n {
				t.Fatalf("mix %s: got %d lines; want %d", mix, len(lines), n)
			}
			for i, l := range lines {
				got, err := check.ValidateURL(l)
				if err != nil || got != l {
					t.Fatalf("mix %s line %d %q: ValidateURL = %q, %v; want it unchanged", mix, i, l, got, err)
				}
				if !strings.HasPrefix(l, testBase+"/") {
					t.Fatalf("mix %s line %d %q: not under %s", mix, i, l, testBase)
				}
			}
		}
	}
}

func TestReproducible(t *testing.T) {
	a := generate(t, Config{Base: testBase, Seed: 7}, 5000)
	b := generate(t, Config{Base: testBase, Seed: 7}, 5000)
	c := generate(t, Config{Base: testBase, Seed: 8}, 5000)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("seed 7 gave two different lists")
	}
	if strings.Join(a, "\n") == strings.Join(c, "\n") {
		t.Errorf("seeds 7 and 8 gave the same list")
	}
}

// kindOfURL names the kind of a generated URL by its path.
func kindOfURL(tb testing.TB, s string) kind {
	tb.Helper()
	path := strings.TrimPrefix(s, testBase)
	prefixes := []struct {
		prefix string
		kind   kind
	}{
		{"/status/200?", kindOK}, {"/anything/page/", kindPage}, {"/redirect/2?", kindRedirect},
		{"/redirect-to?", kindRedirectTo}, {"/status/404?", kindNotFound},
		{"/status/500?", kindServerError}, {"/delay/1?", kindSlow},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(path, p.prefix) {
			return p.kind
		}
	}
	tb.Fatalf("unexpected URL %q", s)
	return 0
}

func TestDefaultMixProportions(t *testing.T) {
	const n = 100000
	lines := generate(t, Config{Base: testBase, Seed: 1}, n)
	seen := make(map[string]bool)
	counts := make(map[kind]int)
	repeats := 0
	for _, l := range lines {
		if seen[l] {
			repeats++
			continue
		}
		seen[l] = true
		counts[kindOfURL(t, l)]++
	}
	if pct := 100 * float64(repeats) / n; pct < RepeatPercent-2 || pct > RepeatPercent+2 {
		t.Errorf("repeated lines: got %.1f%%; want %d%% ± 2", pct, RepeatPercent)
	}
	for _, s := range shares {
		got := 100 * float64(counts[s.kind]) / float64(len(seen))
		if got < float64(s.percent)-1.5 || got > float64(s.percent)+1.5 {
			t.Errorf("kind %d: got %.1f%% of distinct URLs; want %d%% ± 1.5", s.kind, got, s.percent)
		}
	}
}

func TestDistinctMix(t *testing.T) {
	lines := generate(t, Config{Base: testBase + "/", Mix: MixDistinct, Seed: 3}, 1000)
	for i, l := range lines {
		want := testBase + "/status/200?i=" + strconv.Itoa(i)
		if l != want {
			t.Fatalf("line %d: got %q; want %q", i, l, want)
		}
	}
}

func TestRepeatMix(t *testing.T) {
	lines := generate(t, Config{Base: testBase, Mix: MixRepeat}, 1000)
	distinct := make(map[string]bool)
	for _, l := range lines {
		distinct[l] = true
	}
	if len(distinct) != RepeatPool {
		t.Errorf("got %d distinct URLs; want %d", len(distinct), RepeatPool)
	}
}

func TestRedirectTargetsStayOnBase(t *testing.T) {
	base := "https://example.test:8443/httpbin"
	lines := generate(t, Config{Base: base, Seed: 1}, 2000)
	found := 0
	for _, l := range lines {
		u, err := url.Parse(l)
		if err != nil || !strings.HasSuffix(u.Path, "/redirect-to") {
			continue
		}
		found++
		q := u.Query()
		if target := q.Get("url"); !strings.HasPrefix(target, base+"/anything/page/") {
			t.Errorf("%q: redirect target %q is not under %s", l, target, base)
		}
		if q.Get("status_code") != "301" {
			t.Errorf("%q: status_code = %q; want 301", l, q.Get("status_code"))
		}
	}
	if found == 0 {
		t.Errorf("no /redirect-to URL in 2000 lines")
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"unknown mix", Config{Base: testBase, Mix: "slow"}, `unknown mix "slow"`},
		{"empty base", Config{}, "missing scheme"},
		{"ftp base", Config{Base: "ftp://example.com"}, "not http or https"},
		{"base with query", Config{Base: testBase + "/?a=1"}, "want no query"},
		{"base with fragment", Config{Base: testBase + "#x"}, "want no query"},
		{"long base", Config{Base: testBase + "/" + strings.Repeat("a", MaxBaseBytes)}, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWriteLinesStopsWhenCancelled(t *testing.T) {
	g, err := New(Config{Base: testBase})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := g.WriteLines(ctx, &buf, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v; want context.Canceled", err)
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	g, err := New(Config{Base: testBase})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(10000, func() { buf = g.Append(buf[:0]) }); n != 0 {
		t.Errorf("got %v allocations per URL; want 0", n)
	}
}

func BenchmarkWriteLines(b *testing.B) {
	g, err := New(Config{Base: testBase})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := g.WriteLines(context.Background(), io.Discard, 1000); err != nil {
			b.Fatal(err)
		}
	}
}
