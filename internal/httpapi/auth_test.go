package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

var endpoints = []string{"/healthz", "/readyz", "/stats", "/results", "/results/failed.csv", "/metrics", "/"}

// open are the endpoints that need no token: liveness, and the page,
// which holds no data.
var open = map[string]bool{"/healthz": true, "/": true}

func TestTokenRequired(t *testing.T) {
	f := newFixture(t, Config{Token: "s3cret"})
	tests := []struct {
		name   string
		header string
		ok     bool
	}{
		{"no header", "", false},
		{"wrong token", "Bearer nope", false},
		{"prefix of the token", "Bearer s3cre", false},
		{"token with more", "Bearer s3cret2", false},
		{"basic scheme", "Basic s3cret", false},
		{"bare token", "s3cret", false},
		{"empty bearer", "Bearer ", false},
		{"right token", "Bearer s3cret", true},
		{"scheme in lower case", "bearer s3cret", true},
	}
	for _, tt := range tests {
		for _, path := range endpoints {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				resp, err := f.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				want := http.StatusOK
				if !tt.ok && !open[path] {
					want = http.StatusUnauthorized
				}
				if resp.StatusCode != want {
					t.Fatalf("got %d; want %d", resp.StatusCode, want)
				}
				if want == http.StatusUnauthorized {
					var e errorBody
					if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
						t.Errorf("401 body: %+v, %v; want a JSON error", e, err)
					}
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
				}
			})
		}
	}
}

func TestNoTokenConfigured(t *testing.T) {
	f := newFixture(t, Config{})
	for _, path := range endpoints {
		for _, header := range []string{"", "anything"} {
			resp, body := f.get(t, path, header)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s with %q: got %d %s; want 200", path, header, resp.StatusCode, body)
			}
		}
	}
}
