package social

import (
	"strings"

	"github.com/crosscast/crosscast/content"
)

// network is one network's rules for a post.
type network struct {
	id, label string
	profile   *content.SocialProfile
	limit     int
	unit      string // how the network counts, for people
	count     Counter
	threads   bool // replies can continue a post
	maxLinks  int  // per post; 0 for no limit
	maxTags   int  // hashtags per post; 0 for no limit
	linkApart bool // the link goes beside the text, not in it (Facebook link posts)
	shortLink bool // the text shows a short form of the link (Bluesky)
}

// networkFor returns the rules for one of the brand's networks; the
// profile's limit, when set, replaces the default (Mastodon instances set
// their own, X subscribers get longer posts).
func networkFor(np content.NetworkProfile) network {
	var n network
	switch np.ID {
	case content.NetX:
		n = network{limit: 280, unit: "weighted characters", count: CountX, threads: true}
	case content.NetMastodon:
		n = network{limit: 500, unit: "characters", count: CountMastodon, threads: true}
	case content.NetBluesky:
		n = network{limit: 300, unit: "graphemes", count: CountBluesky, threads: true, shortLink: true}
	case content.NetLinkedIn:
		// Counted on the escaped text the API receives, which is never
		// shorter than what readers see.
		n = network{limit: 3000, unit: "characters", count: func(s string) int { return CountUTF16(EscapeLittle(s)) }}
	case content.NetThreads:
		n = network{limit: 500, unit: "characters", count: CountThreads, threads: true, maxLinks: 5, maxTags: 1}
	case content.NetFacebook:
		n = network{limit: 63206, unit: "characters", count: CountUTF16, linkApart: true}
	}
	n.id, n.label, n.profile = np.ID, np.Label, np.Profile
	if np.Profile != nil && np.Profile.Limit > 0 {
		n.limit = np.Profile.Limit
	}
	return n
}

// littleReserved are the characters LinkedIn's "little" text format gives
// a meaning; unescaped, LinkedIn may cut the post at the first one.
const littleReserved = `\|{}@[]()<>#*_~`

// EscapeLittle escapes text for LinkedIn's little text format (the
// Posts API's commentary): every reserved character gets a backslash,
// except inside links, which must stay links, and hashtags, which little
// writes as they are.
func EscapeLittle(s string) string {
	if !strings.ContainsAny(s, littleReserved) {
		return s
	}
	spans := protected(s)
	var b strings.Builder
	b.Grow(len(s) + 16)
	inside := func(i int) bool {
		for _, sp := range spans {
			if i >= sp[0] && i < sp[1] {
				return true
			}
		}
		return false
	}
	for i, r := range s {
		if r < 0x80 && strings.ContainsRune(littleReserved, r) && !inside(i) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
