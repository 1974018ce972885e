package config

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func parseWorker(t *testing.T, vars map[string]string, args ...string) (Worker, Redis, error) {
	t.Helper()
	var (
		w Worker
		r Redis
	)
	s := NewSet("worker", env(vars), &bytes.Buffer{})
	r.Register(s)
	w.Register(s)
	return w, r, s.Parse(args)
}

func TestDefaults(t *testing.T) {
	w, r, err := parseWorker(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr != "localhost:6379" || r.Namespace != "urlcheck" || w.Concurrency != 64 ||
		w.HTTPTimeout != 5*time.Second || w.WaitTimeout != time.Second || w.MaxRetries != 5 ||
		w.BatchSize != 500 || w.FlushInterval != 2*time.Second {
		t.Errorf("defaults = %+v %+v", w, r)
	}
}

func TestEnvAndFlags(t *testing.T) {
	vars := map[string]string{"HTTP_TIMEOUT": "2.5", "CONCURRENCY": "8", "DRAIN": "yes", "REDIS_ADDR": "redis://:pw@h:1/2"}
	w, r, err := parseWorker(t, vars, "-concurrency", "16", "-flush-interval", "250ms")
	if err != nil {
		t.Fatal(err)
	}
	if w.HTTPTimeout != 2500*time.Millisecond || w.Concurrency != 16 || !w.Drain || w.FlushInterval != 250*time.Millisecond {
		t.Errorf("got %+v; want timeout 2.5s from env, concurrency 16 from the flag, drain, flush 250ms", w)
	}
	if r.Addr != "redis://:pw@h:1/2" {
		t.Errorf("addr = %q", r.Addr)
	}
}

func TestBadValuesNameTheirSource(t *testing.T) {
	tests := []struct {
		vars map[string]string
		args []string
		want string
	}{
		{map[string]string{"HTTP_TIMEOUT": "soon"}, nil, `invalid HTTP_TIMEOUT="soon"`},
		{map[string]string{"CONCURRENCY": "0"}, nil, "invalid CONCURRENCY: 0 is out of range"},
		{nil, []string{"-concurrency", "0"}, "invalid -concurrency: 0 is out of range"},
		{nil, []string{"-max-retries", "x"}, `invalid value "x" for flag -max-retries`},
		{map[string]string{"REDIS_ADDR": "nocolon"}, nil, `invalid REDIS_ADDR: "nocolon" is not host:port`},
		{map[string]string{"NAMESPACE": "a{b}"}, nil, "invalid NAMESPACE: namespace"},
		{map[string]string{"DRAIN": "maybe"}, nil, `invalid DRAIN="maybe"`},
		{nil, []string{"-batch-size", "-1"}, "invalid -batch-size"},
	}
	for _, tt := range tests {
		_, _, err := parseWorker(t, tt.vars, tt.args...)
		var ee *ExitError
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ee) || ee.Code != 2 {
			t.Errorf("vars %v args %v: err = %v; want a usage error containing %q", tt.vars, tt.args, err, tt.want)
		}
	}
}

func TestFlagOverridesBadEnv(t *testing.T) {
	if _, _, err := parseWorker(t, map[string]string{"CONCURRENCY": "lots"}, "-concurrency", "4"); err != nil {
		t.Errorf("err = %v; want the flag to win over a bad environment value", err)
	}
}

func TestHelpListsSettingsWithDefaults(t *testing.T) {
	var out bytes.Buffer
	var w Worker
	s := NewSet("worker", env(nil), &out)
	w.Register(s)
	if err := s.Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v; want flag.ErrHelp", err)
	}
	for _, want := range []string{"-concurrency", "(env CONCURRENCY)", "default 64", "HTTP_TIMEOUT", "default 5s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	if code := ExitCode(flag.ErrHelp, &out); code != 0 {
		t.Errorf("exit code for -h = %d; want 0", code)
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true}, {"0.5", 500 * time.Millisecond, true}, {"250ms", 250 * time.Millisecond, true},
		{"2m", 2 * time.Minute, true}, {"", 0, false}, {"five", 0, false}, {"1e12", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSeconds(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSeconds(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
