package check

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Status codes an Accept can hold, as in lychee.
const (
	minStatus = 100
	maxStatus = 999
)

// Accept is a set of HTTP status codes, those that make a check OK. The
// zero Accept is empty, which Config takes to mean DefaultAccept. An Accept
// is a small value, safe to copy and to read concurrently.
type Accept struct {
	bits [(maxStatus + 64) / 64]uint64 // bit code%64 of bits[code/64]
}

// defaultAccept is ParseAccept(DefaultAccept).
var defaultAccept = mustParseAccept(DefaultAccept)

func mustParseAccept(s string) Accept {
	a, err := ParseAccept(s)
	if err != nil {
		panic(err)
	}
	return a
}

// ParseAccept parses a comma-separated list of status codes (403) and
// inclusive ranges (200..299), such as "200..299,403,429". Spaces around
// items are ignored, and "..=" is read as "..", so that lychee's inclusive
// ranges mean the same here. Codes must lie in 100..999.
func ParseAccept(s string) (Accept, error) {
	var a Accept
	for item := range strings.SplitSeq(s, ",") {
		lo, hi, err := parseAcceptItem(strings.TrimSpace(item))
		if err != nil {
			return Accept{}, fmt.Errorf("accept: %w", err)
		}
		a.add(lo, hi)
	}
	return a, nil
}

// parseAcceptItem parses one code or range.
func parseAcceptItem(item string) (lo, hi int, err error) {
	if item == "" {
		return 0, 0, errors.New("empty item")
	}
	first, last, isRange := strings.Cut(item, "..")
	if isRange {
		last = strings.TrimPrefix(last, "=")
	} else {
		last = first
	}
	lo, err1 := parseStatus(first)
	hi, err2 := parseStatus(last)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q is not a status code or range", item)
	case lo < minStatus || hi > maxStatus:
		return 0, 0, fmt.Errorf("%q is outside %d..%d", item, minStatus, maxStatus)
	case lo > hi:
		return 0, 0, fmt.Errorf("range %q ends before it starts", item)
	}
	return lo, hi, nil
}

// parseStatus parses a run of at most 4 decimal digits, spaces around.
func parseStatus(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4 || strings.IndexFunc(s, notDigit) >= 0 {
		return 0, errors.New("not a status code")
	}
	return strconv.Atoi(s)
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func (a *Accept) add(lo, hi int) {
	for code := lo; code <= hi; code++ {
		a.bits[code/64] |= 1 << (code % 64)
	}
}

// Contains reports whether code is in a.
func (a Accept) Contains(code int) bool {
	return code >= 0 && code <= maxStatus && a.bits[code/64]&(1<<(code%64)) != 0
}

func (a Accept) empty() bool { return a == Accept{} }

// String returns a in the form ParseAccept reads, ranges merged:
// "200..299,403".
func (a Accept) String() string {
	var b []byte
	for code := minStatus; code <= maxStatus; code++ {
		if !a.Contains(code) {
			continue
		}
		end := code
		for end < maxStatus && a.Contains(end+1) {
			end++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(code), 10)
		if end > code {
			b = append(b, ".."...)
			b = strconv.AppendInt(b, int64(end), 10)
		}
		code = end
	}
	return string(b)
}
