package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned for a request to an address outbound
// requests may not reach: loopback, private, link-local (cloud metadata
// lives at 169.254.169.254), carrier-grade NAT, multicast, unspecified.
var ErrForbiddenAddress = errors.New("address not allowed for outbound requests")

// HTTPOptions configures the guarded client.
type HTTPOptions struct {
	// AllowHosts may be reached whatever they resolve to: a brand's
	// explicit permission for, say, a webhook receiver on its own LAN.
	AllowHosts []string
	// Timeout bounds a whole request; 0 means 30 s.
	Timeout time.Duration
	// MaxBody bounds a response body; 0 means 4 MiB. Reading past it fails.
	MaxBody int64
}

// NewHTTPClient returns the client every publisher uses. It checks the
// address it actually connects to, after DNS resolution, so a name that
// resolves to 127.0.0.1 and a redirect to a private address are refused
// the same way as a literal one. It ignores proxy settings, which would
// hide the real address.
func NewHTTPClient(o HTTPOptions) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 4 << 20
	}
	allow := func(host string) bool {
		return slices.ContainsFunc(o.AllowHosts, func(h string) bool { return strings.EqualFold(strings.Trim(h, "[]"), strings.Trim(host, "[]")) })
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		if !allow(host) {
			d.Control = func(_, address string, _ syscall.RawConn) error {
				return checkAddr(host, address)
			}
		}
		return d.DialContext(ctx, network, addr)
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:   o.Timeout,
		Transport: &limitBody{next: tr, max: o.MaxBody},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
				return fmt.Errorf("redirect to a %s: URL refused", req.URL.Scheme)
			}
			return nil
		},
	}
}

// checkAddr refuses a connection to a non-public address.
func checkAddr(host, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrForbiddenAddress, address)
	}
	ip := ap.Addr().Unmap()
	if why := private(ip); why != "" {
		if host == ip.String() {
			return fmt.Errorf("%w: %s is a %s address (add it to the target's allow_hosts to permit it)", ErrForbiddenAddress, ip, why)
		}
		return fmt.Errorf("%w: %s resolves to %s, a %s address (add the host to the target's allow_hosts to permit it)", ErrForbiddenAddress, host, ip, why)
	}
	return nil
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// private names why ip may not be reached, or returns "".
func private(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate(), cgnat.Contains(ip):
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	return ""
}

// limitBody caps every response body.
type limitBody struct {
	next http.RoundTripper
	max  int64
}

func (l *limitBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: l.max}
	return resp, nil
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more than allowed tells a body that is exactly the
		// limit from one that is over it.
		var b [1]byte
		if n, _ := c.ReadCloser.Read(b[:]); n > 0 {
			return 0, errors.New("response body too large")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	return n, err
}

// readBody reads a response body, keeping what it says on failure short.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
