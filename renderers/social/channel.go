package social

import (
	"encoding/json"
	"fmt"

	"github.com/crosscast/crosscast/renderers"
)

// Descriptor describes the social channel for registration.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(sh renderers.Shared) (renderers.Renderer, error) {
		if sh.Fonts != nil {
			return NewWithFonts(sh.Images, sh.Fonts), nil
		}
		return New(sh.Images)
	}}
}

// Decode reads a rendering's JSONFile.
func Decode(data []byte) (*Doc, error) {
	var doc Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", JSONFile, err)
	}
	return &doc, nil
}
