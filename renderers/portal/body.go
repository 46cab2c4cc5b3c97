package portal

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/markup"
)

// reservedIDs are ids the page template uses around the body.
var reservedIDs = []string{"main", "toc-title", "subscribe-title", "share-title", "catalog-title"}

// body renders the sanitized body and adds the page's own markup:
// responsive images and figures, heading anchors, scrollable tables and
// code blocks, and unique ids. It returns the headings for the TOC.
func (r *Renderer) body(ctx context.Context, files *fileSet, in renderers.Input, p *page) (string, []*tocEntry, []content.Diagnostic, error) {
	it := in.Item
	raw, err := r.conv.HTML(it)
	if err != nil {
		return "", nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return "", nil, nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(append(append([]byte("<div id=\"cc-root\">"), raw...), "</div>"...)))
	if err != nil {
		return "", nil, nil, fmt.Errorf("portal: reading body html: %w", err)
	}
	root := doc.Find("#cc-root")

	ids := content.NewIDSet(reservedIDs...)
	root.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		base, _ := s.Attr("id")
		s.SetAttr("id", ids.Unique(base))
	})

	markup.DemoteHeadings(root)
	if err := ctx.Err(); err != nil {
		return "", nil, nil, err
	}

	var toc []*tocEntry
	anchor := p.T("section_link")
	root.Find("h2, h3, h4").Each(func(_ int, s *goquery.Selection) {
		id, ok := s.Attr("id")
		if !ok {
			return
		}
		text := strings.Join(strings.Fields(s.Text()), " ")
		s.AppendHtml(`<a class="anchor" href="#` + html.EscapeString(id) + `" aria-label="` + html.EscapeString(anchor+": "+text) + `">#</a>`)
		e := &tocEntry{ID: id, Text: text}
		switch s.Nodes[0].Data {
		case "h2":
			toc = append(toc, e)
		case "h3":
			if len(toc) == 0 {
				toc = append(toc, e)
			} else {
				last := toc[len(toc)-1]
				last.Children = append(last.Children, e)
			}
		}
	})

	// A table is labelled by the nearest heading before it among its
	// siblings. The walk back stops at an earlier table's wrapper, whose
	// label is the same, so many tables cost O(n), not O(n²).
	labels := map[*html.Node]string{}
	root.Find("table").Each(func(_ int, s *goquery.Selection) {
		label := p.Item.Title
		for prev := s.Nodes[0].PrevSibling; prev != nil; prev = prev.PrevSibling {
			if l, ok := labels[prev]; ok {
				label = l
				break
			}
			if prev.Type == html.ElementNode && (prev.Data == "h2" || prev.Data == "h3" || prev.Data == "h4") {
				label = strings.TrimSuffix(strings.Join(strings.Fields(root.FindNodes(prev).Text()), " "), "#")
				break
			}
		}
		s.WrapHtml(`<div class="table-wrap" tabindex="0" role="region" aria-label="` + html.EscapeString(label) + `"></div>`)
		labels[s.Nodes[0].Parent] = label
	})
	if err := ctx.Err(); err != nil {
		return "", nil, nil, err
	}
	// Scrollable regions must be reachable by keyboard.
	root.Find("pre").SetAttr("tabindex", "0")

	var warns []content.Diagnostic
	var imgErr error
	root.Find("img").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if err := ctx.Err(); err != nil {
			imgErr = err
			return false
		}
		src, _ := s.Attr("src")
		ref := it.BodyImage(src)
		s.SetAttr("loading", "lazy")
		s.SetAttr("decoding", "async")
		if ref == nil || ref.Asset == nil {
			if ref != nil {
				warns = append(warns, remoteWarning(it, ref))
			}
			return true
		}
		im, err := r.publishImage(ctx, files, ref, in.Links.Canonical)
		if err != nil {
			imgErr = err
			return false
		}
		s.SetAttr("src", im.Src)
		s.SetAttr("srcset", im.Srcset)
		s.SetAttr("sizes", im.Sizes)
		s.SetAttr("width", strconv.Itoa(im.Width))
		s.SetAttr("height", strconv.Itoa(im.Height))
		if _, ok := s.Attr("alt"); !ok {
			s.SetAttr("alt", "")
		}
		figure(s)
		return true
	})
	if imgErr != nil {
		return "", nil, nil, imgErr
	}
	out, err := root.Html()
	if err != nil {
		return "", nil, nil, fmt.Errorf("portal: writing body html: %w", err)
	}
	return out, toc, warns, nil
}

// figure turns a paragraph holding only an image into a figure, with the
// image's Markdown title as its caption.
func figure(img *goquery.Selection) {
	par := img.Parent()
	if !par.Is("p") || strings.TrimSpace(par.Text()) != "" || par.Children().Length() != 1 {
		return
	}
	caption := ""
	if t, ok := img.Attr("title"); ok && strings.TrimSpace(t) != "" {
		caption = "<figcaption>" + html.EscapeString(t) + "</figcaption>"
		img.RemoveAttr("title")
	}
	h, err := goquery.OuterHtml(img)
	if err != nil {
		return
	}
	par.ReplaceWithHtml("<figure>" + h + caption + "</figure>")
}
