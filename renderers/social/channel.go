package social

import (
	"encoding/json"
	"fmt"

	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/images"
)

// Descriptor describes the social channel for registration.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(c *images.Cache) (renderers.Renderer, error) { return New(c) }}
}

// Decode reads a rendering's JSONFile.
func Decode(data []byte) (*Doc, error) {
	var doc Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", JSONFile, err)
	}
	return &doc, nil
}
