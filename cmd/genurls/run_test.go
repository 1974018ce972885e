package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/config"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunWritesFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "urls.txt")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-o", out, "-seed", "3", "250"}, env(nil), &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != 250 {
		t.Errorf("got %d lines; want 250", got)
	}
	if !strings.HasPrefix(string(data), "http://127.0.0.1:8081/") {
		t.Errorf("first line %q does not use the default base", strings.SplitN(string(data), "\n", 2)[0])
	}
	if want := "wrote 250 URLs to " + out + "\n"; stderr.String() != want {
		t.Errorf("stderr: got %q; want %q", stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: got %q; want nothing", stdout.String())
	}
}

func TestRunStdoutAndEnvironment(t *testing.T) {
	vars := map[string]string{"GENURLS_MIX": "distinct", "GENURLS_BASE": "http://localhost:9000"}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-o", "-", "3"}, env(vars), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr.String())
	}
	want := "http://localhost:9000/status/200?i=0\nhttp://localhost:9000/status/200?i=1\nhttp://localhost:9000/status/200?i=2\n"
	if stdout.String() != want {
		t.Errorf("stdout: got %q; want %q", stdout.String(), want)
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		vars    map[string]string
		wantErr string
	}{
		{"missing N", nil, nil, "want exactly one argument N"},
		{"two arguments", []string{"1", "2"}, nil, "want exactly one argument N"},
		{"zero", []string{"0"}, nil, `N must be a positive integer, got "0"`},
		{"negative", []string{"--", "-5"}, nil, `got "-5"`},
		{"not a number", []string{"ten"}, nil, `got "ten"`},
		{"unknown mix", []string{"-mix", "slow", "1"}, nil, `unknown mix "slow"`},
		{"bad base from env", []string{"1"}, map[string]string{"GENURLS_BASE": "ftp://x"}, "GENURLS_BASE"},
		{"unknown flag", []string{"-x", "1"}, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-o", filepath.Join(t.TempDir(), "urls.txt")}, tt.args...)
			var stderr bytes.Buffer
			err := run(context.Background(), args, env(tt.vars), &stderr, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v; want an error containing %q", err, tt.wantErr)
			}
			if code := config.ExitCode(err, &stderr); code != 2 {
				t.Errorf("exit code: got %d; want 2", code)
			}
		})
	}
}

func TestRunUnwritableFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "missing", "urls.txt")
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-o", out, "1"}, env(nil), &stderr, &stderr)
	if code := config.ExitCode(err, &stderr); code != 1 {
		t.Errorf("exit code: got %d (err %v); want 1", code, err)
	}
}
