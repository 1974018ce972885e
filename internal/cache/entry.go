package cache

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
)

// entry is the URL-level part of a check result: the part that is the same
// for every job of the URL.
type entry struct {
	ok        bool
	sameURL   bool // the final URL was the URL fetched; readers use their own
	status    int
	redirects int
	duration  float64 // ms, of the original fetch
	at        int64   // CheckedAt of the original fetch, Unix ms
	kind      string
	finalURL  string // empty when sameURL
	err       string
}

// newEntry returns the cacheable part of r, a result of fetching the URL
// whose normal form is norm. A result without CheckedAt is taken as fetched
// at now.
func newEntry(r check.Result, norm string, now time.Time) entry {
	at := r.CheckedAt
	if at.IsZero() {
		at = now
	}
	e := entry{
		ok: r.OK, status: r.Status, redirects: r.Redirects, duration: r.DurationMS,
		at: at.UnixMilli(), kind: r.ErrorKind, finalURL: r.FinalURL, err: r.Error,
	}
	if sameURL(r.FinalURL, norm) {
		e.sameURL, e.finalURL = true, ""
	}
	return e
}

// sameURL reports whether final, a result's final URL, is the URL whose
// normal form is norm.
func sameURL(final, norm string) bool {
	if final == norm {
		return true
	}
	n, err := Normalize(final)
	return err == nil && n == norm
}

// result returns e as the result of checking url, served from source. Job
// fields (ID, Worker, Attempts) are left zero.
func (e *entry) result(url, source string) check.Result {
	r := check.Result{
		URL: url, OK: e.ok, Status: e.status, Error: e.err, ErrorKind: e.kind,
		FinalURL: e.finalURL, Redirects: e.redirects, DurationMS: e.duration,
		Cache: source, CheckedAt: time.UnixMilli(e.at).UTC(),
	}
	if e.sameURL {
		r.FinalURL = url
	}
	return r
}

// The encoded form of an entry is one header line of comma-separated
// fields, the final URL on the second line and the error message after it:
//
//	1,<flags>,<status>,<redirects>,<duration ms>,<checked at, Unix ms>,<error kind>
//	<final URL, empty if the same as the URL>
//	<error message, to the end>
//
// flags is flagOK|flagSameURL. The first field is the format version. A
// hit is parsed without copying: the strings of a decoded entry share the
// Redis reply. The message comes last because it may hold any byte.
const (
	formatVersion = "1"
	flagOK        = 1
	flagSameURL   = 2
	headerFields  = 7
)

var errBadEntry = errors.New("malformed cache entry")

// encodable reports whether e's fields survive the encoding: the kind holds
// no ',' or newline, and the final URL no newline.
func (e *entry) encodable() bool {
	return !strings.ContainsAny(e.kind, ",\n") && !strings.Contains(e.finalURL, "\n")
}

// encode returns e in its encoded form. Check encodable first.
func (e *entry) encode() []byte {
	b := make([]byte, 0, 48+len(e.kind)+len(e.finalURL)+len(e.err))
	b = append(b, formatVersion...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.flags()), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.redirects), 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, e.duration, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.at, 10)
	b = append(b, ',')
	b = append(b, e.kind...)
	b = append(b, '\n')
	b = append(b, e.finalURL...)
	b = append(b, '\n')
	return append(b, e.err...)
}

func (e *entry) flags() int {
	f := 0
	if e.ok {
		f |= flagOK
	}
	if e.sameURL {
		f |= flagSameURL
	}
	return f
}

// decodeEntry parses an encoded entry.
func decodeEntry(s string) (entry, error) {
	header, rest, ok1 := strings.Cut(s, "\n")
	finalURL, msg, ok2 := strings.Cut(rest, "\n")
	var f [headerFields]string
	if !ok1 || !ok2 || !splitFields(header, f[:]) || f[0] != formatVersion {
		return entry{}, errBadEntry
	}
	flags, err1 := strconv.Atoi(f[1])
	status, err2 := strconv.Atoi(f[2])
	redirects, err3 := strconv.Atoi(f[3])
	duration, err4 := strconv.ParseFloat(f[4], 64)
	at, err5 := strconv.ParseInt(f[5], 10, 64)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return entry{}, fmt.Errorf("%w: %w", errBadEntry, err)
	}
	return entry{
		ok: flags&flagOK != 0, sameURL: flags&flagSameURL != 0,
		status: status, redirects: redirects, duration: duration, at: at,
		kind: f[6], finalURL: finalURL, err: msg,
	}, nil
}

// splitFields splits s at commas into exactly len(dst) fields.
func splitFields(s string, dst []string) bool {
	for i := range dst[:len(dst)-1] {
		var ok bool
		if dst[i], s, ok = strings.Cut(s, ","); !ok {
			return false
		}
	}
	dst[len(dst)-1] = s
	return !strings.Contains(s, ",")
}
