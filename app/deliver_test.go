package app_test

import (
	"testing"

	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/store"
)

// The SMTP publisher reads and writes recipients' states by the ledger's
// names; the worker passes them through unchanged.
func TestRecipientStatesMatchTheLedger(t *testing.T) {
	for pub, led := range map[string]string{
		publish.StatusPending: store.DelPending, publish.StatusSending: store.DelSending,
		publish.StatusSent: store.DelSent, publish.StatusFailed: store.DelFailed,
		publish.StatusUnknown: store.DelUnknown, publish.StatusSuppressed: store.DelSuppressed,
	} {
		if pub != led {
			t.Errorf("publish says %q, the ledger %q", pub, led)
		}
	}
}
