package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func status(tb testing.TB, url, token string) int {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeThenShutDown(t *testing.T) {
	redisAddr := redistest.Start(t).Addr()
	addr := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		errc <- run(ctx, nil, env(map[string]string{"REDIS_ADDR": redisAddr, "API_ADDR": addr, "API_TOKEN": "tok"}),
			&bytes.Buffer{}, &stderr)
	}()
	base := "http://" + addr
	waitfor.Cond(t, 10*time.Second, "the api to answer /healthz", func() bool {
		return status(t, base+"/healthz", "") == http.StatusOK
	})
	tests := []struct {
		path, token string
		want        int
	}{
		{"/stats", "", http.StatusUnauthorized},
		{"/stats", "tok", http.StatusOK},
		{"/readyz", "tok", http.StatusOK},
		{"/results?limit=1", "tok", http.StatusOK},
		{"/results?limit=0", "tok", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got := status(t, base+tt.path, tt.token); got != tt.want {
			t.Errorf("%s with token %q: got %d; want %d", tt.path, tt.token, got, tt.want)
		}
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("run: %v; want nil after a graceful shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of the signal")
	}
	if !strings.Contains(stderr.String(), "api stopped") {
		t.Errorf("log %q; want it to say the api stopped", stderr.String())
	}
}

func TestAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(context.Background(), []string{"-addr", ln.Addr().String()}, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("got %v; want address already in use", err)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"address without port", []string{"-addr", "localhost"}, nil, "-addr"},
		{"bad address from env", nil, map[string]string{"API_ADDR": "8080"}, "API_ADDR"},
		{"argument", []string{"serve"}, nil, "want no arguments"},
		{"bad lease", []string{"-lease", "0"}, nil, "-lease"},
		{"bad redis address", []string{"-redis-addr", "nowhere"}, nil, "redis-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			err := run(context.Background(), tt.args, env(tt.env), &bytes.Buffer{}, &errb)
			if code := config.ExitCode(err, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("got exit %d, stderr %q; want 2 and %q", code, errb.String(), tt.want)
			}
		})
	}
}
