package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/urlgen"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		out, base, mix string
		seed           int
	)
	s := config.NewSet("genurls", getenv, stderr)
	s.String(&out, "o", "GENURLS_OUT", "urls.txt", "output file; - writes to standard output", nonEmpty)
	s.String(&base, "base", "GENURLS_BASE", "http://127.0.0.1:8081",
		"origin serving go-httpbin's endpoints (make demo starts one here)", urlgen.CheckBase)
	s.String(&mix, "mix", "GENURLS_MIX", urlgen.MixDefault,
		"kind of list: "+strings.Join(urlgen.Mixes, ", "), urlgen.CheckMix)
	s.Int(&seed, "seed", "GENURLS_SEED", 1, "selects the list; the same seed and flags give the same lines", nil)
	s.FlagSet().Usage = func() {
		fmt.Fprintln(stderr, "usage: genurls [flags] N\n\nWrites N URLs, one a line.\n\n"+
			"Mixes: default looks like a real link list (200s, redirects, 404s, 500s, slow pages,\n"+
			"30% repeated lines); distinct has N distinct URLs answering 200 at once; repeat\n"+
			"cycles through 50 such URLs.\n\nflags:")
		s.FlagSet().PrintDefaults()
	}
	if err := s.Parse(args); err != nil {
		return err
	}
	n, err := count(s.FlagSet().Args())
	if err != nil {
		return config.Usage(err)
	}
	g, err := urlgen.New(urlgen.Config{Base: base, Mix: mix, Seed: uint64(seed)})
	if err != nil {
		return config.Usage(err)
	}
	if err := write(ctx, g, n, out, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d URLs to %s\n", n, name(out))
	return nil
}

func nonEmpty(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	return nil
}

// count parses the one argument, the number of URLs.
func count(args []string) (int, error) {
	if len(args) != 1 {
		return 0, fmt.Errorf("want exactly one argument N, the number of URLs, got %d", len(args))
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("N must be a positive integer, got %q", args[0])
	}
	return n, nil
}

// write writes n lines to the file out, or to stdout for "-". A failed
// write removes the partial file, unless out is not a regular file
// (/dev/null, a pipe).
func write(ctx context.Context, g *urlgen.Generator, n int, out string, stdout io.Writer) error {
	if out == "-" {
		return g.WriteLines(ctx, stdout, n)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = g.WriteLines(ctx, f, n)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if fi, serr := os.Stat(out); serr == nil && fi.Mode().IsRegular() {
			os.Remove(out)
		}
		return fmt.Errorf("%s: %w", out, err)
	}
	return nil
}

func name(out string) string {
	if out == "-" {
		return "standard output"
	}
	return out
}
