package content

import "strings"

// BrandSocial lists the brand's profiles; a network with a profile is
// enabled for posting and sharing.
type BrandSocial struct {
	X        *SocialProfile `yaml:"x"`
	Mastodon *SocialProfile `yaml:"mastodon"`
	Bluesky  *SocialProfile `yaml:"bluesky"`
	LinkedIn *SocialProfile `yaml:"linkedin"`
	Threads  *SocialProfile `yaml:"threads"`
	Facebook *SocialProfile `yaml:"facebook"`
	// Hashtags go into every post, before the item's own tags, and are
	// the last thing dropped when a post is short of room.
	Hashtags []string `yaml:"hashtags"`
	// ThreadMax caps how many posts a thread has, unless the item sets
	// its own (default DefaultThreadMax).
	ThreadMax int `yaml:"thread_max"`
}

// SocialProfile is one network account.
type SocialProfile struct {
	Handle string `yaml:"handle"`
	URL    string `yaml:"url"`
	// Limit overrides the network's post length (Mastodon instances differ).
	Limit int `yaml:"limit"`
}

// Network names, also used as utm_source values.
const (
	NetX        = "x"
	NetMastodon = "mastodon"
	NetBluesky  = "bluesky"
	NetLinkedIn = "linkedin"
	NetThreads  = "threads"
	NetFacebook = "facebook"
)

// Networks returns the enabled networks in a fixed order with their profiles.
func (s BrandSocial) Networks() []NetworkProfile {
	all := []NetworkProfile{
		{NetX, "X", s.X}, {NetMastodon, "Mastodon", s.Mastodon}, {NetBluesky, "Bluesky", s.Bluesky},
		{NetLinkedIn, "LinkedIn", s.LinkedIn}, {NetThreads, "Threads", s.Threads}, {NetFacebook, "Facebook", s.Facebook},
	}
	out := all[:0]
	for _, n := range all {
		if n.Profile != nil {
			out = append(out, n)
		}
	}
	return out
}

// NetworkProfile pairs a network's id and display name with the profile.
type NetworkProfile struct {
	ID      string
	Label   string
	Profile *SocialProfile
}

// Thread lengths: the default cap, and the range a brand or item may set.
const (
	DefaultThreadMax = 4
	MaxThreadMax     = 25
)

// validate checks the profiles and hashtags, and collects the profiles'
// URLs into urls for the common check.
func (s *BrandSocial) validate(fail func(field, format string, args ...any), urls map[string]string) {
	for _, n := range s.Networks() {
		urls["social."+n.ID+".url"] = n.Profile.URL
		if n.Profile.URL == "" {
			fail("social."+n.ID+".url", "is required: the profile's web address")
		}
		if l := n.Profile.Limit; l < 0 || l > 100_000 {
			fail("social."+n.ID+".limit", "must be between 1 and 100000 characters (or left out for the network's own), not %d", l)
		}
	}
	for i, h := range s.Hashtags {
		if strings.TrimSpace(strings.TrimPrefix(h, "#")) == "" || strings.ContainsAny(h, "\r\n") {
			fail("social.hashtags", "entry %d must be a word or words, like `kestrel outdoors`", i+1)
		}
	}
	if n := s.ThreadMax; n != 0 && (n < 1 || n > MaxThreadMax) {
		fail("social.thread_max", "must be between 1 and %d posts, not %d", MaxThreadMax, n)
	}
}

// ThreadMax is how many posts a thread of it may have: the item's
// social.thread_max, else the brand's, else DefaultThreadMax.
func (b *Brand) ThreadMax(it *Item) int {
	switch {
	case it != nil && it.Social.ThreadMax != nil:
		return *it.Social.ThreadMax
	case b.Social.ThreadMax > 0:
		return b.Social.ThreadMax
	}
	return DefaultThreadMax
}
