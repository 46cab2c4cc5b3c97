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
