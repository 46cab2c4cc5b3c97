// Package renderers defines the channel interface every renderer
// implements. Rendering is a pure function: an item version, its brand and
// its link plan in; files, warnings and metrics out. Each channel lives in
// its own subpackage.
package renderers

import (
	"context"

	"github.com/crosscast/crosscast/content"
)

// Input is what every renderer is given.
type Input struct {
	Item  *content.Item
	Brand *content.Brand
	Links *content.LinkPlan
}

// File is one rendered file. Name is a slash-separated path relative to
// the channel's output folder.
type File struct {
	Name      string
	MediaType string
	Data      []byte
}

// Output is a channel rendering.
type Output struct {
	Files    []File
	Warnings []content.Diagnostic
	// Metrics are figures about the rendering, such as "html_bytes".
	Metrics map[string]float64
}

// Renderer renders one channel. Implementations are safe for concurrent
// use: they parse their templates once, when constructed.
type Renderer interface {
	Channel() string
	Render(ctx context.Context, in Input) (*Output, error)
}
