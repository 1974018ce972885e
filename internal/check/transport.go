package check

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// newTransport returns a transport tuned for many short requests to many
// hosts: large idle pool, keep-alive, HTTP/2, proxies from the environment
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), and no gzip since bodies are
// discarded unread. The per-attempt context deadline bounds everything; the
// dial and TLS timeouts only matter if the caller's context has none.
func newTransport(cfg Config) *http.Transport {
	d := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if cfg.DenyPrivate {
		d.Control = denyPrivate{allow: cfg.AllowAddr}.control
	}
	t := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           max(1024, cfg.MaxConnsPerHost),
		MaxIdleConnsPerHost:    cfg.MaxConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	if cfg.Insecure || cfg.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: cfg.Insecure, RootCAs: cfg.RootCAs}
	}
	return t
}

// maxHeaderBytes caps response headers well below net/http's 1 MiB default,
// so that a hostile server cannot make each in-flight check hold a megabyte.
const maxHeaderBytes = 256 << 10
