package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// seen is what a server saw of the last request to its final page.
type seen struct {
	mu                   sync.Mutex
	method, token, agent string
}

// recordingServer answers /final with 403 after recording the request, and
// /start with a redirect to /final.
func recordingServer(tb testing.TB, s *seen) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/start", http.RedirectHandler("/final", http.StatusFound))
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.method, s.token, s.agent = r.Method, r.Header.Get("X-Token"), r.UserAgent()
		s.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func TestHostSettings(t *testing.T) {
	var tuned, plain seen
	tunedSrv, plainSrv := recordingServer(t, &tuned), recordingServer(t, &plain)
	tunedHost := strings.ToUpper(mustHost(t, tunedSrv.URL)) // case does not matter
	c := newChecker(t, Config{Hosts: map[string]HostSettings{tunedHost: {
		Headers: map[string]string{"x-token": "abc", "User-Agent": "tuned/1"},
		Accept:  mustParseAccept("403"),
		Method:  "HEAD",
	}}})

	got := c.Check(context.Background(), tunedSrv.URL+"/start")
	if !got.OK || got.Method != http.MethodHead || got.Redirects != 1 {
		t.Errorf("tuned host: ok, method, redirects = %v, %q, %d; want true, HEAD, 1 (error %q)",
			got.OK, got.Method, got.Redirects, got.Error)
	}
	if tuned.method != http.MethodHead || tuned.token != "abc" || tuned.agent != "tuned/1" {
		t.Errorf("tuned host saw method %q, X-Token %q, User-Agent %q after a redirect; want HEAD, abc, tuned/1",
			tuned.method, tuned.token, tuned.agent)
	}

	got = c.Check(context.Background(), plainSrv.URL+"/start")
	if got.OK || got.ErrorKind != KindHTTP4xx || got.Method != http.MethodGet {
		t.Errorf("other host: ok, kind, method = %v, %q, %q; want false, %q, GET", got.OK, got.ErrorKind, got.Method, KindHTTP4xx)
	}
	if plain.method != http.MethodGet || plain.token != "" || plain.agent != DefaultUserAgent {
		t.Errorf("other host saw method %q, X-Token %q, User-Agent %q; want GET, none, the default",
			plain.method, plain.token, plain.agent)
	}
}

func TestHostSettingsFallbackUsesMemory(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	host := mustHost(t, srv.URL)
	c := newChecker(t, Config{Hosts: map[string]HostSettings{host: {Method: "head,get"}}})
	if got := c.Check(context.Background(), srv.URL+"/"); !got.OK || got.Method != http.MethodGet {
		t.Fatalf("first check: ok, method = %v, %q; want true, GET after the refused HEAD", got.OK, got.Method)
	}
	if c.memory == nil || !c.memory.HeadBroken(context.Background(), host) {
		t.Errorf("HEAD memory does not hold %s after a refused HEAD", host)
	}
}

func TestHostSettingsInvalid(t *testing.T) {
	for _, hs := range []HostSettings{
		{Method: "post"},
		{Headers: map[string]string{"X-Bad": "a\nb"}},
	} {
		if _, err := New(Config{Hosts: map[string]HostSettings{"example.com": hs}}); err == nil ||
			!strings.Contains(err.Error(), `host "example.com"`) {
			t.Errorf("New with host settings %+v: error %v; want one naming the host", hs, err)
		}
	}
}

func mustHost(tb testing.TB, raw string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Host
}
