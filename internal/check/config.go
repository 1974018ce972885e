package check

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout         = 5 * time.Second
	DefaultMaxBody         = 1 << 20
	DefaultMaxRedirects    = 10
	DefaultMaxConnsPerHost = 64
	DefaultUserAgent       = "url-checker/1 (+https://github.com/urlcheck/url-checker)"
	DefaultMethod          = "get"
	DefaultAccept          = "200..399"
)

// Config configures a Checker. Zero values mean the documented default;
// negative or contradictory values make New fail.
type Config struct {
	// Timeout is the whole budget of one attempt: DNS, connect, TLS,
	// headers and body, HEAD fallback included. Default 5s.
	Timeout time.Duration
	// MaxBody is how many bytes of body are read, then discarded, before
	// the body is closed. Default 1 MiB.
	MaxBody int64
	// MaxRedirects is how many redirects are followed. Default 10.
	MaxRedirects int
	// MaxConnsPerHost is how many idle connections are kept per host.
	// Default 64.
	MaxConnsPerHost int
	// UserAgent is sent with every request. Default DefaultUserAgent.
	UserAgent string
	// Method is "get" (default: one GET), "head" (one HEAD) or "head,get":
	// a HEAD first, then a GET if the HEAD got 400, 403, 405 or 501 or
	// the connection closed before any response. Case and spaces do not
	// matter.
	Method string
	// HeadMemory remembers the hosts where HEAD failed, so that their later
	// checks go straight to GET; only "head,get" uses it. A host is marked
	// when the GET after a failed HEAD got a status other than the HEAD's
	// (a 403 to both says nothing against HEAD). The host is that of the
	// checked URL, even if the HEAD failed after a redirect, since that is
	// where the next check starts. Default an in-memory one of this
	// Checker (NewHeadMemory with DefaultHeadMemoryTTL).
	HeadMemory HeadMemory
	// Accept is the set of final statuses that make a result OK. Default
	// ParseAccept(DefaultAccept), 200..399. Other statuses fail as
	// http_4xx, http_5xx, unaccepted_status (100..399) or other
	// (600..999).
	Accept Accept
	// Hosts overrides the settings above for the URLs of some hosts, keyed
	// by url.URL.Host (port included unless it is omitted in the URL; case
	// does not matter).
	Hosts map[string]HostSettings
	// Insecure skips certificate verification. Result.TLS is still filled.
	Insecure bool
	// RootCAs, if set, replaces the system's roots for verifying servers
	// (private CAs, tests).
	RootCAs *x509.CertPool
	// DenyPrivate refuses to connect to addresses that are not public:
	// loopback, private, link-local, unspecified, multicast, reserved,
	// shared (CGNAT) and cloud metadata ones. The check is on the address
	// actually dialled, so names that resolve to such an address and
	// redirects to one are caught too; such a result is of kind blocked.
	// A proxy from the environment is a dialled address like any other:
	// one on a private address must be let through with AllowAddr, and
	// then checks the targets itself.
	DenyPrivate bool
	// AllowAddr, if set, is asked before DenyPrivate's rules: an address
	// it accepts is dialled whatever its kind. It needs DenyPrivate. It
	// must be safe for concurrent use.
	AllowAddr func(netip.Addr) bool
	// Transport, if set, replaces the tuned transport (tests use it).
	// Close then closes its idle connections if it supports that. It
	// cannot be combined with Insecure, RootCAs or DenyPrivate, which
	// configure the tuned transport.
	Transport http.RoundTripper
}

func (cfg Config) validate() error {
	switch {
	case cfg.Timeout < 0:
		return fmt.Errorf("negative Timeout %v", cfg.Timeout)
	case cfg.MaxBody < 0:
		return fmt.Errorf("negative MaxBody %d", cfg.MaxBody)
	case cfg.MaxRedirects < 0:
		return fmt.Errorf("negative MaxRedirects %d", cfg.MaxRedirects)
	case cfg.MaxConnsPerHost < 0:
		return fmt.Errorf("negative MaxConnsPerHost %d", cfg.MaxConnsPerHost)
	case cfg.AllowAddr != nil && !cfg.DenyPrivate:
		return errors.New("an AllowAddr needs DenyPrivate")
	case cfg.Transport != nil && (cfg.Insecure || cfg.RootCAs != nil || cfg.DenyPrivate):
		return errors.New("a custom Transport ignores Insecure, RootCAs and DenyPrivate")
	}
	if _, err := parseMethod(cfg.Method); err != nil {
		return err
	}
	for host, hs := range cfg.Hosts {
		if _, err := parseMethod(hs.Method); err != nil {
			return fmt.Errorf("host %q: %w", host, err)
		}
	}
	for i := 0; i < len(cfg.UserAgent); i++ {
		if b := cfg.UserAgent[i]; b < 0x20 || b == 0x7f {
			// Such a header would make every request fail.
			return fmt.Errorf("control character in UserAgent at byte %d", i)
		}
	}
	return nil
}

func (cfg *Config) setDefaults() {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.MaxConnsPerHost == 0 {
		cfg.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Accept.empty() {
		cfg.Accept = defaultAccept
	}
	if cfg.HeadMemory == nil && cfg.usesFallback() {
		cfg.HeadMemory = NewHeadMemory(DefaultHeadMemoryTTL, time.Now)
	}
}

// usesFallback reports whether any host's method is "head,get".
func (cfg *Config) usesFallback() bool {
	if m, _ := parseMethod(cfg.Method); m.fallback {
		return true
	}
	for _, hs := range cfg.Hosts {
		if m, _ := parseMethod(hs.Method); m.fallback {
			return true
		}
	}
	return false
}
