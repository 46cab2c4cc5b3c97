package publish

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/social"
)

// socialDoc reads the rendering's social.json, or the variant's the
// delivery posts (a rotated copy or a re-share's).
func socialDoc(ctx context.Context, j Job) (*social.Doc, error) {
	name := socialFile(j)
	raw, err := j.File(ctx, social.Channel, name)
	if err != nil {
		return nil, err
	}
	var doc social.Doc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, ErrPermanentf("%s: %v", name, err)
	}
	return &doc, nil
}

// socialFile names the JSON file of the copy a social delivery posts.
func socialFile(j Job) string {
	copyID, _ := content.ParseLedgerVariant(j.Delivery.Variant)
	return social.VariantOf(copyID).JSON()
}

// network returns one network's posts of a social rendering.
func network(doc *social.Doc, id string) (*social.NetworkPosts, error) {
	for i := range doc.Networks {
		if doc.Networks[i].Network == id {
			return &doc.Networks[i], nil
		}
	}
	return nil, ErrPermanentf("the social rendering has no %s posts (is the network in the brand's social profiles?)", id)
}

// joinPosted records a thread as its first post's URL and every id.
func joinPosted(ps []Posted) *Posted {
	if len(ps) == 0 {
		return &Posted{}
	}
	ids := make([]string, len(ps))
	for i, x := range ps {
		ids[i] = x.ID
	}
	return &Posted{ID: strings.Join(ids, " "), URL: ps[0].URL}
}
