package email

import (
	"testing"

	"github.com/crosscast/crosscast/internal/examples"
)

// Variants and Preheader read back what Render wrote: every variant's
// folder and the preheader it was given.
func TestManifest(t *testing.T) {
	for _, ex := range examples.Load(t) {
		t.Run(ex.Name(), func(t *testing.T) {
			out, files := render(t, ex.Item, ex.Brand)
			if out.Preview != HTMLFile {
				t.Errorf("Preview = %q, want %q", out.Preview, HTMLFile)
			}
			var names []string
			for _, f := range out.Files {
				names = append(names, f.Name)
			}
			got := Variants(names)
			want := variants(ex.Item)
			if len(got) != len(want) {
				t.Fatalf("Variants = %v, want %d", got, len(want))
			}
			for i, v := range got {
				if v.Name != want[i].name || v != VariantOf(v.Name) {
					t.Errorf("variant %d: %+v, want %q", i, v, want[i].name)
				}
				for _, name := range []string{v.HTML(), v.Text(), v.EML()} {
					if files[name] == nil {
						t.Errorf("variant %q: no %s", v.Name, name)
					}
				}
				if p := Preheader(files[v.HTML()]); p != want[i].preheader {
					t.Errorf("variant %q: Preheader = %q, want %q", v.Name, p, want[i].preheader)
				}
			}
		})
	}
	if p := Preheader([]byte("<p>no preheader</p>")); p != "" {
		t.Errorf("Preheader of a page without one = %q", p)
	}
}
