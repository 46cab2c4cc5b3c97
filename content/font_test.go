package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/crosscast/crosscast/internal/imagetest"
)

func TestCheckFont(t *testing.T) {
	start := time.Now()
	if err := CheckFont(goregular.TTF); err != nil {
		t.Errorf("Go Regular: %v", err)
	}
	t.Logf("checking Go Regular took %v", time.Since(start))
	if err := CheckFont(imagetest.HostileFont(t)); err == nil || !strings.Contains(err.Error(), "1 units per em") {
		t.Errorf("hostile font: %v", err)
	}
	if err := CheckFont([]byte("not a font")); err == nil || !strings.Contains(err.Error(), "not a TrueType or OpenType font") {
		t.Errorf("text: %v", err)
	}
}

func TestBrandFontCheckedAtLoad(t *testing.T) {
	yml := strings.Replace(okBrand, "lang: nl\n", "lang: nl\nfonts:\n  files:\n    heading: evil.ttf\n", 1)
	_, err := LoadBrand(fstestFS(map[string][]byte{"brand.yaml": []byte(yml), "logo.svg": []byte(logoSVG), "evil.ttf": imagetest.HostileFont(t)}), "test", "brand.yaml")
	if err == nil || !strings.Contains(err.Error(), "brand.yaml:6:5: fonts.files.heading: evil.ttf: the font has 1 units per em") {
		t.Errorf("got %v", err)
	}
}

func fstestFS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: v}
	}
	return m
}
