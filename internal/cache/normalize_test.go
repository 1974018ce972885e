package cache

import (
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"already normal", "http://example.com/a?b=1", "http://example.com/a?b=1"},
		{"upper-case scheme", "HTTP://example.com/", "http://example.com/"},
		{"upper-case host", "https://Example.COM/Path", "https://example.com/Path"},
		{"path case kept", "http://x.org/A/b", "http://x.org/A/b"},
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"https port on http kept", "http://example.com:443/a", "http://example.com:443/a"},
		{"http port on https kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"other port kept", "http://example.com:8080/a", "http://example.com:8080/a"},
		{"empty port", "http://example.com:/a", "http://example.com/a"},
		{"fragment dropped", "http://example.com/a#top", "http://example.com/a"},
		{"empty fragment dropped", "http://example.com/a#", "http://example.com/a"},
		{"empty path", "http://example.com", "http://example.com/"},
		{"empty path with query", "http://example.com?q=1", "http://example.com/?q=1"},
		{"query order kept", "http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"},
		{"query escapes kept", "http://example.com/?q=a%20b+c", "http://example.com/?q=a%20b+c"},
		{"empty query kept", "http://example.com/?", "http://example.com/?"},
		{"userinfo kept", "http://User:Pw@Example.com/", "http://User:Pw@example.com/"},
		{"path escapes kept", "http://example.com/a%2Fb%41", "http://example.com/a%2Fb%41"},
		{"space in path escaped", "http://example.com/a b", "http://example.com/a%20b"},
		{"IPv6 default port", "http://[::1]:80/", "http://[::1]/"},
		{"IPv6 other port", "http://[::1]:8080/", "http://[::1]:8080/"},
		{"IPv6 upper case", "http://[FE80::1]/", "http://[fe80::1]/"},
		{"IP and port", "http://127.0.0.1:41234/x", "http://127.0.0.1:41234/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.raw)
			if err != nil || got != tc.want {
				t.Errorf("Normalize(%q): got %q, %v; want %q, nil", tc.raw, got, err, tc.want)
			}
			if again, err := Normalize(got); err != nil || again != got {
				t.Errorf("Normalize(%q) again: got %q, %v; want it unchanged", got, again, err)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	for _, raw := range []string{
		"",
		"example.com/a",
		"/relative",
		"ftp://example.com/",
		"mailto:someone@example.com",
		"http:///path",
		"http://:80/",
		"http://exa mple.com/",
		"http://example.com:port/",
		"http://example.com/%zz",
		"http://example.com/\n",
	} {
		if got, err := Normalize(raw); err == nil {
			t.Errorf("Normalize(%q): got %q, nil; want an error", raw, got)
		}
	}
}

func TestNormalizeFastPathAllocs(t *testing.T) {
	const raw = "https://www.example.com:8443/some/path;p?q=1&r=%2F"
	if !isNormal(raw) {
		t.Fatalf("isNormal(%q): got false; want true", raw)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Normalize(raw) }); n != 0 {
		t.Errorf("Normalize allocations: got %v; want 0", n)
	}
}

// FuzzNormalize checks that the fast path accepts only URLs that the full
// path leaves unchanged, and that Normalize is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"http://example.com/", "HTTPS://A.B:443/x?y#z", "http://a:8080/%41?%zz",
		"http://a:0/", "http://a:080/", "http://u@h/", "http://h/a b", "http://[::1]:80/",
		"http://h/!$&'()*+,;=:@", "http://h/?q=1?", "http://h.-/x", "http://h:99999/", "http://:#", "http://:80/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if isNormal(raw) {
			got, err := normalizeParsed(raw)
			if err != nil || got != raw {
				t.Fatalf("fast path accepted %q but normalizeParsed gives %q, %v", raw, got, err)
			}
		}
		norm, err := Normalize(raw)
		if err != nil {
			return
		}
		if again, err := Normalize(norm); err != nil || again != norm {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", raw, norm, norm, again, err)
		}
	})
}
