package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
)

// dashboardHTML is the dashboard: one page, no external assets. It polls
// GET /stats every second and GET /results every five, sending the token
// it keeps in localStorage.
//
//go:embed dashboard.html
var dashboardHTML []byte

// dashboardCSP lets the page run its own inline script and style, found by
// hash, and talk to this server only.
var dashboardCSP = "default-src 'none'; script-src " + inlineHash(dashboardHTML, "script") +
	"; style-src " + inlineHash(dashboardHTML, "style") +
	"; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// inlineHash returns the CSP source of the first <tag> element's content.
func inlineHash(page []byte, tag string) string {
	_, rest, _ := bytes.Cut(page, []byte("<"+tag+">"))
	body, _, _ := bytes.Cut(rest, []byte("</"+tag+">"))
	sum := sha256.Sum256(body)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// dashboard serves GET /. The page holds no data, so it needs no token;
// the requests it makes do.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", dashboardCSP)
	_, _ = w.Write(dashboardHTML)
}
