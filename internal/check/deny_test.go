package check

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestNonPublic(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "a loopback address"},
		{"127.255.0.9", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"10.1.2.3", "a private address"},
		{"172.16.0.1", "a private address"},
		{"172.31.255.255", "a private address"},
		{"192.168.1.1", "a private address"},
		{"::ffff:10.0.0.1", "a private address"},
		{"fc00::1", "a private address"},
		{"fd12:3456::1", "a private address"},
		{"169.254.169.254", "a cloud metadata address"},
		{"fd00:ec2::254", "a cloud metadata address"},
		{"169.254.1.1", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"fe80::1%eth0", "a link-local address"},
		{"0.0.0.0", "an unspecified address"},
		{"0.1.2.3", "an unspecified address"},
		{"::", "an unspecified address"},
		{"224.0.0.1", "a multicast address"},
		{"239.1.2.3", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"100.64.0.1", "a shared (CGNAT) address"},
		{"100.127.255.255", "a shared (CGNAT) address"},
		{"240.0.0.1", "a reserved address"},
		{"255.255.255.255", "a reserved address"},
		{"100.128.0.1", ""},
		{"172.32.0.1", ""},
		{"8.8.8.8", ""},
		{"93.184.215.14", ""},
		{"2606:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
	}
	for _, tt := range tests {
		if got := nonPublic(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("nonPublic(%s) = %q; want %q", tt.addr, got, tt.want)
		}
	}
}

func TestDenyPrivateControl(t *testing.T) {
	allow := func(a netip.Addr) bool { return a == netip.MustParseAddr("10.0.0.7") }
	tests := []struct {
		address string
		allow   func(netip.Addr) bool
		want    string // error text; empty for none
	}{
		{"8.8.8.8:443", nil, ""},
		{"[2606:4700::1111]:443", nil, ""},
		{"127.0.0.1:80", nil, "blocked: 127.0.0.1 is a loopback address"},
		{"[::ffff:127.0.0.1]:80", nil, "blocked: 127.0.0.1 is a loopback address"},
		{"[fe80::1%eth0]:80", nil, "blocked: fe80::1%eth0 is a link-local address"},
		{"10.0.0.7:80", allow, ""},
		{"10.0.0.8:80", allow, "blocked: 10.0.0.8 is a private address"},
		{"not an address", nil, "deny private: "},
	}
	for _, tt := range tests {
		err := denyPrivate{allow: tt.allow}.control("tcp", tt.address, nil)
		if got := errText(err); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (err == nil) {
			t.Errorf("control(%q) = %v; want %q", tt.address, err, tt.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCheckDenyPrivate runs on loopback, like every test here: it lets
// 127.0.0.2 through with AllowAddr and treats 127.0.0.1 as the internal
// address that must stay out of reach.
func TestCheckDenyPrivate(t *testing.T) {
	var hits atomic.Int32
	internal := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	public := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, internal.URL+"/secret", http.StatusFound)
		}
	}))
	port := internal.Listener.Addr().(*net.TCPAddr).Port
	cfg := Config{DenyPrivate: true, AllowAddr: func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.2") }}
	tests := []struct {
		name      string
		url       string
		kind      string
		err       string
		finalURL  string
		chain     []Hop
		remoteIP  string
		redirects int
	}{
		{name: "allowed", url: public.URL + "/", remoteIP: "127.0.0.2", finalURL: public.URL + "/"},
		{name: "loopback", url: internal.URL + "/", kind: KindBlocked,
			err: "blocked: 127.0.0.1 is a loopback address", finalURL: internal.URL + "/"},
		{name: "name resolving to loopback", url: "http://localhost:" + strconv.Itoa(port) + "/", kind: KindBlocked,
			err: "blocked: ", finalURL: "http://localhost:" + strconv.Itoa(port) + "/"},
		{name: "redirect to loopback", url: public.URL + "/redirect", kind: KindBlocked,
			err: "blocked: 127.0.0.1 is a loopback address", finalURL: internal.URL + "/secret",
			chain: []Hop{{public.URL + "/redirect", http.StatusFound}}, redirects: 1},
	}
	c := newChecker(t, cfg)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Check(context.Background(), tt.url)
			if got.ErrorKind != tt.kind || !strings.HasPrefix(got.Error, tt.err) || got.Transient() {
				t.Errorf("kind, error, transient = %q, %q, %v; want %q, %q..., false",
					got.ErrorKind, got.Error, got.Transient(), tt.kind, tt.err)
			}
			if got.FinalURL != tt.finalURL || got.Redirects != tt.redirects || !sameChain(got.Chain, tt.chain) {
				t.Errorf("final URL, redirects, chain = %q, %d, %v; want %q, %d, %v",
					got.FinalURL, got.Redirects, chainOf(got), tt.finalURL, tt.redirects, tt.chain)
			}
			if got.RemoteIP != tt.remoteIP {
				t.Errorf("RemoteIP = %q; want %q", got.RemoteIP, tt.remoteIP)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("internal server got %d requests; want 0", n)
	}
}

func TestClassifyBlocked(t *testing.T) {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: &blockedError{addr: netip.MustParseAddr("10.0.0.1"), what: "a private address"}}
	kind, msg := explain(context.Background(), errors.Join(errors.New("outer"), err), "stage")
	if kind != KindBlocked || msg != "blocked: 10.0.0.1 is a private address" {
		t.Errorf("explain = %q, %q; want %q, %q", kind, msg, KindBlocked, "blocked: 10.0.0.1 is a private address")
	}
}
