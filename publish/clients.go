package publish

import (
	"net/http"
	"slices"
	"strings"
	"sync"
)

// DefaultMaxClients bounds the clients a Clients keeps. The distinct
// allow-lists are the brands' targets', so a few; the bound is for a
// brand file that churns them.
const DefaultMaxClients = 256

// Clients hands out one guarded HTTP client per distinct allow-list and
// keeps it, so deliveries to the same targets reuse connections rather
// than each building a transport (whose idle connections would linger).
// It is safe for concurrent use.
type Clients struct {
	newClient func(allow []string) *http.Client
	max       int

	mu sync.Mutex
	m  map[string]*http.Client
}

// NewClients returns a cache of clients made by newClient (nil:
// NewHTTPClient with the allow-list), holding at most max of them (0:
// DefaultMaxClients).
func NewClients(newClient func(allow []string) *http.Client, max int) *Clients {
	if newClient == nil {
		newClient = func(allow []string) *http.Client {
			return NewHTTPClient(HTTPOptions{AllowHosts: allow})
		}
	}
	if max <= 0 {
		max = DefaultMaxClients
	}
	return &Clients{newClient: newClient, max: max, m: map[string]*http.Client{}}
}

// For returns the client for an allow-list; the order of the hosts and
// repeats do not matter.
func (c *Clients) For(allow []string) *http.Client {
	hosts := slices.Clone(allow)
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	key := strings.Join(hosts, "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.m[key]; ok {
		return cl
	}
	if len(c.m) >= c.max {
		// Drop any one: a dropped list that comes back just gets a new
		// client.
		for k, old := range c.m {
			old.CloseIdleConnections()
			delete(c.m, k)
			break
		}
	}
	cl := c.newClient(hosts)
	c.m[key] = cl
	return cl
}
