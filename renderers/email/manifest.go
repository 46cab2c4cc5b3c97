package email

import (
	"bytes"
	"slices"
	"strings"

	xhtml "golang.org/x/net/html"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
)

// Channel is the email channel's name.
const Channel = content.ChanEmail

// The files of one email, below its variant's folder (Variant.Dir).
const (
	HTMLFile = "email.html"
	TextFile = "email.txt"
	EMLFile  = "email.eml"
)

// VariantsDir holds one folder per A/B variant, named for it.
const VariantsDir = "variants/"

// Descriptor describes the email channel for registration.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(sh renderers.Shared) (renderers.Renderer, error) {
		if sh.Fonts != nil {
			return NewWithFonts(sh.Images, sh.Fonts)
		}
		return New(sh.Images)
	}}
}

// Variant is one version of a rendered email: the control (Name "") or
// an A/B arm, and the folder its files are in.
type Variant struct {
	Name string
	Dir  string // "" for the control, else VariantsDir + Name + "/"
}

// VariantOf returns the variant called name; "" is the control.
func VariantOf(name string) Variant {
	if name == "" {
		return Variant{}
	}
	return Variant{Name: name, Dir: VariantsDir + name + "/"}
}

// HTML, Text and EML name the variant's files in the rendering.
func (v Variant) HTML() string { return v.Dir + HTMLFile }
func (v Variant) Text() string { return v.Dir + TextFile }
func (v Variant) EML() string  { return v.Dir + EMLFile }

// Variants lists the email variants among a rendering's file names: the
// control first, then the A/B arms in the order of names.
func Variants(names []string) []Variant {
	out := []Variant{{}}
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, VariantsDir)
		if !ok {
			continue
		}
		if name, ok := strings.CutSuffix(rest, "/"+HTMLFile); ok && !strings.Contains(name, "/") &&
			!slices.ContainsFunc(out, func(v Variant) bool { return v.Name == name }) {
			out = append(out, VariantOf(name))
		}
	}
	return out
}

// Preheader reads the preheader (the inbox's preview line) out of an
// email.html this package wrote; "" when it has none.
func Preheader(page []byte) string {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return ""
		case xhtml.StartTagToken:
			if t := z.Token(); t.Data == "div" && hasClass(t, "preheader") {
				if z.Next() != xhtml.TextToken {
					return ""
				}
				// The spacer that follows the text is invisible joiners
				// and spaces (see spacer).
				return strings.TrimFunc(string(z.Text()), func(r rune) bool {
					return r == '\u034f' || r == '\u200c' || r == ' ' || r == '\u00a0'
				})
			}
		}
	}
}

func hasClass(t xhtml.Token, class string) bool {
	for _, a := range t.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), class) {
			return true
		}
	}
	return false
}
