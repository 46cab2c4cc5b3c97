package portal

import (
	"strings"

	"github.com/crosscast/crosscast/content"
)

// stylesheet builds the page CSS from the brand's tokens. Every value is
// a validated hex colour or font list, so nothing in it can break out of
// the style element.
func (r *Renderer) stylesheet(b *content.Brand) (string, error) {
	c := b.Colors
	tokens := map[string]string{
		"Primary":        c.Primary.Hex(),
		"OnPrimary":      content.OnColor(c.Primary).Hex(),
		"Accent":         c.Accent.Hex(),
		"Text":           c.Text.Hex(),
		"Muted":          c.Muted.Hex(),
		"Background":     c.Background.Hex(),
		"Surface":        c.Surface.Hex(),
		"Rule":           content.Mix(c.Text, c.Background, 0.18).Hex(),
		"DarkPrimary":    c.Dark.Primary.Hex(),
		"DarkOnPrimary":  content.OnColor(c.Dark.Primary).Hex(),
		"DarkText":       c.Dark.Text.Hex(),
		"DarkMuted":      c.Dark.Muted.Hex(),
		"DarkBackground": c.Dark.Background.Hex(),
		"DarkSurface":    c.Dark.Surface.Hex(),
		"DarkRule":       content.Mix(c.Dark.Text, c.Dark.Background, 0.22).Hex(),
		"FontBody":       b.Fonts.Body,
		"FontHeading":    b.Fonts.Heading,
		"FontMono":       b.Fonts.Mono,
	}
	var sb strings.Builder
	if err := r.css.Execute(&sb, tokens); err != nil {
		return "", err
	}
	sb.WriteString(r.codeCSS)
	return sb.String(), nil
}
