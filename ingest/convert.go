package ingest

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// MaxEntryHTML bounds the HTML of one entry's content; a longer one is
// refused with a warning rather than converted.
const MaxEntryHTML = 1 << 20

// Converter sanitises entry HTML and converts it to Markdown, so an
// imported item is rendered from the same tree as a written one. It is
// safe for concurrent use; make one and keep it.
type Converter struct {
	policy *bluemonday.Policy
	conv   *htmltomarkdown.Converter
}

// NewConverter returns a converter.
func NewConverter() *Converter {
	p := bluemonday.UGCPolicy()
	// Feeds carry markup meant for someone else's page: ids and classes
	// mean nothing here, and rel="nofollow" is the portal's to decide.
	p.RequireNoFollowOnLinks(false)
	return &Converter{
		policy: p,
		conv:   htmltomarkdown.NewConverter(htmltomarkdown.WithPlugins(base.NewBasePlugin(), commonmark.NewCommonmarkPlugin())),
	}
}

// ErrTooLarge is returned for HTML over MaxEntryHTML.
var ErrTooLarge = errors.New("entry content too large")

// Markdown sanitises src and converts it to Markdown, resolving
// relative links and image sources against base (an absolute URL, or
// empty to leave them).
func (c *Converter) Markdown(src, base string) (string, error) {
	if len(src) > MaxEntryHTML {
		return "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(src), MaxEntryHTML)
	}
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	clean := c.policy.Sanitize(src)
	var opts []htmltomarkdown.ConvertOptionFunc
	if u, err := url.Parse(base); err == nil && u.IsAbs() {
		opts = append(opts, htmltomarkdown.WithDomain(base))
	}
	md, err := c.conv.ConvertString(clean, opts...)
	if err != nil {
		return "", fmt.Errorf("convert entry HTML: %w", err)
	}
	return strings.TrimSpace(guardMarkdown(md)), nil
}

// frontMatterFence matches a line that would open or close front matter.
var frontMatterFence = regexp.MustCompile(`(?m)^(---|\+\+\+)\s*$`)

// guardMarkdown keeps converted text from being read as anything but a
// body: a --- or +++ line becomes a thematic break that cannot end
// front matter.
func guardMarkdown(md string) string {
	return frontMatterFence.ReplaceAllString(md, "* * *")
}

// PlainText returns the text of an HTML fragment (a title with markup
// in it, an entity-encoded summary) with white space collapsed.
func PlainText(s string) string {
	if len(s) > MaxEntryHTML {
		s = s[:MaxEntryHTML]
	}
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside <script> or <style>
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			} else {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			} else {
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

// firstImage returns the first <img> in src with its alt text.
func firstImage(src string) (string, string) {
	if len(src) > MaxEntryHTML || !strings.Contains(src, "<img") {
		return "", ""
	}
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return "", ""
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		if n, has := z.TagName(); string(n) != "img" || !has {
			continue
		}
		var srcURL, alt string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "src":
				srcURL = string(v)
			case "alt":
				alt = string(v)
			}
			if !more {
				break
			}
		}
		if srcURL != "" {
			return srcURL, alt
		}
	}
}
