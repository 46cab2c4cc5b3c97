package portal

import (
	"github.com/crosscast/crosscast/renderers"
)

// Descriptor describes the portal channel for registration.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(sh renderers.Shared) (renderers.Renderer, error) {
		return New(sh.Images)
	}}
}
