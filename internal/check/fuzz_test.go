package check

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidateURL feeds arbitrary lines to ValidateURL. It must never
// panic, and what it accepts must be a URL a worker can request: within
// the length limit, printable, http or https with a host, accepted again
// unchanged, and good for an HTTP request.
func FuzzValidateURL(f *testing.F) {
	for _, seed := range []string{
		"http://example.com/", " HTTPS://Example.com/a?b=c#d\r\n", "http://[::1]:8080/", "http://[fe80::1%25en0]/",
		"http://bücher.example/", "http://例え.テスト/パス", "http://exa%41mple.com/", "http://ex%C3%BCample.com/",
		"http://example.com/%zz", "http://example.com/?q=%zz", "http://%25/", "http://user:pw@host:1/",
		"javascript:alert(1)", "file:///etc/passwd", "http:///x", "http:x", "//h/", "http://h:0/", "http://h:65536/",
		"http://h/\x00", "http://h/\xff", "http://h/a b", "\ufeffhttp://h/", "http://h/\u202e", "http://[::1/",
		"http://h:/", "http://[::1]:/", "http://h\\x/", "http://-.-/", "http://" + strings.Repeat("a", 2100) + "/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, err := ValidateURL(line)
		if err != nil {
			if got != "" {
				t.Fatalf("ValidateURL(%q) = %q with error %v; want empty", line, got, err)
			}
			return
		}
		if len(got) > MaxURLBytes || !utf8.ValidString(got) {
			t.Fatalf("ValidateURL(%q) = %q: over %d bytes or not UTF-8", line, got, MaxURLBytes)
		}
		for i := 0; i < len(got); i++ {
			if b := got[i]; b <= ' ' || b == 0x7f {
				t.Fatalf("ValidateURL(%q) = %q: byte %d is %#x", line, got, i, b)
			}
		}
		again, err := ValidateURL(got)
		if err != nil || again != got {
			t.Fatalf("ValidateURL(%q) = %q, but ValidateURL(%q) = %q, %v", line, got, got, again, err)
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("ValidateURL(%q) = %q, which parses as %#v, %v; want http(s) with a host", line, got, u, err)
		}
		if _, err := http.NewRequest(http.MethodGet, got, nil); err != nil {
			t.Fatalf("ValidateURL(%q) = %q, but a request for it fails: %v", line, got, err)
		}
	})
}
