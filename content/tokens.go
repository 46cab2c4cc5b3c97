package content

// CSSTokens returns the brand's design tokens as CSS values: colours as
// hex (with the colours text on them needs, and rules mixed from text and
// background) and font stacks. Every value is a validated colour or font
// list, so none can break out of a style element.
func (b *Brand) CSSTokens() map[string]string {
	c := b.Colors
	return map[string]string{
		"Primary":        c.Primary.Hex(),
		"OnPrimary":      OnColor(c.Primary).Hex(),
		"Accent":         c.Accent.Hex(),
		"Text":           c.Text.Hex(),
		"Muted":          c.Muted.Hex(),
		"Background":     c.Background.Hex(),
		"Surface":        c.Surface.Hex(),
		"Rule":           Mix(c.Text, c.Background, 0.18).Hex(),
		"DarkPrimary":    c.Dark.Primary.Hex(),
		"DarkOnPrimary":  OnColor(c.Dark.Primary).Hex(),
		"DarkText":       c.Dark.Text.Hex(),
		"DarkMuted":      c.Dark.Muted.Hex(),
		"DarkBackground": c.Dark.Background.Hex(),
		"DarkSurface":    c.Dark.Surface.Hex(),
		"DarkRule":       Mix(c.Dark.Text, c.Dark.Background, 0.22).Hex(),
		"FontBody":       b.Fonts.Body,
		"FontHeading":    b.Fonts.Heading,
		"FontMono":       b.Fonts.Mono,
	}
}
