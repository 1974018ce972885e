package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestClassify covers errors that real servers produce only rarely or
// slowly, wrapped the way net/http wraps them.
func TestClassify(t *testing.T) {
	get := func(err error) error { return &url.Error{Op: "Get", URL: "http://x/", Err: err} }
	dial := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"deadline", get(context.DeadlineExceeded), KindTimeout},
		{"dns timeout", get(&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}), KindTimeout},
		{"nxdomain", get(&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}), KindDNS},
		{"dial timeout", get(&net.OpError{Op: "dial", Err: timeoutErr{}}), KindTimeout},
		{"refused", get(dial(syscall.ECONNREFUSED)), KindRefused},
		{"reset", get(dial(syscall.ECONNRESET)), KindReset},
		{"broken pipe", get(dial(syscall.EPIPE)), KindReset},
		{"eof", get(io.EOF), KindReset},
		{"unexpected eof in body", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), KindReset},
		{"reset as text", get(errors.New("write: connection reset by peer")), KindReset},
		{"unknown authority", get(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), KindTLS},
		{"hostname", get(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), KindTLS},
		{"expired", get(x509.CertificateInvalidError{Reason: x509.Expired}), KindTLS},
		{"record header", get(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), KindTLS},
		{"remote alert", get(&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}), KindTLS},
		{"malformed", get(errors.New(`malformed HTTP response "garbage"`)), KindOther},
		{"cancelled", get(context.Canceled), KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %q; want %q", tt.err, got, tt.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestExplainDeadline(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	live := context.Background()
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		wantKind string
		wantMsg  string
	}{
		{"deadline", expired, &url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}, KindTimeout, "timeout stage"},
		{"closed by deadline", expired, errors.New("use of closed network connection"), KindTimeout, "timeout stage"},
		{"eof by deadline", expired, io.ErrUnexpectedEOF, KindTimeout, "timeout stage"},
		{"tls kept", expired, x509.UnknownAuthorityError{}, KindTLS, "tls: certificate signed by unknown authority"},
		{"no deadline", live, &url.Error{Op: "Get", URL: "u", Err: io.EOF}, KindReset, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, msg := explain(tt.ctx, tt.err, "stage")
			if kind != tt.wantKind || msg != tt.wantMsg {
				t.Errorf("explain = %q, %q; want %q, %q", kind, msg, tt.wantKind, tt.wantMsg)
			}
		})
	}
}

func TestMessageTruncates(t *testing.T) {
	long := strings.Repeat("é", maxMessage) // 2 bytes each
	got := message(errors.New("x" + long))
	if len(got) > maxMessage || !strings.HasPrefix("x"+long, got) || len(got) < maxMessage-1 {
		t.Errorf("len(message) = %d; want %d or %d, cut on a rune boundary", len(got), maxMessage-1, maxMessage)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		kind   string
		status int
		want   bool
	}{
		{"", 200, false},
		{KindTimeout, 0, true},
		{KindTimeout, 200, true},
		{KindDNS, 0, false},
		{KindRefused, 0, true},
		{KindReset, 0, true},
		{KindTLS, 0, false},
		{KindTooManyRedirects, 302, false},
		{KindHTTP4xx, 404, false},
		{KindHTTP4xx, 429, true},
		{KindHTTP5xx, 500, true},
		{KindHTTP5xx, 503, true},
		{KindOther, 0, false},
		{KindDead, 0, false},
		{KindBlocked, 0, false},
		{KindUnacceptedStatus, 204, false},
	}
	for _, tt := range tests {
		r := Result{ErrorKind: tt.kind, Status: tt.status}
		if got := r.Transient(); got != tt.want {
			t.Errorf("Result{ErrorKind: %q, Status: %d}.Transient() = %v; want %v", tt.kind, tt.status, got, tt.want)
		}
	}
}
