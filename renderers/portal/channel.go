package portal

import (
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

// Descriptor describes the portal channel for registration.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(c *images.Cache) (renderers.Renderer, error) { return New(c) }}
}
