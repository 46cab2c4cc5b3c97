package catalog

import (
	"encoding/json"
	"fmt"

	"github.com/crosscast/crosscast/renderers"
)

// Descriptor describes the catalog channel for registration. Its
// renderer also builds brand indexes (RenderIndex) from the EntryFile of
// each published item.
func Descriptor() renderers.Channel {
	return renderers.Channel{Name: Channel, New: func(sh renderers.Shared) (renderers.Renderer, error) {
		return New(sh.Images)
	}}
}

// DecodeEntry reads a rendering's EntryFile.
func DecodeEntry(data []byte) (*Entry, error) {
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", EntryFile, err)
	}
	return &e, nil
}

// DecodeAPI reads a rendering's APIFile.
func DecodeAPI(data []byte) (*APIEntry, error) {
	var a APIEntry
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", APIFile, err)
	}
	return &a, nil
}
