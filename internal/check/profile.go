package check

import (
	"fmt"
	"net/http"
	"strings"
)

// HostSettings overrides Config for the URLs of one host. They apply to
// the whole check of such a URL, redirects included, since the request
// that follows a redirect is a copy of the first.
type HostSettings struct {
	// Headers are added to every request; they may replace User-Agent.
	Headers map[string]string
	// Accept, unless zero, replaces Config.Accept.
	Accept Accept
	// Method, unless "", replaces Config.Method.
	Method string
}

// profile is how the requests of one host are made and judged.
type profile struct {
	method method
	accept Accept
	// header is shared, read-only, by every request of the host: nothing in
	// net/http writes to a request's header map, and sharing it saves an
	// allocation per check.
	header http.Header
}

// newProfile returns the profile of a host with settings hs, given the
// default profile def.
func newProfile(def profile, hs HostSettings) (profile, error) {
	p := def
	if hs.Method != "" {
		m, err := parseMethod(hs.Method)
		if err != nil {
			return profile{}, err
		}
		p.method = m
	}
	if !hs.Accept.empty() {
		p.accept = hs.Accept
	}
	if len(hs.Headers) > 0 {
		p.header = def.header.Clone()
		for name, value := range hs.Headers {
			if err := checkHeaderValue(name, value); err != nil {
				return profile{}, err
			}
			p.header.Set(name, value)
		}
	}
	return p, nil
}

// checkHeaderValue refuses control characters other than tab, which would
// make every request to the host fail.
func checkHeaderValue(name, value string) error {
	if strings.IndexFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) >= 0 {
		return fmt.Errorf("header %q: control character in value", name)
	}
	return nil
}

// profileFor returns the profile for a request to host (url.URL.Host).
func (c *Checker) profileFor(host string) *profile {
	if len(c.hosts) > 0 {
		if p, ok := c.hosts[strings.ToLower(host)]; ok {
			return p
		}
	}
	return &c.def
}
