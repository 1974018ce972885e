package check

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestCheckTLS(t *testing.T) {
	now := time.Now()
	// An hour over whole days, so that days left are exact however long
	// the test takes.
	leafEnd, caEnd := now.Add(30*day+time.Hour), now.Add(10*day+time.Hour)
	expiredEnd := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	lapsedEnd := now.Add(-3*day - time.Hour)
	futureStart := now.Add(48 * time.Hour).Truncate(time.Second)
	ca := newCA(t, caEnd)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	valid, expired := now.Add(-time.Hour), expiredEnd.AddDate(-1, 0, 0)
	tests := []struct {
		name        string
		from, until time.Time // of the server's certificate
		host        string    // that the certificate is for
		cfg         Config
		wantKind    string
		wantErr     string
		wantTLS     *TLSInfo
	}{
		{name: "valid", from: valid, until: leafEnd, host: "127.0.0.1", cfg: Config{RootCAs: ca.pool},
			wantTLS: &TLSInfo{Version: "TLS 1.3", LeafNotAfter: leafEnd, LeafDaysLeft: 30,
				ChainNotAfter: caEnd, ChainDaysLeft: 10}},
		{name: "expired", from: expired, until: expiredEnd, host: "127.0.0.1", cfg: Config{RootCAs: ca.pool},
			wantKind: KindTLS, wantErr: "tls: certificate expired (not after 2020-01-01T00:00:00Z)"},
		{name: "not yet valid", from: futureStart, until: leafEnd, host: "127.0.0.1", cfg: Config{RootCAs: ca.pool},
			wantKind: KindTLS,
			wantErr:  "tls: certificate not yet valid (not before " + futureStart.UTC().Format(time.RFC3339) + ")"},
		{name: "hostname mismatch", from: valid, until: leafEnd, host: "127.0.0.2", cfg: Config{RootCAs: ca.pool},
			wantKind: KindTLS, wantErr: "tls: hostname mismatch: certificate is valid for 127.0.0.2, not 127.0.0.1"},
		{name: "unknown authority", from: valid, until: leafEnd, host: "127.0.0.1",
			wantKind: KindTLS, wantErr: `tls: certificate signed by unknown authority (issuer "url-checker test CA")`},
		{name: "insecure expired", from: expired, until: lapsedEnd, host: "127.0.0.1", cfg: Config{Insecure: true},
			wantTLS: &TLSInfo{Version: "TLS 1.3", LeafNotAfter: lapsedEnd, LeafDaysLeft: -4,
				ChainNotAfter: lapsedEnd, ChainDaysLeft: -4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tlsServer(t, ca.issue(t, tt.from, tt.until, tt.host), ok)
			got := newChecker(t, tt.cfg).Check(context.Background(), srv.URL+"/")
			if got.ErrorKind != tt.wantKind || got.Error != tt.wantErr {
				t.Errorf("kind, error = %q, %q; want %q, %q", got.ErrorKind, got.Error, tt.wantKind, tt.wantErr)
			}
			if tt.wantKind == "" && got.HTTPVersion != "HTTP/2.0" {
				t.Errorf("HTTPVersion = %q; want HTTP/2.0", got.HTTPVersion)
			}
			checkTLSInfo(t, got.TLS, tt.wantTLS)
		})
	}
}

// checkTLSInfo compares TLS infos, the times to the second, as certificates
// hold them.
func checkTLSInfo(t *testing.T, got, want *TLSInfo) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("TLS = %+v; want nil", *got)
		}
		return
	}
	if got == nil {
		t.Fatalf("TLS = nil; want %+v", *want)
	}
	w := *want
	w.LeafNotAfter = w.LeafNotAfter.Truncate(time.Second).UTC()
	w.ChainNotAfter = w.ChainNotAfter.Truncate(time.Second).UTC()
	if *got != w {
		t.Errorf("TLS = %+v; want %+v", *got, w)
	}
}

func TestDaysLeft(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   time.Duration
		want int
	}{
		{30*day + time.Hour, 30},
		{30 * day, 30},
		{30*day - time.Second, 29},
		{time.Hour, 0},
		{0, 0},
		{-time.Hour, -1},
		{-day, -1},
		{-day - time.Second, -2},
	}
	for _, tt := range tests {
		if got := daysLeft(now.Add(tt.in), now); got != tt.want {
			t.Errorf("daysLeft(now%+v) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestCertMessage(t *testing.T) {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	cert := &x509.Certificate{
		NotBefore: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		Issuer:    pkix.Name{CommonName: "Some CA"},
		DNSNames:  []string{"a.example"},
	}
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://b.example/", Err: &tlsVerifyError{err}}
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"expired", wrap(x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}),
			"tls: certificate expired (not after 2030-01-01T00:00:00Z)"},
		{"expired, no cert", wrap(x509.CertificateInvalidError{Reason: x509.Expired}),
			"tls: certificate expired or not yet valid"},
		{"other invalid", wrap(x509.CertificateInvalidError{Cert: cert, Reason: x509.NotAuthorizedToSign}),
			"tls: invalid certificate: certificate is not authorized to sign other certificates"},
		{"unknown authority", wrap(x509.UnknownAuthorityError{Cert: cert}),
			`tls: certificate signed by unknown authority (issuer "Some CA")`},
		{"unknown authority, no cert", wrap(x509.UnknownAuthorityError{}),
			"tls: certificate signed by unknown authority"},
		{"hostname", wrap(x509.HostnameError{Certificate: cert, Host: "b.example"}),
			"tls: hostname mismatch: certificate is valid for a.example, not b.example"},
		{"other", wrap(errors.New("tls: handshake failure")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := certMessage(tt.err, now)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("certMessage = %q, %v; want %q, %v", got, ok, tt.want, tt.want != "")
			}
		})
	}
	cert.NotBefore = now.Add(time.Hour)
	got, _ := certMessage(x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}, now)
	if want := "tls: certificate not yet valid (not before 2030-06-01T01:00:00Z)"; got != want {
		t.Errorf("certMessage(not yet valid) = %q; want %q", got, want)
	}
}

// tlsVerifyError wraps an error as crypto/tls does, to show that the
// classification looks through wrapping.
type tlsVerifyError struct{ err error }

func (e *tlsVerifyError) Error() string { return "tls: failed to verify certificate: " + e.err.Error() }
func (e *tlsVerifyError) Unwrap() error { return e.err }

func TestCheckUntrustedMessage(t *testing.T) {
	url, _ := untrustedTLS(t)
	got := newChecker(t, Config{}).Check(context.Background(), url)
	if !strings.HasPrefix(got.Error, "tls: certificate signed by unknown authority") {
		t.Errorf("Error = %q; want it to start with %q", got.Error, "tls: certificate signed by unknown authority")
	}
}
