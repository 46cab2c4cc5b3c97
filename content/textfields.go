package content

import (
	"fmt"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Limits on the item's free-text fields other than the title: each is
// counted, fitted, clipped or drawn by some channel, and a field of tens
// of thousands of characters is no summary or label but a way to make
// that work expensive. Short texts (labels, subjects, names) share the
// title's limits; descriptions get more.
const (
	MaxTextGraphemes = 1_000
	MaxTextBytes     = 4096
	// Social posts may be long (LinkedIn takes 3,000 characters).
	MaxSocialGraphemes = 3_000
	MaxSocialBytes     = 12 << 10
)

type textField struct {
	name, value         string
	graphemes, maxBytes int
}

// textFields lists every free-text front-matter field with its limits,
// so all are bounded in one place.
func textFields(it *Item) []textField {
	short := func(name, v string) textField { return textField{name, v, MaxTitleGraphemes, MaxTitleBytes} }
	long := func(name, v string) textField { return textField{name, v, MaxTextGraphemes, MaxTextBytes} }
	social := func(name, v string) textField { return textField{name, v, MaxSocialGraphemes, MaxSocialBytes} }
	fs := []textField{
		long("summary", it.Summary),
		short("author", it.Author),
		short("email.subject", it.Email.Subject),
		long("email.preheader", it.Email.Preheader),
		long("catalog.summary", it.Catalog.Summary),
		social("social.x", it.Social.X),
		social("social.mastodon", it.Social.Mastodon),
		social("social.bluesky", it.Social.Bluesky),
		social("social.linkedin", it.Social.LinkedIn),
		social("social.threads", it.Social.Threads),
		social("social.facebook", it.Social.Facebook),
	}
	if it.Hero != nil {
		fs = append(fs, long("hero.alt", it.Hero.Alt))
	}
	if it.CTA != nil {
		fs = append(fs, short("cta.label", it.CTA.Label))
	}
	for _, v := range it.Email.Variants {
		fs = append(fs, short("email.variants", v.Subject), long("email.variants", v.Preheader))
	}
	for i, v := range it.Social.Variants {
		f := fmt.Sprintf("social.variants.%d.", i)
		fs = append(fs, social(f+"text", v.Text))
		for _, n := range allNetworks {
			fs = append(fs, social(f+n, v.networkText(n)))
		}
	}
	return fs
}

// checkTextLen reports a field over its byte or character limit. Bytes are
// checked first: counting graphemes of a huge value is itself the cost
// to avoid.
func checkTextLen(fmErr func(field, code, format string, args ...any), f textField) {
	switch {
	case len(f.value) > f.maxBytes:
		fmErr(f.name, ETooLarge, "is %d bytes; the limit is %d", len(f.value), f.maxBytes)
	case utf8.RuneCountInString(f.value) > f.graphemes && uniseg.GraphemeClusterCount(f.value) > f.graphemes:
		fmErr(f.name, ETooLarge, "is %d characters; the limit is %d", uniseg.GraphemeClusterCount(f.value), f.graphemes)
	}
}
