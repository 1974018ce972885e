package check

import (
	"fmt"
	"net/netip"
	"syscall"
)

// blockedError is a dial refused by Config.DenyPrivate.
type blockedError struct {
	addr netip.Addr
	what string // "a loopback address"
}

func (e *blockedError) Error() string {
	return "blocked: " + e.addr.String() + " is " + e.what
}

var (
	metadataV4  = netip.MustParseAddr("169.254.169.254")
	metadataV6  = netip.MustParseAddr("fd00:ec2::254")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	sharedCGNAT = netip.MustParsePrefix("100.64.0.0/10")
	reservedV4  = netip.MustParsePrefix("240.0.0.0/4") // includes broadcast
)

// nonPublic names the kind of a, or returns "" if a is public. IPv4-mapped
// IPv6 addresses count as the IPv4 address they map. The metadata
// addresses come first, as they are link-local or private as well.
func nonPublic(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	switch {
	case a == metadataV4 || a == metadataV6:
		return "a cloud metadata address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsUnspecified() || thisNetwork.Contains(a):
		return "an unspecified address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsMulticast():
		return "a multicast address"
	case sharedCGNAT.Contains(a):
		return "a shared (CGNAT) address"
	case reservedV4.Contains(a):
		return "a reserved address"
	}
	return ""
}

// denyPrivate is the net.Dialer.Control of Config.DenyPrivate. It runs
// after name resolution, on the address about to be connected to.
type denyPrivate struct {
	allow func(netip.Addr) bool // may be nil
}

func (d denyPrivate) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("deny private: %w", err)
	}
	a := ap.Addr().Unmap()
	if d.allow != nil && d.allow(a) {
		return nil
	}
	if what := nonPublic(a); what != "" {
		return &blockedError{addr: a, what: what}
	}
	return nil
}
