// Package renderers holds what every channel shares: the Renderer
// interface, its input and output, and the Channel descriptor a channel
// package exports so that the commands can register it in one place.
// Rendering is a pure function: an item version, its brand and its link
// plan in; files, warnings and metrics out. Each channel lives in its own
// subpackage (email, social, portal, catalog), which also exports the
// names of the files it writes and the typed decoders of the files that
// other parts read, so no consumer guesses at file names or markup.
package renderers

import (
	"context"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/fonts"
	"github.com/crosscast/crosscast/renderers/images"
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
	Files []File
	// Preview names the file of Files a preview frame shows; "" when
	// the channel has none.
	Preview  string
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

// Channel describes one channel to the code that wires renderers up.
type Channel struct {
	// Name is the channel's name: its folder in a rendering and the
	// Channel() of its renderer.
	Name string
	// New makes the channel's renderer over the parts every channel
	// of a process shares.
	New func(Shared) (Renderer, error)
}

// Shared is what the renderers of one process share: renderers made over
// one image cache resize a picture once, and one font library scans the
// machine's font folders once. Either may be nil: no cache, and the
// machine's fonts scanned for that renderer alone.
type Shared struct {
	Images *images.Cache
	Fonts  *fonts.Library
}
