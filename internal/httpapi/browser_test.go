package httpapi

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/progress"
	"github.com/urlcheck/url-checker/internal/queue"
)

// chromium returns the path of a Chromium binary, or skips the test when
// there is none, unless BROWSER_TEST is set (as make test-browser does):
// then a missing browser fails it.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BROWSER_TEST") != "" {
		tb.Fatal("BROWSER_TEST is set but chromium is not on PATH (apt-get install chromium)")
	}
	tb.Skip("chromium is not on PATH; install it (apt-get install chromium) to run the dashboard browser test")
	return ""
}

// dumpDOM loads url in headless Chromium, lets the page run for five
// seconds of virtual time and returns the DOM it built.
func dumpDOM(tb testing.TB, bin, url string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+tb.TempDir(), "--virtual-time-budget=5000", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

var elementText = regexp.MustCompile(`<(\w+)([^>]*\sid="([\w-]+)"[^>]*)>([^<]*)<`)

// byID maps the id of every element whose content starts with text to
// that text, and returns the attributes of each.
func byID(dom string) (text, attrs map[string]string) {
	text, attrs = make(map[string]string), make(map[string]string)
	for _, m := range elementText.FindAllStringSubmatch(dom, -1) {
		text[m[3]] = html.UnescapeString(m[4])
		attrs[m[3]] = m[2]
	}
	return text, attrs
}

func TestDashboardInBrowser(t *testing.T) {
	bin := chromium(t)
	ctx := context.Background()
	f := newFixture(t, Config{Token: "tok en"})
	f.commit(t, okSpec("a.test"), okSpec("a.test"), failSpec(404, check.KindHTTP4xx, "broken.test"),
		failSpec(0, check.KindDNS, "nxdomain.test"), okSpec("b.test"))
	if _, err := f.q.Enqueue(ctx, []string{"http://cached.test/"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := f.q.Claim(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(check.Result{ID: jobs[0].ID, URL: jobs[0].URL, OK: true, Status: 200, Cache: "l1"})
	_, _, err = f.q.Commit(ctx, []queue.Outcome{{ID: jobs[0].ID, Token: jobs[0].Token, Kind: queue.Succeeded, Result: raw}},
		queue.Deltas{Stats: map[string]int64{"l1": 3, "l2": 1, "origin": 4}, Latency: map[string]int64{"origin:250": 4}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Extend(ctx, "worker-1", nil); err != nil {
		t.Fatal(err)
	}

	dom := dumpDOM(t, bin, f.srv.URL+"/#token=tok%20en")
	text, attrs := byID(dom)

	resp, body := f.get(t, "/stats", "tok en")
	var s progress.Report
	if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/stats: %d %s", resp.StatusCode, body)
	}
	if !s.Finished || s.Total != 6 {
		t.Fatalf("/stats: got %+v; want a finished run of 6", s)
	}
	want := map[string]string{
		"total": "6", "queued": "0", "processing": "0", "delayed": "0", "success": "4", "error": "2",
		"done": "6", "dead": "0", "retried": "0", "workers": "1",
		"progress": "100.0%", "eta": "0s", "run-id": s.RunID, "state": "finished", "conn": "live",
		"cache-l1": "3", "cache-l2": "1", "cache-origin": "4", "cache-merged": "0", "hit-rate": "50.0%",
		"recent-count": "6", "failed-count": "2",
	}
	for k, v := range map[string]int64{"total": s.Total, "queued": s.Queued, "processing": s.Processing,
		"delayed": s.Delayed, "success": s.Success, "error": s.Error, "done": s.Done, "workers": int64(s.Workers)} {
		if want[k] != strconv.FormatInt(v, 10) {
			t.Fatalf("test is out of step with /stats: %s is %d", k, v)
		}
	}
	for id, w := range want {
		if got, ok := text[id]; !ok || got != w {
			t.Errorf("#%s: got %q (present %v); want %q", id, got, ok, w)
		}
	}
	if !strings.Contains(attrs["token-form"], "hidden") {
		t.Error("the token form shows although the token was given")
	}
	_, failures, _ := strings.Cut(dom, `id="failures"`)
	failures, _, _ = strings.Cut(failures, "</tbody>")
	for _, u := range []string{"https://broken.test/", "https://nxdomain.test/"} {
		if !strings.Contains(failures, u) {
			t.Errorf("latest failures lack %s: %s", u, failures)
		}
	}
	if strings.Contains(failures, "a.test") {
		t.Errorf("latest failures show a success: %s", failures)
	}
}

func TestDashboardInBrowserAsksForToken(t *testing.T) {
	bin := chromium(t)
	f := newFixture(t, Config{Token: "secret"})
	text, attrs := byID(dumpDOM(t, bin, f.srv.URL+"/"))
	if strings.Contains(attrs["token-form"], "hidden") {
		t.Error("the token form is hidden; want it shown")
	}
	if got := text["conn"]; got != "needs token" {
		t.Errorf("#conn: got %q; want %q", got, "needs token")
	}
	if got := text["total"]; got != "-" {
		t.Errorf("#total: got %q; want - (no data without the token)", got)
	}
}
