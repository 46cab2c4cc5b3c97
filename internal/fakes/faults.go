// Package fakes holds test servers for the publishing targets: SMTP
// (github.com/emersion/go-smtp, a real SMTP implementation, over STARTTLS
// with AUTH), and Mastodon, Bluesky and Standard Webhooks receivers that
// check every request against the API's documented contract, record what
// they accepted, and fail on demand.
package fakes

import (
	"net/http"
	"sync"
)

// Fault is what a server does to one request instead of (or after)
// answering it.
type Fault int

const (
	// Fail500 answers 500 without doing anything.
	Fail500 Fault = iota + 1
	// TimeoutAfter does the work, then holds the answer until the client
	// gives up: the case that makes a naive client post twice.
	TimeoutAfter
)

// faults is a queue of faults for the next requests to some endpoint.
type faults struct {
	mu   sync.Mutex
	next []Fault
}

// Inject queues faults for the next requests, in order.
func (f *faults) Inject(fs ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = append(f.next, fs...)
}

func (f *faults) take() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.next) == 0 {
		return 0
	}
	x := f.next[0]
	f.next = f.next[1:]
	return x
}

// hang holds the answer until the client hangs up.
func hang(r *http.Request) { <-r.Context().Done() }

// contractError answers a request that breaks the API's contract, and
// records it so the test fails even if the client swallows the answer.
type violations struct {
	mu   sync.Mutex
	list []string
}

func (v *violations) add(w http.ResponseWriter, status int, msg string) {
	v.mu.Lock()
	v.list = append(v.list, msg)
	v.mu.Unlock()
	http.Error(w, msg, status)
}

// Violations lists every request that broke the contract.
func (v *violations) Violations() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.list...)
}
