package catalog

import "github.com/crosscast/crosscast/content/textcut"

// Clip shortens s to at most limit user-perceived characters: after the
// last whole sentence that fits, else after the last whole word with an
// ellipsis (see textcut.Clip).
func Clip(s string, limit int, lang string) string { return textcut.Clip(s, limit, lang) }
