package bounce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Ref is what a VERP token stands for.
type Ref struct {
	Brand string
	// Delivery is the first 16 hex digits of the delivery's ledger
	// KeyHash (store.KeyHash): enough to tell a brand's deliveries apart,
	// short enough to keep the return path short.
	Delivery string
	// Recipient is the address the message was sent to, lower-cased.
	Recipient string
}

// A token is base32 (lower case, no padding: a local part may be
// case-folded on the way back) of
//
//	version (1) | len(brand) (1) | brand | delivery (8) | recipient | tag (10)
//
// with tag the first 10 bytes of HMAC-SHA256 over the rest. It is signed,
// not encrypted: the recipient's address in it is no secret from anyone
// who handles the message, whose envelope names it anyway. For a long
// address the local part runs past the 64 octets of RFC 5321
// §4.5.3.1.1, as the return paths of the large ESPs do.
const (
	tokenVersion = 1
	deliveryLen  = 8
	tagLen       = 10
	tokenPrefix  = "bounce"
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ErrBadToken is a VERP token that does not verify.
var ErrBadToken = errors.New("bounce: VERP token does not verify")

// Sign returns the token for r under key.
func Sign(key []byte, r Ref) (string, error) {
	if len(key) < 16 {
		return "", errors.New("bounce: VERP key must be at least 16 bytes")
	}
	if r.Brand == "" || len(r.Brand) > 64 {
		return "", fmt.Errorf("bounce: VERP brand %q must be 1 to 64 bytes", r.Brand)
	}
	del, err := hex.DecodeString(r.Delivery)
	if err != nil || len(del) != deliveryLen {
		return "", fmt.Errorf("bounce: VERP delivery %q must be %d hex digits", r.Delivery, 2*deliveryLen)
	}
	rcpt := strings.ToLower(r.Recipient)
	if rcpt == "" || len(rcpt) > 254 {
		return "", errors.New("bounce: VERP recipient must be 1 to 254 bytes")
	}
	msg := make([]byte, 0, 2+len(r.Brand)+deliveryLen+len(rcpt)+tagLen)
	msg = append(msg, tokenVersion, byte(len(r.Brand)))
	msg = append(msg, r.Brand...)
	msg = append(msg, del...)
	msg = append(msg, rcpt...)
	msg = append(msg, tag(key, msg)...)
	return b32.EncodeToString(msg), nil
}

func tag(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("crosscast verp\x00"))
	m.Write(msg)
	return m.Sum(nil)[:tagLen]
}

// ReturnPath returns base with the token after a "+" in its local part:
// bounce@bounces.example.com becomes bounce+<token>@bounces.example.com.
func ReturnPath(base string, key []byte, r Ref) (string, error) {
	local, domain, ok := strings.Cut(base, "@")
	if !ok || local == "" || domain == "" || strings.Contains(local, "+") {
		return "", fmt.Errorf("bounce: return path %q must be an address without + in it", base)
	}
	tok, err := Sign(key, r)
	if err != nil {
		return "", err
	}
	return local + "+" + tok + "@" + domain, nil
}

// TokenFromAddress returns what follows the first "+" of an address's
// local part, lower-cased, when it looks like a token; else "". It takes
// "<a+t@b>", "Name <a+t@b>" and "a+t@b".
func TokenFromAddress(addr string) string {
	a := cleanAddress(addr)
	local, _, ok := strings.Cut(a, "@")
	if !ok {
		return ""
	}
	_, tok, ok := strings.Cut(local, "+")
	if !ok || len(tok) < 20 || len(tok) > 600 {
		return ""
	}
	for _, c := range tok {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return ""
		}
	}
	return tok
}

// Open verifies a token and returns its Ref. keys gives the keys of the
// token's brand, current first: each is tried, so mail sent before a key
// was rotated still maps back while the old key is kept.
func Open(token string, keys func(brand string) [][]byte) (Ref, error) {
	msg, err := b32.DecodeString(strings.ToLower(token))
	if err != nil || len(msg) < 2+1+deliveryLen+3+tagLen || msg[0] != tokenVersion {
		return Ref{}, ErrBadToken
	}
	n := int(msg[1])
	body, sum := msg[:len(msg)-tagLen], msg[len(msg)-tagLen:]
	if n == 0 || 2+n+deliveryLen >= len(body) {
		return Ref{}, ErrBadToken
	}
	brand := string(body[2 : 2+n])
	for _, k := range keys(brand) {
		if len(k) > 0 && hmac.Equal(tag(k, body), sum) {
			return Ref{
				Brand:     brand,
				Delivery:  hex.EncodeToString(body[2+n : 2+n+deliveryLen]),
				Recipient: string(body[2+n+deliveryLen:]),
			}, nil
		}
	}
	return Ref{}, ErrBadToken
}

// Resolve verifies the token of each event that has one and fills in
// Ref and Brand; an event whose token does not verify keeps its
// report's recipient and gets no Ref (a forged token must not aim a
// suppression at another address). Events left with no address at all
// are dropped.
func Resolve(events []Event, keys func(brand string) [][]byte) []Event {
	out := events[:0]
	for _, e := range events {
		if e.Token != "" && keys != nil {
			if r, err := Open(e.Token, keys); err == nil {
				e.Ref, e.Brand = &r, r.Brand
			}
		}
		if e.Address() != "" {
			out = append(out, e)
		}
	}
	return out
}

// ParseKeys splits the value of a VERP key variable: keys separated by
// commas, the current one first. Empty entries are dropped.
func ParseKeys(s string) [][]byte {
	var out [][]byte
	for k := range strings.SplitSeq(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, []byte(k))
		}
	}
	return out
}
