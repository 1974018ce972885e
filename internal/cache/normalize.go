package cache

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Normalize returns the form of an absolute http or https URL that the
// cache keys on:
//   - scheme and host in lower case;
//   - the scheme's default port dropped (:80 for http, :443 for https), and
//     so is an empty port ("host:");
//   - the fragment dropped, since it is never sent;
//   - an empty path written "/";
//   - the path escaped as net/http would send it;
//   - the query kept byte for byte, order included, since a server may
//     treat a reordered query as another resource;
//   - userinfo kept, since credentials can change the answer. Redis keys
//     are hashes, so credentials do not show in Redis.
//
// Another scheme, a missing host or an unparsable URL is an error.
// Normalize does not allocate when raw is already normal and plain ASCII.
func Normalize(raw string) (string, error) {
	if isNormal(raw) {
		return raw, nil
	}
	return normalizeParsed(raw)
}

// normalizeParsed is Normalize through net/url, for any URL.
func normalizeParsed(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("normalize: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("normalize %q: scheme is not http or https", raw)
	}
	if err := checkHost(u.Host); err != nil {
		return "", fmt.Errorf("normalize %q: %w", raw, err)
	}
	u.Host = normalHost(u.Scheme, strings.ToLower(u.Host))
	if u.Host == "" {
		return "", fmt.Errorf("normalize %q: no host", raw)
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	return u.String(), nil
}

// checkHost rejects the hosts whose normal form would not parse again or
// would stand for another host: invalid UTF-8 (lower-casing turns each bad
// byte into U+FFFD) and non-ASCII in an IPv6 zone, which net/url escapes on
// output but refuses on input.
func checkHost(host string) error {
	if !utf8.ValidString(host) {
		return errors.New("host is not valid UTF-8")
	}
	if i := strings.Index(host, "%"); i >= 0 && strings.HasPrefix(host, "[") {
		for _, r := range host[i:] {
			if r >= utf8.RuneSelf {
				return errors.New("IPv6 zone is not ASCII")
			}
		}
	}
	return nil
}

// normalHost drops an empty port or the scheme's default port from host.
func normalHost(scheme, host string) string {
	colon := strings.LastIndexByte(host, ':')
	if colon < 0 || strings.LastIndexByte(host, ']') > colon {
		return host
	}
	if port := host[colon+1:]; port == "" || port == defaultPort(scheme) {
		return host[:colon]
	}
	return host
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// isNormal reports whether Normalize would return s unchanged, for a common
// subset of URLs it can check without parsing: lower-case http or https, a
// host of a-z, 0-9, '.' and '-' with an optional non-default port, a path,
// and only characters that net/url leaves as they are. It may say no to a
// normal URL; normalizeParsed then handles it.
func isNormal(s string) bool {
	var rest, defPort string
	switch {
	case strings.HasPrefix(s, "https://"):
		rest, defPort = s[len("https://"):], "443"
	case strings.HasPrefix(s, "http://"):
		rest, defPort = s[len("http://"):], "80"
	default:
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return false
	}
	return normalAuthority(rest[:slash], defPort) && normalPathQuery(rest[slash:])
}

func normalAuthority(a, defPort string) bool {
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		if b := host[i]; !isLowerAlnum(b) && b != '.' && b != '-' {
			return false
		}
	}
	if !hasPort {
		return true
	}
	if port == "" || port == defPort || port[0] == '0' || len(port) > 5 {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// normalPathQuery reports whether path and query hold only characters
// that net/url keeps as they are, with well-formed %-escapes, and no
// fragment.
func normalPathQuery(p string) bool {
	for i := 0; i < len(p); i++ {
		switch b := p[i]; {
		case plainChar[b]:
		case b == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// plainChar marks the bytes that may appear as they are in a normal path
// or query: unreserved characters, sub-delimiters, ':', '@', '/' and '?'.
var plainChar = func() (t [256]bool) {
	for b := 0; b < 256; b++ {
		t[b] = isLowerAlnum(byte(b)) || 'A' <= b && b <= 'Z'
	}
	for _, b := range []byte("-._~!$&'()*+,;=:@/?") {
		t[b] = true
	}
	return t
}()

func isLowerAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}
