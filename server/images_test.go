package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/imagetest"
	"github.com/crosscast/crosscast/internal/pipetest"
)

// The crash-loop PNG of issue 15 (40,000,000×1 pixels in 38 KB) and a
// truncated PNG are refused by the submission itself, with the file,
// line and field, instead of being accepted and then killing (or
// failing) every render.
func TestSubmitHostileImages(t *testing.T) {
	strip := imagetest.CraftPNG(t, 40_000_000, 1, 0)
	good := smallPNG(64, 64)
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, s)
			for _, c := range []struct {
				name string
				file []byte
				code int
				want string
			}{
				{"crash-loop strip", strip, 413, `index.md:4:8: hero.src: image images/pack.png: 40000000×1 is 40000000 times longer than it is wide`},
				{"truncated", good[:len(good)-20], 422, `index.md:4:8: hero.src: image images/pack.png: the png image is truncated or corrupt`},
			} {
				start := time.Now()
				code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": c.file}))
				took := time.Since(start)
				msg, _ := json.Marshal(body["error"])
				if code != c.code || !strings.Contains(string(msg), strings.ReplaceAll(c.want, `"`, `\"`)) {
					t.Errorf("%s: %d %s; want %d with %q", c.name, code, msg, c.code, c.want)
				}
				if took > 2*time.Second {
					t.Errorf("%s: answering took %v", c.name, took)
				}
			}
		})
	}
}
