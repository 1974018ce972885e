package check

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strconv"
	"strings"
	"time"
)

// TLSInfo describes the TLS connection of a final https response. Leaf and
// chain expiry are kept apart: a site whose own certificate is fine can
// still break when an intermediate expires.
type TLSInfo struct {
	Version      string    `json:"version"`        // "TLS 1.3"
	LeafNotAfter time.Time `json:"leaf_not_after"` // the server certificate's expiry, UTC
	LeafDaysLeft int       `json:"leaf_days_left"` // whole days until then, negative once past
	// ChainNotAfter is the earliest expiry in the verified chain, root
	// included; when several chains verify, that of the chain lasting
	// longest (the one clients will fall back to). Unverified (Insecure),
	// it is the earliest among the certificates the server sent.
	ChainNotAfter time.Time `json:"chain_not_after"`
	ChainDaysLeft int       `json:"chain_days_left"`
}

// newTLSInfo describes cs as seen at now; nil if cs is nil or has no
// certificate.
func newTLSInfo(cs *tls.ConnectionState, now time.Time) *TLSInfo {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	leaf := cs.PeerCertificates[0].NotAfter.UTC()
	chain := earliest(cs.PeerCertificates)
	for i, c := range cs.VerifiedChains {
		if e := earliest(c); i == 0 || e.After(chain) {
			chain = e
		}
	}
	return &TLSInfo{
		Version:       tls.VersionName(cs.Version),
		LeafNotAfter:  leaf,
		LeafDaysLeft:  daysLeft(leaf, now),
		ChainNotAfter: chain,
		ChainDaysLeft: daysLeft(chain, now),
	}
}

// earliest returns the earliest NotAfter of certs, which are not empty.
func earliest(certs []*x509.Certificate) time.Time {
	e := certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotAfter.Before(e) {
			e = c.NotAfter
		}
	}
	return e.UTC()
}

// daysLeft returns the whole days from now to t, rounded down: -1 for an
// hour ago.
func daysLeft(t, now time.Time) int {
	const day = 24 * time.Hour
	d := t.Sub(now)
	n := d / day
	if d < 0 && d%day != 0 {
		n--
	}
	return int(n)
}

// certMessage phrases a certificate verification failure, the three common
// ones (expired, unknown authority, hostname mismatch) in words users of
// other probers know. ok is false if err is none of those.
func certMessage(err error, now time.Time) (msg string, ok bool) {
	var (
		invalid  x509.CertificateInvalidError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
	)
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return expiredMessage(invalid.Cert, now), true
	case errors.As(err, &invalid):
		return "tls: invalid certificate: " + strings.TrimPrefix(invalid.Error(), "x509: "), true
	case errors.As(err, &unknown):
		return unknownMessage(unknown.Cert), true
	case errors.As(err, &hostname):
		return "tls: hostname mismatch: " + strings.TrimPrefix(hostname.Error(), "x509: "), true
	}
	return "", false
}

// expiredMessage says whether cert, whose validity x509 found not to cover
// now, expired or is not valid yet, and since or until when.
func expiredMessage(cert *x509.Certificate, now time.Time) string {
	switch {
	case cert == nil:
		return "tls: certificate expired or not yet valid"
	case now.Before(cert.NotBefore):
		return "tls: certificate not yet valid (not before " + cert.NotBefore.UTC().Format(time.RFC3339) + ")"
	}
	return "tls: certificate expired (not after " + cert.NotAfter.UTC().Format(time.RFC3339) + ")"
}

// unknownMessage names the issuer that no root vouches for, if it has a
// name.
func unknownMessage(cert *x509.Certificate) string {
	const msg = "tls: certificate signed by unknown authority"
	if cert == nil || cert.Issuer.CommonName == "" {
		return msg
	}
	return msg + " (issuer " + strconv.Quote(truncate(cert.Issuer.CommonName, 64)) + ")"
}
