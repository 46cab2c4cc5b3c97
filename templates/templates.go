// Package templates embeds crosscast's HTML and text templates and the
// brand CSS they are styled with. Renderers parse them once at start-up.
package templates

import "embed"

// FS holds every template, by channel folder: portal/page.html.tmpl, …
//
//go:embed portal catalog email ui reader signup
var FS embed.FS
