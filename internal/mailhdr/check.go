// Package mailhdr builds the header of every message crosscast writes or
// sends. Each value is checked for its kind (one address, a list-id, a
// List-Unsubscribe target, a Message-ID), unstructured text is RFC 2047
// encoded when it is not plain ASCII, and every line is folded (RFC 5322
// §2.2.3) so that no value can end its header, start another, or make a
// line longer than 998 bytes. The brand loader uses the same checks, so
// a value the builder would refuse is rejected where it was written.
package mailhdr

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits from RFC 5322 §2.1.1 and RFC 2047 §2.
const (
	MaxLine  = 998 // a line's hard limit, CRLF excluded
	SoftLine = 78  // the limit a line keeps to when it can
	maxWord  = 75  // an encoded-word's limit
	// MaxURL bounds a List-Unsubscribe target: a URL cannot be folded,
	// so it must fit a line with its header name and brackets.
	MaxURL = 900
)

// CheckText refuses what must never reach a header: invalid UTF-8, CR,
// LF, NUL, the Unicode line and paragraph separators (U+0085, U+2028,
// U+2029) that some clients treat as line ends, and every other control
// character, tab included.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '\r':
			return errors.New("has a carriage return (CR)")
		case r == '\n':
			return errors.New("has a line feed (LF)")
		case r == 0:
			return errors.New("has a NUL character")
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			return fmt.Errorf("has a line separator (U+%04X)", r)
		case unicode.IsControl(r):
			return fmt.Errorf("has a control character (U+%04X)", r)
		}
	}
	return nil
}

// Address checks that s is exactly one bare address as net/mail reads it
// (news@example.com): no display name, no second address, no comment,
// ASCII only. It returns the address.
func Address(s string) (string, error) {
	if err := CheckText(s); err != nil {
		return "", err
	}
	if s == "" {
		return "", errors.New("is empty")
	}
	if !printableASCII(s) {
		return "", errors.New("must be ASCII (crosscast does not send SMTPUTF8 mail)")
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return "", fmt.Errorf("is not an address like news@example.com (%v)", err)
	}
	if len(list) != 1 {
		return "", fmt.Errorf("must be one address, not %d", len(list))
	}
	a := list[0]
	if a.Name != "" || a.Address != s {
		return "", errors.New("must be a bare address like news@example.com, without a name, brackets or comment")
	}
	if _, domain, _ := strings.Cut(a.Address, "@"); !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", errors.New("must have a domain name like example.com after the @")
	}
	return a.Address, nil
}

// ListID reads an RFC 2919 list identifier as a brand writes it: the id
// alone (news.example.com) or with a description
// (Kestrel News <news.example.com>).
func ListID(s string) (description, id string, err error) {
	if err := CheckText(s); err != nil {
		return "", "", err
	}
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		description, id = strings.TrimSpace(s[:i]), s[i+1:len(s)-1]
		if len(description) >= 2 && description[0] == '"' && description[len(description)-1] == '"' {
			description = description[1 : len(description)-1]
		}
		if strings.ContainsAny(description, `"<>`) {
			return "", "", errors.New(`the description before <id> must not hold " < or >`)
		}
	} else {
		id = s
	}
	if err := checkListID(id); err != nil {
		return "", "", err
	}
	return description, id, nil
}

// checkListID: list-label "." list-id-namespace, dot-atom-text, at most
// 255 octets (RFC 2919 §2).
func checkListID(id string) error {
	if len(id) > 255 {
		return errors.New("list id is longer than 255 characters")
	}
	if !dotAtom(id) || !strings.Contains(id, ".") {
		return fmt.Errorf("%q is not a list id like news.example.com (letters, digits and dots)", id)
	}
	return nil
}

// MessageID checks a Message-ID: <left@right>, both sides dot-atom-text.
func MessageID(s string) error {
	if len(s) > 250 {
		return errors.New("message id is longer than 250 characters")
	}
	inner, ok := strings.CutPrefix(s, "<")
	inner, ok2 := strings.CutSuffix(inner, ">")
	left, right, ok3 := strings.Cut(inner, "@")
	if !ok || !ok2 || !ok3 || !dotAtom(left) || !dotAtom(right) {
		return fmt.Errorf("%q is not a message id like <id@example.com>", s)
	}
	return nil
}

// UnsubscribeTarget checks one List-Unsubscribe target (RFC 2369, RFC
// 8058): an absolute https URL or a mailto: URL to one address.
func UnsubscribeTarget(s string) error {
	if strings.HasPrefix(strings.ToLower(s), "mailto:") {
		return MailtoURL(s)
	}
	return HTTPSURL(s)
}

// HTTPSURL checks an absolute https URL fit for a header: printable
// ASCII without whitespace, quotes, angle brackets or commas (which would
// end the target or start another), a host and no user name.
func HTTPSURL(s string) error {
	if err := headerURL(s); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("is not a URL (%v)", err)
	}
	if u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute https:// URL")
	}
	if u.User != nil {
		return errors.New("must not hold a user name or password")
	}
	return nil
}

// MailtoURL checks a mailto: URL to exactly one address.
func MailtoURL(s string) error {
	if err := headerURL(s); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "mailto" || u.Opaque == "" {
		return errors.New("must be a mailto: URL like mailto:unsubscribe@example.com")
	}
	to, err := url.PathUnescape(u.Opaque)
	if err != nil {
		return errors.New("has a bad %-escape")
	}
	if _, err := Address(to); err != nil {
		return fmt.Errorf("mailto address %w", err)
	}
	return nil
}

func headerURL(s string) error {
	if err := CheckText(s); err != nil {
		return err
	}
	if len(s) > MaxURL {
		return fmt.Errorf("is longer than %d characters", MaxURL)
	}
	if !printableASCII(s) {
		return errors.New("must be ASCII (percent-encode other characters)")
	}
	if i := strings.IndexAny(s, " <>,\""); i >= 0 {
		return fmt.Errorf("must not hold %q", s[i])
	}
	return nil
}

// printableASCII reports whether s is all printable ASCII, space included.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// dotAtom reports whether s is RFC 5322 dot-atom-text.
func dotAtom(s string) bool {
	if s == "" {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAtext(label[i]) {
				return false
			}
		}
	}
	return true
}

func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}
