package hostlimit

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

var testDefault = Policy{Concurrency: 8, Rate: 20, Burst: 4}

func TestLoadHostsFile(t *testing.T) {
	f, err := os.Open("testdata/hosts.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := LoadHosts(f, "hosts.json", testDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]HostConfig{
		"example.com": {
			Policy:  Policy{Concurrency: 2, Rate: 5},
			Headers: map[string]string{"X-Token": "abc", "User-Agent": "url-checker"},
			Accept:  "200..299,403",
			Method:  "head,get",
		},
		"slow.test:8443": {Policy: Policy{Concurrency: 8, Rate: 0.5, Burst: 2}},
		"api.test":       {Policy: testDefault, Headers: map[string]string{}},
		"open.test":      {Policy: Policy{Rate: 20, Burst: 4}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadHosts =\n%+v\nwant\n%+v", got, want)
	}
	pols := Policies(got)
	if len(pols) != 4 || pols["example.com"] != want["example.com"].Policy {
		t.Errorf("Policies = %+v; want the four policies", pols)
	}
}

func TestLoadHostsErrors(t *testing.T) {
	errAccept := errors.New("bad accept")
	checkAccept := func(s string) error {
		if s == "nope" {
			return errAccept
		}
		return nil
	}
	for _, tc := range []struct {
		name, file, want string
	}{
		{"unknown key", `{"example.com": {"concurency": 2}}`,
			`hosts.json: host "example.com": unknown key "concurency" (want one of accept, burst, concurrency, headers, method, rate)`},
		{"concurrency as string", `{"a": {"concurrency": "2"}}`,
			`hosts.json: host "a": key "concurrency": want a whole number, got string`},
		{"fractional concurrency", `{"a": {"concurrency": 2.5}}`,
			`hosts.json: host "a": key "concurrency": want a whole number, got number 2.5`},
		{"negative concurrency", `{"a": {"concurrency": -1}}`,
			`hosts.json: host "a": key "concurrency": -1: want 0 or more`},
		{"negative burst", `{"a": {"burst": -3}}`,
			`hosts.json: host "a": key "burst": -3: want 0 or more`},
		{"negative rate", `{"a": {"rate": -0.5}}`,
			`hosts.json: host "a": key "rate": -0.5: want 0 to 1e+06 requests per second`},
		{"rate as bool", `{"a": {"rate": true}}`,
			`hosts.json: host "a": key "rate": want a number, got bool`},
		{"null rate", `{"a": {"rate": null}}`,
			`hosts.json: host "a": key "rate": want a number, got null`},
		{"bad method", `{"a": {"method": "post"}}`,
			`hosts.json: host "a": key "method": "post": want get, head or head,get`},
		{"method as number", `{"a": {"method": 1}}`,
			`hosts.json: host "a": key "method": want a string, got number`},
		{"headers as list", `{"a": {"headers": ["X: y"]}}`,
			`hosts.json: host "a": key "headers": want an object of strings, got array`},
		{"header value number", `{"a": {"headers": {"X": 1}}}`,
			`hosts.json: host "a": key "headers": want an object of strings, got number`},
		{"bad header name", `{"a": {"headers": {"X Y": "z"}}}`,
			`hosts.json: host "a": key "headers": header name "X Y": want letters, digits and !#$%&'*+-.^_` + "`" + `|~`},
		{"header value newline", `{"a": {"headers": {"X": "y\r\nZ: w"}}}`,
			`hosts.json: host "a": key "headers": header "X": value holds a control character`},
		{"bad accept", `{"a": {"accept": "nope"}}`,
			`hosts.json: host "a": key "accept": bad accept`},
		{"settings not an object", `{"a": 5}`,
			`hosts.json: host "a": want an object of settings, got number`},
		{"null settings", `{"a": null}`,
			`hosts.json: host "a": want an object of settings, got null`},
		{"host with a scheme", `{"http://a": {}}`,
			`hosts.json: host "http://a": want a host[:port] as in a URL`},
		{"host twice", `{"a": {}, "A": {}}`,
			`hosts.json: host "a": given twice`},
		{"not an object", `["a"]`,
			`hosts.json: want a JSON object from host to settings`},
		{"trailing data", "{}\n{}",
			`hosts.json:2: invalid character '{' after top-level value`},
		{"syntax error", "{\n\"a\": {\n\"rate\": 1,\n}}",
			`hosts.json:4: invalid character '}' looking for beginning of object key string`},
		{"empty file", ``,
			`hosts.json:1: unexpected end of JSON input`},
	} {
		_, err := LoadHosts(strings.NewReader(tc.file), "hosts.json", testDefault, checkAccept)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got error %v; want %s", tc.name, err, tc.want)
		}
	}
}
