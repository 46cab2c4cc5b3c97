package content

import (
	"fmt"
	"strings"
	"testing"
)

// Each tag becomes a catalog page rebuilt with the brand's index, so an
// item may not bring thousands of them, nor one whose name (and so its
// page's folder name) is a paragraph long.
func TestParseTagLimits(t *testing.T) {
	many := make([]string, MaxTags+1)
	for i := range many {
		many[i] = fmt.Sprintf("tag %d", i)
	}
	for _, c := range []struct {
		name, tags, want, code string
	}{
		{"too many", "[" + strings.Join(many, ", ") + "]", fmt.Sprintf("post.md:3:1: tags: %d tags; the limit is %d", MaxTags+1, MaxTags), ETooLarge},
		{"too long", "[ok, " + strings.Repeat("x", MaxTagLen+1) + "]", fmt.Sprintf("post.md:3:1: tags: a tag of %d characters; the limit is %d", MaxTagLen+1, MaxTagLen), ETooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseString(t, "---\ntitle: Hi\ntags: "+c.tags+"\n---\nbody\n", nil, ParseOptions{})
			errs, ok := err.(Errors)
			if !ok || !strings.Contains(err.Error(), c.want) || errs.Code() != c.code {
				t.Fatalf("got %v, want %q (%s)", err, c.want, c.code)
			}
		})
	}
	dup := "[" + strings.Repeat("Same, same, ", MaxTags) + "other]"
	it, err := parseString(t, "---\ntitle: Hi\ntags: "+dup+"\n---\nbody\n", nil, ParseOptions{})
	if err != nil || len(it.Tags) != 2 {
		t.Fatalf("repeated tags count once: %v %v", it, err)
	}
}
