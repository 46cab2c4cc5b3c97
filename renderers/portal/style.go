package portal

import (
	"strings"

	"github.com/crosscast/crosscast/content"
)

// stylesheet builds the page CSS from the brand's tokens.
func (r *Renderer) stylesheet(b *content.Brand) (string, error) {
	var sb strings.Builder
	if err := r.css.Execute(&sb, b.CSSTokens()); err != nil {
		return "", err
	}
	sb.WriteString(r.codeCSS)
	return sb.String(), nil
}
