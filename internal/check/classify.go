package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// maxMessage caps Result.Error. Some errors quote what the server sent
// (a malformed status line, say), and results are stored by the million.
const maxMessage = 256

// explain classifies err, which happened at stage of a check whose context
// is ctx, and phrases it for Result.Error.
//
// When the attempt's deadline has passed, whatever broke is reported as a
// timeout: net/http reports a deadline in several forms (the context error,
// a closed connection, an EOF mid-body) and the deadline is the cause.
func explain(ctx context.Context, err error, stage string) (kind, msg string) {
	kind = classify(err)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) &&
		(errors.Is(err, context.DeadlineExceeded) || kind == KindOther || kind == KindReset) {
		return KindTimeout, "timeout " + stage
	}
	return kind, describe(kind, err)
}

// describe phrases err, of the given kind, for Result.Error. Blocked and
// certificate errors get their own words, without the dial or handshake
// details around them.
func describe(kind string, err error) string {
	var blocked *blockedError
	switch {
	case kind == KindBlocked && errors.As(err, &blocked):
		return blocked.Error()
	case kind == KindTLS:
		if msg, ok := certMessage(err, time.Now()); ok {
			return msg
		}
	}
	return message(err)
}

// classify maps an error from net/http to a Kind by its type. The order
// matters: a blocked address is blocked whatever else failed, a DNS timeout
// is a timeout, not dns, and the specific kinds come before the reset test,
// whose text fallback is the loosest.
//
// A malformed response is other, since the server answered but not in
// HTTP; one that ends before any byte arrives is reset (io.EOF), since
// that is what a crashing or overloaded server looks like.
func classify(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var blocked *blockedError
	switch {
	case errors.As(err, &blocked):
		return KindBlocked
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return KindTimeout
		}
		return KindDNS
	case isTLS(err):
		return KindTLS
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case isReset(err):
		return KindReset
	}
	return KindOther
}

// isTLS reports a failed handshake or certificate check. Alerts from the
// peer ("remote error: tls: ...") have an unexported type, and net/http
// flattens a plain-HTTP answer to an https URL into a string, so those two
// are matched by text.
func isTLS(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	if errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "tls: ") ||
		strings.Contains(msg, "server gave HTTP response to HTTPS client")
}

// isReset reports a connection that the peer dropped mid-exchange.
// net/http wraps some of these causes only as text, hence the fallback.
func isReset(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") ||
		strings.Contains(msg, "server closed idle connection")
}

// message is err's text without the `Get "url": ` prefix of *url.Error,
// since the result already holds the URL, and capped at maxMessage bytes.
func message(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return truncate(err.Error(), maxMessage)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
