package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"

	"github.com/crosscast/crosscast/internal/mailhdr"
)

// ErrAddress is an address NormalizeAddress refuses.
var ErrAddress = fmt.Errorf("%w: not a plain email address", ErrInvalid)

// NormalizeAddress returns the form an address is stored and compared
// in: one bare address (no display name, no list, no angle brackets),
// lower-case, its domain in ASCII (an IDN domain becomes its A-label,
// xn--…) so that the Unicode and the ASCII spelling are one subscriber.
// The local part must be ASCII: sending to any other needs SMTPUTF8,
// which the submission servers crosscast talks to may not offer.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: it is empty", ErrAddress)
	}
	if len(s) > 320 || strings.ContainsAny(s, "<>,;\"()[]\\ \t\r\n") {
		return "", fmt.Errorf("%w: write one address like someone@example.com, with no name, brackets or spaces", ErrAddress)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" {
		return "", fmt.Errorf("%w: %q is not one address like someone@example.com", ErrAddress, s)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || len(local) > 64 {
		return "", fmt.Errorf("%w: the part before @ must be 1 to 64 characters", ErrAddress)
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= 0x80 {
			return "", fmt.Errorf("%w: the part before @ must be ASCII", ErrAddress)
		}
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || strings.HasSuffix(ascii, ".") {
		return "", fmt.Errorf("%w: %q is not a mail domain", ErrAddress, domain)
	}
	out := strings.ToLower(local + "@" + ascii)
	if len(out) > 254 {
		return "", fmt.Errorf("%w: it is longer than 254 characters", ErrAddress)
	}
	// The envelope and headers take exactly this: refuse here what
	// sending would refuse later.
	if _, err := mailhdr.Address(out); err != nil {
		return "", fmt.Errorf("%w: %v", ErrAddress, err)
	}
	return out, nil
}

// tombstone is what an erased address leaves in the suppression list: a
// hash that matches the address when it is added again, and tells
// nobody reading the table what it was.
func tombstone(address string) string {
	sum := sha256.Sum256([]byte("crosscast erased address\x00" + address))
	return "sha256:" + hex.EncodeToString(sum[:])
}
