package social

import (
	"encoding/json"
	"fmt"
	"strings"

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

// VariantsDir holds one folder per social variant, named for its id,
// with the variant's JSONFile and TextFile.
const VariantsDir = "variants/"

// Variant names the files of one copy of the posts: the item's own
// (Name "") or a social.variants entry.
type Variant struct {
	Name string
	Dir  string // "" for the item's own copy, else VariantsDir + Name + "/"
}

// VariantOf returns the copy called name; "" is the item's own.
func VariantOf(name string) Variant {
	if name == "" {
		return Variant{}
	}
	return Variant{Name: name, Dir: VariantsDir + name + "/"}
}

// JSON and Text are the copy's file names.
func (v Variant) JSON() string { return v.Dir + JSONFile }
func (v Variant) Text() string { return v.Dir + TextFile }

// VariantOfFile returns the copy whose JSON or text file name is, and
// whether name is one.
func VariantOfFile(name string) (Variant, bool) {
	if name == JSONFile || name == TextFile {
		return Variant{}, true
	}
	rest, ok := strings.CutPrefix(name, VariantsDir)
	if !ok {
		return Variant{}, false
	}
	id, file, ok := strings.Cut(rest, "/")
	if !ok || id == "" || (file != JSONFile && file != TextFile) {
		return Variant{}, false
	}
	return VariantOf(id), true
}
