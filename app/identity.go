package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
)

// keepIdentity makes a bundle parsed for Submit a version of the stored
// item b.ItemID names, so an edit of the title or slug in the editor
// adds a version instead of starting a second item. A slug change of an
// item that is on its site adds the old address to the item's aliases,
// which the site publishes as a redirect to the new one.
func (s *Service) keepIdentity(ctx context.Context, b Bundle, pb *parsed) (*parsed, error) {
	stored, err := s.db.Item(ctx, b.ItemID)
	if err != nil {
		return nil, err
	}
	it := pb.item
	switch {
	case pb.brandID != stored.Brand:
		return nil, content.Errors{{File: pb.name, Field: "brand", Code: content.EInvalid,
			Message: fmt.Sprintf("this item belongs to brand %q; an item cannot move to another brand, so start a new one", stored.Brand)}}
	case it.Lang != stored.Lang:
		return nil, content.Errors{{File: pb.name, Field: "lang", Code: content.EInvalid,
			Message: fmt.Sprintf("this item is written in %q; a translation is a new item, so start one for %q", stored.Lang, it.Lang)}}
	}
	pb.stored = stored
	if it.Slug == stored.Slug {
		return pb, nil
	}
	live, err := s.onSite(ctx, stored.ID)
	if err != nil || !live {
		return pb, err
	}
	old := content.PortalPath(&content.Item{FrontMatter: content.FrontMatter{Slug: stored.Slug, Lang: stored.Lang}}, pb.brand)
	if slices.Contains(it.Aliases, old) {
		return pb, nil
	}
	src, ok := addAlias(b.Files[pb.name], old)
	if !ok {
		// Front matter this cannot edit (not YAML): the item keeps its
		// identity, and the old address stops working.
		s.log.Warn("slug changed but the old address could not be kept as an alias", "item", stored.ID, "old", old)
		return pb, nil
	}
	files := make(map[string][]byte, len(b.Files))
	for name, data := range b.Files {
		files[name] = data
	}
	files[pb.name] = src
	b.Files, b.ItemID = files, ""
	again, err := s.parse(ctx, b)
	if err != nil {
		return nil, err
	}
	again.stored = stored
	return again, nil
}

// onSite tells whether any version of the item has a page on its site.
func (s *Service) onSite(ctx context.Context, itemID string) (bool, error) {
	ds, err := s.db.Deliveries(ctx, itemID, 0)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ds, func(d store.Delivery) bool {
		return d.Target == content.TargetSite && d.Status == store.DelSent
	}), nil
}

// addAlias adds path to the aliases (or Jekyll's redirect_from) of a
// Markdown file's YAML front matter. It reports false for a file
// without YAML front matter.
func addAlias(src []byte, path string) ([]byte, bool) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return nil, false
	}
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		if !strings.HasSuffix(rest, "\n---") {
			return nil, false
		}
		end = len(rest) - len("\n---")
	}
	fm, body := rest[:end+1], strings.TrimPrefix(rest[end+1:], "---")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	m := doc.Content[0]
	item := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path}
	found := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i].Value; k != "aliases" && k != "redirect_from" {
			continue
		}
		v := m.Content[i+1]
		switch v.Kind {
		case yaml.SequenceNode:
			v.Content = append(v.Content, item)
		case yaml.ScalarNode:
			m.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{v, item}}
		default:
			return nil, false
		}
		found = true
		break
	}
	if !found {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "aliases"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: []*yaml.Node{item}})
	}
	var out bytes.Buffer
	out.WriteString("---\n")
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if enc.Encode(m) != nil || enc.Close() != nil {
		return nil, false
	}
	out.WriteString("---")
	out.WriteString(body)
	return out.Bytes(), true
}

// formerPages lists the site folders an item's page was delivered to
// other than page: where it was before its slug changed. The site
// ledger's external id of a portal delivery is its folder.
func (s *Service) formerPages(ctx context.Context, itemID, page string) ([]string, error) {
	ds, err := s.db.Deliveries(ctx, itemID, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range ds {
		if d.Target == content.TargetSite && d.Channel == content.ChanPortal && d.ExternalID != "" && d.ExternalID != page &&
			!slices.Contains(out, d.ExternalID) {
			out = append(out, d.ExternalID)
		}
	}
	return out, nil
}
