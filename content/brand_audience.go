package content

import (
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
