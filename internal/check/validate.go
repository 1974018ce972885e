package check

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxURLBytes is the longest URL ValidateURL accepts. Longer ones are
// mostly junk, and many servers refuse them anyway.
const MaxURLBytes = 2048

// ValidateURL checks one input line before it is queued, so that workers
// only ever see URLs they can request, and returns the cleaned URL: the
// line without surrounding whitespace (a CRLF ending included), its scheme
// in lower case. Errors name the reason but not the line, which the caller
// reports with its position; byte offsets count from 0 in the cleaned URL.
// Blank lines and comments are the caller's business.
func ValidateURL(line string) (string, error) {
	s := strings.TrimSpace(line)
	if err := checkBytes(s); err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the quoted line
		}
		return "", fmt.Errorf("not a URL: %w", err)
	}
	if err := checkParsed(u); err != nil {
		return "", err
	}
	// url.Parse lower-cases the scheme; the rest is kept as written.
	return u.Scheme + s[len(u.Scheme):], nil
}

// checkBytes applies the rules that need no parsing.
func checkBytes(s string) error {
	if len(s) > MaxURLBytes {
		return fmt.Errorf("longer than %d bytes", MaxURLBytes)
	}
	if !utf8.ValidString(s) {
		return errors.New("invalid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b == 0x7f:
			return fmt.Errorf("control character at byte %d", i)
		case b == ' ':
			return fmt.Errorf("space at byte %d", i)
		}
	}
	return nil
}

// checkParsed applies the rules on scheme, host and port.
func checkParsed(u *url.URL) error {
	switch u.Scheme {
	case "http", "https":
	case "":
		return errors.New("missing scheme")
	default:
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("missing host")
	}
	// url.Parse checks brackets but lets zones (fe80::1%en0) through;
	// those name an interface of this machine, meaningless to a worker.
	if strings.Contains(host, ":") && (!strings.HasPrefix(u.Host, "[") || net.ParseIP(host) == nil) {
		return errors.New("invalid IPv6 host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("port out of range 1..65535")
		}
	}
	return nil
}
