package content

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var topicKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// MaxTopics bounds a brand's topics: each is a checkbox on the sign-up
// form and the preference centre.
const MaxTopics = 50

func (e *BrandEmail) validateTopics(fail func(field, format string, args ...any)) {
	if len(e.Topics) > MaxTopics {
		fail("email.topics", "has %d topics; at most %d fit a sign-up form", len(e.Topics), MaxTopics)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Topics)) {
		field := "email.topics." + k
		if !topicKeyRE.MatchString(k) {
			field = "email.topics"
			fail(field, "key %q must be lower-case letters, digits, - and _ (it goes into forms and the API), like guides", k)
			continue
		}
		if l := strings.TrimSpace(e.Topics[k]); l == "" || len(l) > 100 {
			fail(field, "must be a label of 1 to 100 characters that readers see, like \"New products\"")
		}
	}
}

// OptInConfirmed reports whether a sign-up waits for its confirmation
// email (double opt-in, the default).
func (e BrandEmail) OptInConfirmed() bool { return e.DoubleOptIn == nil || *e.DoubleOptIn }

// TopicKeys returns the brand's topic keys, sorted.
func (e BrandEmail) TopicKeys() []string { return slices.Sorted(maps.Keys(e.Topics)) }

// checkEmailTopics normalises an item's email.topics (distinct, sorted)
// and, given its brand, holds them to the brand's topics: a topic no
// reader can choose would send the email to nobody.
func checkEmailTopics(it *Item, b *Brand, fail func(field, code, format string, args ...any)) {
	ts := it.Email.Topics
	if len(ts) == 0 {
		return
	}
	ts = slices.Clone(ts)
	for i := range ts {
		ts[i] = strings.TrimSpace(ts[i])
	}
	slices.Sort(ts)
	it.Email.Topics = slices.Compact(ts)
	for _, t := range it.Email.Topics {
		switch {
		case !topicKeyRE.MatchString(t):
			fail("email.topics", EInvalid, "topic %q must be one of the brand's email.topics keys: lower-case letters, digits, - and _", t)
			return
		case b == nil:
		case len(b.Email.Topics) == 0:
			fail("email.topics", EInvalid, "brand %s declares no email.topics in brand.yaml, so no reader chose %q", b.ID, t)
			return
		case b.Email.Topics[t] == "":
			msg := fmt.Sprintf("brand %s has no email topic %q (its topics: %s)", b.ID, t, strings.Join(b.Email.TopicKeys(), ", "))
			if s := suggest(t, b.Email.TopicKeys()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			fail("email.topics", EInvalid, "%s", msg)
			return
		}
	}
}
