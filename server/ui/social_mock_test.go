package ui

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/renderers/social"
)

// The mocks show a Facebook link post with the link card the network
// draws from the page (its image, host and title), and image paths
// relative to the mock page, which sits beside the card files.
func TestSocialMockFacebookLinkCard(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	doc := social.Doc{Title: "Waxing a canvas pack", URL: "https://kestrel.example/waxing/",
		Cards: []social.Card{{File: "card-1200x630.jpg", Kind: "landscape", Width: 1200, Height: 630, Alt: "Waxing"}},
		Networks: []social.NetworkPosts{{Network: "facebook", Label: "Facebook", Limit: 63206, Unit: "characters",
			Link: "https://kestrel.example/waxing/?utm_source=facebook", LinkApart: true,
			Posts: []social.Post{{Text: "Waxing a canvas pack", Length: 20}}}}}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	page, err := socialMockPage(pages, ".", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{`class="net net-facebook"`, `class="embed link-card"`, `<img src="./card-1200x630.jpg" alt=""`,
		`<p class="embed-host">kestrel.example</p>`, `<p class="embed-title">Waxing a canvas pack</p>`, "<style>"} {
		if !strings.Contains(s, want) {
			t.Errorf("mock lacks %s", want)
		}
	}
}

// An item with social variants and re-shares shows each network's
// copies side by side, with their utm_content and when each goes out.
func TestSocialMockVariants(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	net := func(text, utm string) social.NetworkPosts {
		return social.NetworkPosts{Network: "mastodon", Label: "Mastodon", Limit: 500, Unit: "characters",
			Link: "https://kestrel.example/ridge/?utm_source=mastodon" + utm, Posts: []social.Post{{Text: text, Length: len(text)}}}
	}
	main, _ := json.Marshal(social.Doc{Title: "Ridge", Networks: []social.NetworkPosts{net("Own words", "")}, Variants: []string{"stove"},
		Shares: []social.Share{{Network: "mastodon", File: social.JSONFile}, {Network: "mastodon", Variant: "stove", Reshare: 1, After: "+2d", File: "variants/stove/social.json"}}})
	stove, _ := json.Marshal(social.Doc{Title: "Ridge", Variant: "stove", Networks: []social.NetworkPosts{net("Coffee on the stove", "&utm_content=stove")}})
	page, err := socialMockPage(pages, ".", main, func(name string) []byte {
		if name == social.VariantOf("stove").JSON() {
			return stove
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"Variants side by side", "Which copy goes out when", "<strong>Own copy</strong>", "<strong>Variant stove</strong>",
		"utm_content=stove", "Coffee on the stove", "re-share 1, &#43;2d after publishing", `aria-label="Mastodon, variant stove"`} {
		if !strings.Contains(s, want) {
			t.Errorf("mock lacks %s", want)
		}
	}
	if i, j := strings.Index(s, "Own words"), strings.LastIndex(s, "Coffee on the stove"); i < 0 || j < i {
		t.Errorf("the copies are not side by side, own first")
	}
}

// The queue monitor's HTML pages get a link back to crosscast; its API
// answers pass untouched.
func TestMonitorBackLink(t *testing.T) {
	mon := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/queues/api/") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"queues":[]}`)
			return
		}
		io.WriteString(w, `<!doctype html><html><head><title>asynqmon</title></head><body><div id="root"></div></body></html>`)
	})
	h := withBackLink("/admin/queues/", mon)
	for path, want := range map[string]string{
		"/admin/queues/":           `<body><a href="/" class="cc-back"`,
		"/admin/queues/queues/x":   `<body><a href="/" class="cc-back"`,
		"/admin/queues/api/queues": `{"queues":[]}`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if !strings.Contains(rec.Body.String(), want) || rec.Code != 200 {
			t.Errorf("%s: %d %q, want %s", path, rec.Code, rec.Body.String(), want)
		}
		if strings.Contains(path, "/api/") && strings.Contains(rec.Body.String(), "cc-back") {
			t.Errorf("%s: the API answer got the link", path)
		}
	}
}

// `crosscast preview` frames the same mocks for the social channel.
func TestLocalPreviewSocialMock(t *testing.T) {
	lp, err := NewLocalPreview()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(social.Doc{Title: "Pegs", Networks: []social.NetworkPosts{{Network: "mastodon", Label: "Mastodon", Posts: []social.Post{{Text: "Pegs"}}}}})
	files := map[string]PreviewFile{"social/" + social.JSONFile: {MediaType: "application/json", Data: data}, "social/" + social.TextFile: {MediaType: "text/plain", Data: []byte("Pegs")}}
	lp.Set(PreviewResult{Title: "Pegs", Files: files, Frames: map[string]string{"social": social.TextFile}})
	if len(files) != 2 {
		t.Error("Set changed the caller's files")
	}
	rec := httptest.NewRecorder()
	lp.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(rec.Body.String(), `data-src="/files/1/social/`+SocialMockFile+`"`) {
		t.Fatalf("the social tab does not frame the mocks:\n%s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	lp.ServeHTTP(rec, httptest.NewRequest("GET", "/files/1/social/"+SocialMockFile, nil))
	if !strings.Contains(rec.Body.String(), `class="net net-mastodon"`) || !strings.HasPrefix(rec.Header().Get("Content-Security-Policy"), "sandbox;") {
		t.Errorf("mock page: %s %q", rec.Header().Get("Content-Security-Policy"), rec.Body.String())
	}
}
