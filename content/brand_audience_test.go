package content

import (
	"slices"
	"strings"
	"testing"
)

func TestBrandTopicsAndOptIn(t *testing.T) {
	b, err := loadBrand(t, okBrand+"  topics:\n    product: New products\n    guides: Guides\n")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Email.TopicKeys(), []string{"guides", "product"}) || b.Email.Topics["product"] != "New products" {
		t.Errorf("topics: %v", b.Email.Topics)
	}
	if !b.Email.OptInConfirmed() {
		t.Error("double opt-in is not the default")
	}
	b, err = loadBrand(t, okBrand+"  double_opt_in: false\n")
	if err != nil || b.Email.OptInConfirmed() {
		t.Errorf("double_opt_in: false: %v, %v", b, err)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"  double_opt_in: maybe\n", "brand.yaml:18:18: email.double_opt_in: must be true or false"},
		{"  topics:\n    Product: New products\n", `brand.yaml:18:3: email.topics: key "Product" must be lower-case`},
		{"  topics:\n    product: \"\"\n", "brand.yaml:19:5: email.topics.product: must be a label of 1 to 100 characters"},
		{"  topics:\n    product: [a, b]\n", "email.topics.product: must be text"},
		{"  topics: guides\n", "email.topics: must be a mapping"},
	} {
		_, err := loadBrand(t, okBrand+tt.yaml)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v\nwant %q", tt.yaml, err, tt.want)
		}
	}
}

func TestItemEmailTopics(t *testing.T) {
	b, err := loadBrand(t, okBrand+"  topics:\n    product: New products\n    guides: Guides\n")
	if err != nil {
		t.Fatal(err)
	}
	bare, err := loadBrand(t, okBrand)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(topics string, b *Brand) (*Item, error) {
		src := "---\ntitle: Drying a tent\nemail:\n  subject: Dry it\n  topics: " + topics + "\n---\nHang it up.\n"
		return ParseBytes(nil, "index.md", []byte(src), ParseOptions{Brand: b})
	}
	it, err := parse("[product, guides, product]", b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(it.Email.Topics, []string{"guides", "product"}) {
		t.Errorf("topics %v, want sorted and distinct", it.Email.Topics)
	}
	// Without the brand (a parse to learn which brand it names) only the
	// form is checked.
	if _, err := parse("[gear]", nil); err != nil {
		t.Errorf("no brand: %v", err)
	}
	for _, tt := range []struct {
		topics string
		b      *Brand
		want   string
	}{
		{"[guide]", b, `index.md:5:3: email.topics: brand test has no email topic "guide" (its topics: guides, product); did you mean "guides"?`},
		{"[Guides]", b, `index.md:5:3: email.topics: topic "Guides" must be one of the brand's email.topics keys`},
		{"[guides]", bare, `index.md:5:3: email.topics: brand test declares no email.topics in brand.yaml`},
	} {
		_, err := parse(tt.topics, tt.b)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v\nwant %q", tt.topics, err, tt.want)
		}
	}
}
