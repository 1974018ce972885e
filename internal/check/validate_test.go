package check

import (
	"strings"
	"testing"
)

func TestValidateURL(t *testing.T) {
	long := "http://example.com/" + strings.Repeat("a", MaxURLBytes-len("http://example.com/")+1)
	tests := []struct {
		name    string
		line    string
		want    string
		wantErr string // substring of the error; empty means success
	}{
		{"http", "http://example.com/", "http://example.com/", ""},
		{"https with path and query", "https://example.com/a?b=c#d", "https://example.com/a?b=c#d", ""},
		{"uppercase scheme", "HTTPS://Example.com/", "https://Example.com/", ""},
		{"surrounding whitespace", " \thttp://example.com/ ", "http://example.com/", ""},
		{"crlf line", "http://example.com/\r\n", "http://example.com/", ""},
		{"ipv6", "http://[::1]:8080/", "http://[::1]:8080/", ""},
		{"port 65535", "http://example.com:65535/", "http://example.com:65535/", ""},
		{"longest allowed", long[:MaxURLBytes], long[:MaxURLBytes], ""},
		{"missing scheme", "example.com/path", "", "missing scheme"},
		{"ftp", "ftp://example.com/", "", `scheme "ftp" is not http or https`},
		{"javascript", "javascript:alert(1)", "", `scheme "javascript"`},
		{"file", "file:///etc/passwd", "", `scheme "file"`},
		{"missing host", "http:///path", "", "missing host"},
		{"opaque", "http:example.com", "", "missing host"},
		{"port only", "http://:80/", "", "missing host"},
		{"space", "http://example.com/a b", "", "space at byte 20"},
		{"nul", "http://example.com/\x00", "", "control character at byte 19"},
		{"del", "http://example.com/\x7f", "", "control character at byte 19"},
		{"invalid utf-8", "http://example.com/\xff", "", "invalid UTF-8"},
		{"too long", long, "", "longer than 2048 bytes"},
		{"unclosed ipv6", "http://[::1/", "", "not a URL"},
		{"bad ipv6", "http://[::g]/", "", "not a URL"},
		{"unbracketed ipv6", "http://::1/", "", "not a URL"},
		{"ipv6 zone", "http://[fe80::1%25en0]/", "", "invalid IPv6 host"},
		{"port 0", "http://example.com:0/", "", "port out of range"},
		{"port 70000", "http://example.com:70000/", "", "port out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateURL(tt.line)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Errorf("ValidateURL(%q) = %q, %v; want %q, nil", tt.line, got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateURL(%q) error = %v; want one containing %q", tt.line, err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("ValidateURL(%q) = %q on error; want empty", tt.line, got)
			}
		})
	}
}

func TestValidateURLErrorOmitsLine(t *testing.T) {
	for _, line := range []string{"http://[::1/secret", "http://secret.example.com:99999/", "http://secret/\x01"} {
		if _, err := ValidateURL(line); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ValidateURL(%q) error = %v; want an error not quoting the line", line, err)
		}
	}
}
