package content

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds of social variants and re-shares: every variant is rendered for
// every network and every re-share is a ledger row per target, so both
// are capped before any work starts.
const (
	MaxSocialVariants = 10
	MaxReshares       = 10
	MaxReshareOffset  = 366 * 24 * time.Hour
)

// OriginalCopy names the item's own social copy (variant 0) where a name
// is needed: in re-share keys and on the item page. It is not a valid
// variant id, so it never clashes with one.
const OriginalCopy = "original"

// SocialVariant is alternative social copy: Text for every network it
// goes to, or per-network text (which wins) as in the social: block.
// ID becomes utm_content on its links. Networks, when given, limits the
// variant to those networks.
type SocialVariant struct {
	ID       string   `yaml:"id"`
	Text     string   `yaml:"text"`
	Networks []string `yaml:"networks"`
	X        string   `yaml:"x"`
	Mastodon string   `yaml:"mastodon"`
	Bluesky  string   `yaml:"bluesky"`
	LinkedIn string   `yaml:"linkedin"`
	Threads  string   `yaml:"threads"`
	Facebook string   `yaml:"facebook"`
}

// For returns the variant's copy for network and the front-matter field
// it came from (relative to the variant), or "" when the variant does
// not go to that network.
func (v *SocialVariant) For(network string) (text, field string) {
	if !v.Covers(network) {
		return "", ""
	}
	if t := v.networkText(network); t != "" {
		return t, network
	}
	return v.Text, "text"
}

// Covers reports whether the variant goes to network: one of its
// networks (all when it lists none) that it has copy for. A variant
// with only per-network text goes to those networks only.
func (v *SocialVariant) Covers(network string) bool {
	return (len(v.Networks) == 0 || slices.Contains(v.Networks, network)) &&
		(strings.TrimSpace(v.Text) != "" || strings.TrimSpace(v.networkText(network)) != "")
}

func (v *SocialVariant) listed(network string) bool {
	return len(v.Networks) == 0 || slices.Contains(v.Networks, network)
}

func (v *SocialVariant) networkText(network string) string {
	switch network {
	case NetX:
		return v.X
	case NetMastodon:
		return v.Mastodon
	case NetBluesky:
		return v.Bluesky
	case NetLinkedIn:
		return v.LinkedIn
	case NetThreads:
		return v.Threads
	case NetFacebook:
		return v.Facebook
	}
	return ""
}

var allNetworks = []string{NetX, NetMastodon, NetBluesky, NetLinkedIn, NetThreads, NetFacebook}

// Offset is a re-share's delay after the publication: "+2d", "+36h",
// "+1w", "+1d12h", "+90m". The + is optional.
type Offset struct{ time.Duration }

func (o *Offset) decodeScalar(value, _ string) error {
	d, err := ParseOffset(value)
	if err != nil {
		return err
	}
	o.Duration = d
	return nil
}

// String writes the offset the way a writer would: "+2d", "+1d12h".
func (o Offset) String() string {
	d := o.Duration
	var b strings.Builder
	b.WriteByte('+')
	for _, u := range offsetUnits {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%c", n, u.c)
			d -= n * u.d
		}
	}
	if b.Len() == 1 {
		b.WriteString("0m")
	}
	return b.String()
}

var offsetUnits = []struct {
	c byte
	d time.Duration
}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}}

// ParseOffset reads a re-share offset: an optional +, then one or more
// whole numbers each followed by w (weeks), d (days), h (hours) or m
// (minutes). It must be positive and at most MaxReshareOffset.
func ParseOffset(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("must be a delay after publishing like +2d, +36h or +1w, not %q", s)
	}
	rest := strings.TrimPrefix(strings.TrimSpace(s), "+")
	if rest == "" || len(rest) > 32 {
		return bad()
	}
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return bad()
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return bad()
		}
		unit := slices.IndexFunc(offsetUnits, func(u struct {
			c byte
			d time.Duration
		}) bool {
			return u.c == rest[i]
		})
		if unit < 0 {
			return bad()
		}
		total += time.Duration(n) * offsetUnits[unit].d
		if total > MaxReshareOffset {
			return 0, fmt.Errorf("%q is more than a year after publishing", s)
		}
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("%q must be after publishing, not at it", s)
	}
	return total, nil
}

// checkSocialVariants validates social.variants and social.reshare.
func checkSocialVariants(it *Item, fmErr func(field, code, format string, args ...any)) {
	vs := it.Social.Variants
	if len(vs) > MaxSocialVariants {
		fmErr("social.variants", ETooLarge, "has %d variants; the limit is %d", len(vs), MaxSocialVariants)
	}
	ids := map[string]bool{}
	for i, v := range vs {
		field := fmt.Sprintf("social.variants.%d", i)
		switch {
		case v.ID == OriginalCopy:
			fmErr(field+".id", EInvalid, "%q names the item's own social copy; give the variant another id", v.ID)
		case !variantRE.MatchString(v.ID):
			fmErr(field+".id", EInvalid, "variant id %q must be lower-case letters, digits, - or _ (it becomes utm_content)", v.ID)
		case ids[v.ID]:
			fmErr(field+".id", EInvalid, "variant %q appears twice", v.ID)
		}
		ids[v.ID] = true
		some := strings.TrimSpace(v.Text) != ""
		for j, n := range v.Networks {
			switch {
			case !slices.Contains(allNetworks, n):
				msg := fmt.Sprintf("%q is not a network (%s)", n, strings.Join(allNetworks, ", "))
				if s := suggest(n, allNetworks); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				fmErr(fmt.Sprintf("%s.networks.%d", field, j), EInvalid, "%s", msg)
			case !some && strings.TrimSpace(v.networkText(n)) == "":
				fmErr(fmt.Sprintf("%s.networks.%d", field, j), EInvalid, "variant %q has no copy for %s: give it text: (for all its networks) or %s:", v.ID, n, n)
			}
		}
		for _, n := range allNetworks {
			if strings.TrimSpace(v.networkText(n)) == "" {
				continue
			}
			some = true
			if !v.listed(n) {
				fmErr(field+"."+n, EInvalid, "variant %q has %s text but its networks leave %s out", v.ID, n, n)
			}
		}
		if !some {
			fmErr(field, EInvalid, "variant %q has no copy: give it text (for every network) or per-network text such as mastodon:", v.ID)
		}
	}
	rs := it.Social.Reshare
	if len(rs) > MaxReshares {
		fmErr("social.reshare", ETooLarge, "has %d re-shares; the limit is %d", len(rs), MaxReshares)
	}
	for i := 1; i < len(rs); i++ {
		if rs[i].Duration > 0 && rs[i-1].Duration > 0 && rs[i].Duration <= rs[i-1].Duration { // 0: already reported
			fmErr(fmt.Sprintf("social.reshare.%d", i), EInvalid, "re-shares go in order, each later than the one before: %s is not after %s", rs[i], rs[i-1])
		}
	}
}

// SocialShare is one post of an item's copy to one network: at
// publishing (Reshare 0) or as its Reshare-th re-share, Offset after.
type SocialShare struct {
	Network string
	Copy    string // the variant id; "" is the item's own copy
	Reshare int
	Offset  time.Duration
}

// LedgerVariant is the share's variant in the delivery ledger: the copy
// at publishing ("" for the item's own), "<copy>@<n>" for the n-th
// re-share ("original@1" for the item's own copy), so every re-share has
// its own idempotency key even when it repeats a copy.
func (s SocialShare) LedgerVariant() string {
	if s.Reshare == 0 {
		return s.Copy
	}
	c := s.Copy
	if c == "" {
		c = OriginalCopy
	}
	return fmt.Sprintf("%s@%d", c, s.Reshare)
}

// ParseLedgerVariant splits a social delivery's ledger variant into its
// copy ("" for the item's own) and re-share number (0 at publishing).
func ParseLedgerVariant(v string) (copyID string, reshare int) {
	c, n, ok := strings.Cut(v, "@")
	if ok {
		reshare, _ = strconv.Atoi(n)
	}
	if c == OriginalCopy {
		c = ""
	}
	return c, reshare
}

// SocialShares is the item's social schedule on the enabled networks of
// b, in network order then time. The rule:
//
//   - A network's copies are the item's own (variant 0) followed by the
//     social.variants that go to it, in the order written.
//   - Without social.reshare, the copies rotate across the networks: the
//     i-th enabled network (in the brand's order: x, mastodon, bluesky,
//     linkedin, threads, facebook) posts its copy number i mod (its
//     number of copies), once, at publishing.
//   - With social.reshare, every network posts the item's own copy at
//     publishing, and at the k-th re-share its copy number k mod (its
//     number of copies): the next variant, wrapping round.
//
// It depends only on the item and the brand, so rendering, scheduling
// and the item page agree.
func (it *Item) SocialShares(b *Brand) []SocialShare {
	var out []SocialShare
	for i, n := range b.Social.Networks() {
		copies := []string{""}
		for _, v := range it.Social.Variants {
			if v.Covers(n.ID) {
				copies = append(copies, v.ID)
			}
		}
		if len(it.Social.Reshare) == 0 {
			out = append(out, SocialShare{Network: n.ID, Copy: copies[i%len(copies)]})
			continue
		}
		out = append(out, SocialShare{Network: n.ID})
		for k, o := range it.Social.Reshare {
			out = append(out, SocialShare{Network: n.ID, Copy: copies[(k+1)%len(copies)], Reshare: k + 1, Offset: o.Duration})
		}
	}
	return out
}

// SocialVariant returns the variant with id, or nil.
func (it *Item) SocialVariant(id string) *SocialVariant {
	for i := range it.Social.Variants {
		if it.Social.Variants[i].ID == id {
			return &it.Social.Variants[i]
		}
	}
	return nil
}
