package ui

import (
	"testing"

	"github.com/crosscast/crosscast/internal/mailhdr"
	"github.com/crosscast/crosscast/store"
)

// The email tab shows the sender's name as the message carries it: a
// name that reads like an encoded-word is shown literally, not decoded a
// second time into the CR LF it spells.
func TestEmailTabSenderDecodedOnce(t *testing.T) {
	const name = "=?utf-8?q?a=0D=0ABcc:_x@evil?="
	var h mailhdr.Header
	h.Address("From", name, "news@x.example")
	h.Text("Subject", "Hi")
	head, err := h.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	eml := string(head) + "\r\nHi\r\n"
	v := emailTab(&store.Rendering{}, "", func(channel, name string) []byte {
		if name == "email.eml" {
			return []byte(eml)
		}
		return nil
	})
	if v.From != name {
		t.Errorf("From shown as %q, want %q", v.From, name)
	}
}
