// Package urlgen writes synthetic URL lists for demos, tests and
// benchmarks. The URLs point at one origin serving go-httpbin's endpoints,
// so the answer to every line is known in advance.
package urlgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"github.com/urlcheck/url-checker/internal/check"
)

// MaxBaseBytes is the longest base accepted. A redirect URL holds the base
// twice, once escaped, and must stay under check.MaxURLBytes.
const MaxBaseBytes = 256

// Config says which list to make.
type Config struct {
	// Base is the origin, such as http://127.0.0.1:8081, optionally with a
	// path prefix. It has no query or fragment. Required.
	Base string
	// Mix is one of Mixes. Empty means MixDefault.
	Mix string
	// Seed selects the list: the same Config always gives the same lines.
	Seed uint64
}

// Generator makes the lines of one list. It keeps no URLs: a repeat is
// rebuilt from its number, so memory does not grow with the list. It is not
// safe for concurrent use.
type Generator struct {
	base    string // without a trailing slash
	escBase string // base, query-escaped, for redirect targets
	mix     string
	salt    uint64 // derived from the seed; picks the kind of URL n
	rng     *rand.Rand
	lines   uint64 // lines made so far
	fresh   uint64 // distinct URLs made so far by the default mix
}

// New returns a generator for cfg.
func New(cfg Config) (*Generator, error) {
	if cfg.Mix == "" {
		cfg.Mix = MixDefault
	}
	if err := CheckMix(cfg.Mix); err != nil {
		return nil, err
	}
	if err := CheckBase(cfg.Base); err != nil {
		return nil, err
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.Base), "/")
	return &Generator{
		base:    base,
		escBase: url.QueryEscape(base),
		mix:     cfg.Mix,
		salt:    mix64(cfg.Seed ^ 0x9e3779b97f4a7c15),
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x75726c67656e)),
	}, nil
}

// CheckBase returns an error unless base is a usable origin.
func CheckBase(base string) error {
	s, err := check.ValidateURL(base)
	if err != nil {
		return fmt.Errorf("base %q: %w", base, err)
	}
	if len(s) > MaxBaseBytes {
		return fmt.Errorf("base is longer than %d bytes", MaxBaseBytes)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("base %q: %w", base, err)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#") {
		return fmt.Errorf("base %q: want no query or fragment", base)
	}
	return nil
}

// Append appends the next URL, without a line ending, to dst.
func (g *Generator) Append(dst []byte) []byte {
	line := g.lines
	g.lines++
	k, n := kindOK, line
	switch g.mix {
	case MixRepeat:
		n = line % RepeatPool
	case MixDefault:
		n = g.nextDefault()
		k = byPercentile[mix64(g.salt+n)%100]
	}
	dst = append(dst, g.base...)
	dst = appendPath(dst, k, g.escBase)
	return strconv.AppendUint(dst, n, 10)
}

// nextDefault returns the number of the next URL of the default mix: an
// earlier one, picked uniformly, for RepeatPercent of the lines.
func (g *Generator) nextDefault() uint64 {
	if g.fresh > 0 && g.rng.IntN(100) < RepeatPercent {
		return g.rng.Uint64N(g.fresh)
	}
	g.fresh++
	return g.fresh - 1
}

// checkEvery is how many lines WriteLines writes between looks at its context.
const checkEvery = 1 << 16

// WriteLines writes the next n URLs to w, one a line. It stops early with
// the context's error when ctx is done.
func (g *Generator) WriteLines(ctx context.Context, w io.Writer, n int) error {
	if n < 0 {
		return errors.New("negative line count")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for i := range n {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := append(g.Append(bw.AvailableBuffer()), '\n')
		if _, err := bw.Write(b); err != nil {
			return fmt.Errorf("write urls: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write urls: %w", err)
	}
	return nil
}

// mix64 is SplitMix64's finaliser: a cheap, well-spread hash of x.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
