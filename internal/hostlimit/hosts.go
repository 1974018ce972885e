package hostlimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// HostConfig is what a hosts file says about one host.
type HostConfig struct {
	// Policy is the host's limits: the file's "concurrency", "rate" and
	// "burst", each defaulting to the Policy given to LoadHosts ("burst"
	// to 0, meaning automatic, when the file sets "rate").
	Policy Policy
	// Headers are extra request headers; nil when the file sets none.
	Headers map[string]string
	// Accept lists the statuses that count as success, as the file spells
	// it; "" means the caller's default.
	Accept string
	// Method is "get", "head" or "head,get" (HEAD, then GET if HEAD is
	// refused); "" means the caller's default.
	Method string
}

// Policies returns the policies of hosts, for Config.Hosts.
func Policies(hosts map[string]HostConfig) map[string]Policy {
	out := make(map[string]Policy, len(hosts))
	for h, c := range hosts {
		out[h] = c.Policy
	}
	return out
}

// LoadHosts reads a hosts file: a JSON object from host (url.URL.Host;
// case does not matter) to an object of settings, such as
//
//	{"example.com": {"concurrency": 2, "rate": 5, "burst": 1,
//	  "headers": {"X-Token": "abc"}, "accept": "200..299,403", "method": "head,get"}}
//
// Unknown keys, values of the wrong type, negative limits and a host given
// twice are errors, which name the file (name) and the host. def fills in
// the limits a host does not set. checkAccept, if not nil, checks every
// "accept" value.
func LoadHosts(r io.Reader, name string, def Policy, checkAccept func(string) error) (map[string]HostConfig, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	hosts, err := parseHostsFile(data, def, checkAccept)
	if err != nil {
		return nil, fileError(name, data, err)
	}
	return hosts, nil
}

// fileError prefixes err with the file name, and with the line for a JSON
// syntax error.
func fileError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("%s:%d: %w", name, line, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func parseHostsFile(data []byte, def Policy, checkAccept func(string) error) (map[string]HostConfig, error) {
	// Check the syntax of the whole file first: a json.Decoder reports the
	// offset of a syntax error within the value it was decoding, not the
	// file.
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := wantDelim(dec, '{', "want a JSON object from host to settings"); err != nil {
		return nil, err
	}
	out := map[string]HostConfig{}
	for dec.More() {
		host, hc, err := parseHostEntry(dec, def, checkAccept)
		if err != nil {
			return nil, err
		}
		if _, dup := out[host]; dup {
			return nil, fmt.Errorf("host %q: given twice", host)
		}
		out[host] = hc
	}
	return out, nil
}

// wantDelim reads the next token and fails with msg unless it is d.
func wantDelim(dec *json.Decoder, d json.Delim, msg string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return errors.New(msg)
	}
	return nil
}

// parseHostEntry reads one host and its settings.
func parseHostEntry(dec *json.Decoder, def Policy, checkAccept func(string) error) (string, HostConfig, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", HostConfig{}, err
	}
	name, _ := tok.(string) // dec.More inside an object: a key
	host, err := normalizeHost(name)
	if err != nil {
		return "", HostConfig{}, err
	}
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return "", HostConfig{}, fmt.Errorf("host %q: %w", name, typeError(err, "an object of settings"))
	}
	hc, err := parseSettings(raw, def, checkAccept)
	if err != nil {
		return "", HostConfig{}, fmt.Errorf("host %q: %w", name, err)
	}
	return host, hc, nil
}

// parseSettings reads the settings of one host, in key order so that the
// first error is always the same one.
func parseSettings(raw map[string]json.RawMessage, def Policy, checkAccept func(string) error) (HostConfig, error) {
	if raw == nil {
		return HostConfig{}, errors.New("want an object of settings, got null")
	}
	hc := HostConfig{Policy: def}
	if _, ok := raw["rate"]; ok {
		hc.Policy.Burst = 0
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		set, ok := settings[key]
		if !ok {
			return HostConfig{}, fmt.Errorf("unknown key %q (want one of %s)", key, settingNames())
		}
		if err := set(&hc, raw[key]); err != nil {
			return HostConfig{}, fmt.Errorf("key %q: %w", key, err)
		}
	}
	if hc.Accept != "" && checkAccept != nil {
		if err := checkAccept(hc.Accept); err != nil {
			return HostConfig{}, fmt.Errorf("key %q: %w", "accept", err)
		}
	}
	return hc, nil
}

// settings maps each key of a host's settings to the function that stores
// its value.
var settings = map[string]func(*HostConfig, json.RawMessage) error{
	"concurrency": func(hc *HostConfig, v json.RawMessage) error {
		return decodeCount(v, &hc.Policy.Concurrency)
	},
	"burst": func(hc *HostConfig, v json.RawMessage) error {
		return decodeCount(v, &hc.Policy.Burst)
	},
	"rate":    decodeRate,
	"headers": decodeHeaders,
	"accept": func(hc *HostConfig, v json.RawMessage) error {
		return decodeValue(v, &hc.Accept, "a string")
	},
	"method": decodeMethod,
}

func settingNames() string {
	return strings.Join(slices.Sorted(maps.Keys(settings)), ", ")
}

// decodeValue decodes v into dst, which must not be null; want names the
// expected type for the error.
func decodeValue(v json.RawMessage, dst any, want string) error {
	if string(v) == "null" {
		return fmt.Errorf("want %s, got null", want)
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return typeError(err, want)
	}
	return nil
}

// typeError rewords a json.UnmarshalTypeError as "want X, got Y".
func typeError(err error, want string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("want %s, got %s", want, te.Value)
	}
	return err
}

func decodeCount(v json.RawMessage, dst *int) error {
	var n int
	if err := decodeValue(v, &n, "a whole number"); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("%d: want 0 or more", n)
	}
	*dst = n
	return nil
}

func decodeRate(hc *HostConfig, v json.RawMessage) error {
	var r float64
	if err := decodeValue(v, &r, "a number"); err != nil {
		return err
	}
	if r < 0 || r > MaxRate {
		return fmt.Errorf("%v: want 0 to %g requests per second", r, MaxRate)
	}
	hc.Policy.Rate = r
	return nil
}

func decodeMethod(hc *HostConfig, v json.RawMessage) error {
	var m string
	if err := decodeValue(v, &m, "a string"); err != nil {
		return err
	}
	norm := strings.ToLower(strings.ReplaceAll(m, " ", ""))
	switch norm {
	case "get", "head", "head,get":
		hc.Method = norm
		return nil
	}
	return fmt.Errorf("%q: want get, head or head,get", m)
}

func decodeHeaders(hc *HostConfig, v json.RawMessage) error {
	var h map[string]string
	if err := decodeValue(v, &h, "an object of strings"); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if err := checkHeader(name, h[name]); err != nil {
			return err
		}
	}
	hc.Headers = h
	return nil
}

// checkHeader checks that name is an HTTP token and value holds no control
// characters other than tab.
func checkHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return fmt.Errorf("header name %q: want letters, digits and !#$%%&'*+-.^_`|~", name)
	}
	if strings.IndexFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) >= 0 {
		return fmt.Errorf("header %q: value holds a control character", name)
	}
	return nil
}

func isTokenChar(r rune) bool {
	return r < 0x7f && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}
