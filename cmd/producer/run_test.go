package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func writeList(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "urls.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// produce runs the producer and returns its exit code, stdout and stderr.
func produce(t *testing.T, addr string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string { return map[string]string{"REDIS_ADDR": addr}[k] }
	err := run(context.Background(), args, env, &out, &errb)
	return config.ExitCode(err, &errb), out.String(), errb.String()
}

func TestUnfinishedRunIsRefusedUnlessAppendOrForce(t *testing.T) {
	addr := redistest.Start(t).Addr()
	list := writeList(t, "http://a.test/1", "http://a.test/2")
	if code, out, errs := produce(t, addr, list); code != 0 || !strings.Contains(out, "accepted 2, rejected 0") {
		t.Fatalf("first run: exit %d, out %q, err %q", code, out, errs)
	}
	code, _, errs := produce(t, addr, list)
	if code != 2 || !strings.Contains(errs, "is unfinished (2 queued") || !strings.Contains(errs, "-append") {
		t.Errorf("second run: exit %d, stderr %q; want 2 and advice to use -append or -force", code, errs)
	}
	if code, out, _ := produce(t, addr, "-append", list); code != 0 || !strings.Contains(out, "adding to run") {
		t.Errorf("-append: exit %d, out %q", code, out)
	}
	if code, out, _ := produce(t, addr, "-force", list); code != 0 || !strings.Contains(out, "started run") {
		t.Errorf("-force: exit %d, out %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	addr := redistest.Start(t).Addr()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "want exactly one FILE"},
		{[]string{"/no/such/file"}, "no such file"},
		{[]string{"-append", "-force", "x"}, "exclude each other"},
		{[]string{"-bogus", "x"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		if code, _, errs := produce(t, addr, tt.args...); code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
}

func TestStrictRejectsWholeFile(t *testing.T) {
	addr := redistest.Start(t).Addr()
	list := writeList(t, "http://a.test/1", "ftp://a.test/2")
	code, out, errs := produce(t, addr, "-strict", list)
	if code != 1 || !strings.Contains(errs, "urls.txt:2: ") || !strings.Contains(out, "accepted 0, rejected 1") {
		t.Errorf("exit %d, out %q, err %q; want 1, line 2 reported, nothing accepted", code, out, errs)
	}
}

func TestHelpListsSettings(t *testing.T) {
	code, _, errs := produce(t, "127.0.0.1:1", "-h")
	for _, want := range []string{"-redis-addr", "REDIS_ADDR", "-namespace", "-strict", "-append", "-force"} {
		if code != 0 || !strings.Contains(errs, want) {
			t.Errorf("-h: exit %d, help lacks %q", code, want)
		}
	}
}

func TestExcludeSkipsAndCounts(t *testing.T) {
	addr := redistest.Start(t).Addr()
	list := writeList(t, "http://a.test/1", "http://ads.test/x", "http://a.test/logout")
	code, out, errs := produce(t, addr, "-exclude", `ads\.test`, "-exclude", "/logout$", list)
	if code != 0 || !strings.Contains(out, "accepted 1, rejected 0, excluded 2") {
		t.Errorf("exit %d, out %q, err %q; want 1 accepted, 2 excluded", code, out, errs)
	}
	if code, _, errs := produce(t, addr, "-force", "-exclude", "(", list); code != 2 || !strings.Contains(errs, "-exclude") {
		t.Errorf("bad regexp: exit %d, err %q; want a usage error naming -exclude", code, errs)
	}
}
