package content

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
)

const okBrand = `name: Test Co
site: https://test.example/
lang: nl
colors:
  primary: "#1f5f4a"
  text: "#222"
  background: "#ffffff"
logo:
  src: logo.svg
social:
  mastodon:
    url: https://social.example/@test
  x:
    handle: "@testco"
    url: https://x.com/testco
email:
  subscribe_url: https://test.example/news/
`

const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"><rect width="200" height="50"/></svg>`

func loadBrand(t *testing.T, yml string) (*Brand, error) {
	t.Helper()
	return LoadBrand(fstest.MapFS{"brand.yaml": {Data: []byte(yml)}, "logo.svg": {Data: []byte(logoSVG)}}, "test", "brand.yaml")
}

func TestLoadBrand(t *testing.T) {
	b, err := loadBrand(t, okBrand)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "test" || b.Site != "https://test.example" || b.Lang != "nl" {
		t.Errorf("id=%q site=%q lang=%q", b.ID, b.Site, b.Lang)
	}
	if f := b.LogoFile(); f == nil || f.Width != 200 || f.Height != 50 || !strings.HasPrefix(f.HashedName(), "logo-") {
		t.Errorf("logo = %+v", f)
	}
	if b.Colors.Accent != b.Colors.Primary || !b.Colors.Dark.Background.Set {
		t.Errorf("defaults not filled: %+v", b.Colors)
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings = %v", b.Warnings)
	}
	if nets := b.Social.Networks(); len(nets) != 2 || nets[0].ID != NetX || nets[1].ID != NetMastodon {
		t.Errorf("networks = %+v", nets)
	}
}

func TestLoadBrandErrors(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"bad colour", `primary: "#1f5f4a"|primary: "green"`, `brand.yaml:5:12: colors.primary: "green" is not a colour`},
		{"short hex", `primary: "#1f5f4a"|primary: "#12345"`, `is not a colour`},
		{"relative site", `site: https://test.example/|site: /blog`, `brand.yaml:2:1: site: must be an absolute http(s) URL`},
		{"relative subscribe", `subscribe_url: https://test.example/news/|subscribe_url: news/`, `brand.yaml:17:3: email.subscribe_url: must be an absolute http(s) URL`},
		{"unknown field", `lang: nl|langauge: nl`, "brand.yaml:3:1: langauge: unknown field, did you mean `lang`?"},
		{"missing text colour", `  text: "#222"
|`, `colors.text: is required`},
		{"font injection", `lang: nl|lang: nl
fonts:
  body: "x; } body { display: none"`, `fonts.body: must be a CSS font list`},
		{"missing logo file", `src: logo.svg|src: nope.svg`, `logo.src: nope.svg: open nope.svg: file does not exist`},
		{"unknown string key", `lang: nl|lang: nl
strings:
  nl:
    subscribe_buton: Meld je aan`, "strings.nl.subscribe_buton is not a known string, did you mean `subscribe_button`?"},
		{"header injection address", `subscribe_url: https://test.example/news/|from_address: "a@b.example\nBcc: x@y.example"`, `email.from_address: must be a plain address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, _ := strings.Cut(tt.edit, "|")
			if !strings.Contains(okBrand, from) {
				t.Fatalf("edit %q does not apply", from)
			}
			_, err := loadBrand(t, strings.Replace(okBrand, from, to, 1))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %q", err, tt.want)
			}
		})
	}
}

func TestBrandContrastWarning(t *testing.T) {
	b, err := loadBrand(t, strings.Replace(okBrand, `text: "#222"`, `text: "#999999"`, 1))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, w := range b.Warnings {
		text += w.String() + "\n"
	}
	if !strings.Contains(text, "brand.yaml:4:1: colors: text on background has contrast 2.85:1 (#999999 on #ffffff); WCAG AA needs 4.5:1") {
		t.Errorf("warnings:\n%s", text)
	}
}

func TestContrast(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21}, {"#ffffff", "#ffffff", 1}, {"#767676", "#ffffff", 4.54}, {"#777777", "#ffffff", 4.48},
	} {
		a, _ := ParseColor(tt.a)
		b, _ := ParseColor(tt.b)
		if got := Contrast(a, b); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("Contrast(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	b, err := loadBrand(t, okBrand+"strings:\n  nl:\n    subscribe_button: Meld je aan\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, key, want string }{
		{"nl", "subscribe_button", "Meld je aan"},    // brand override
		{"nl-BE", "subscribe_button", "Meld je aan"}, // by base language
		{"de", "subscribe_button", "Abonnieren"},     // built in
		{"pt", "subscribe_button", "Subscribe"},      // English fallback
		{"fr", "subscribe_text", "Les nouveaux articles de Test Co, directement dans votre boîte mail."},
	} {
		if got := b.T(tt.lang, tt.key); got != tt.want {
			t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	if got := b.T("pl", "reading_time", "n", "7"); got != "7 min czytania" {
		t.Errorf("placeholder: %q", got)
	}
	if got := b.T("en", "by", "author"); got != "By {author}" {
		t.Errorf("odd pairs: %q", got)
	}
	// Every language has every key.
	for _, lang := range Languages() {
		for k := range builtinStrings["en"] {
			if builtinStrings[lang][k] == "" {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func TestFormatPrice(t *testing.T) {
	a, _ := ParseAmount("1299")
	big, _ := ParseAmount("12999.5")
	const nb, nnb = "\u00a0", "\u202f" // no-break space, narrow no-break space
	for _, tt := range []struct {
		lang, cur string
		amount    Amount
		want      string
	}{
		{"en", "USD", a, "$1,299.00"},
		{"en", "EUR", a, "€1,299.00"},
		{"nl", "EUR", a, "€" + nb + "1.299,00"},
		{"nl-BE", "EUR", a, "€" + nb + "1.299,00"},
		{"de", "EUR", a, "1.299,00" + nb + "€"},
		{"de-CH", "CHF", a, "CHF" + nb + "1'299.00"},
		// A code ISO 4217 has and the library lacks keeps the locale's digits.
		{"en", "XAU", a, "XAU" + nb + "1,299.00"},
		{"de", "XAU", a, "1.299,00" + nb + "XAU"},
		{"fr", "EUR", a, "1" + nnb + "299,00" + nb + "€"},
		// CLDR's minimum grouping digits is 2 for pl, it and es: a
		// four-digit amount is not grouped, a five-digit one is.
		{"pl", "PLN", a, "1299,00" + nb + "zł"},
		{"pl", "PLN", big, "12" + nb + "999,50" + nb + "zł"},
		{"sv", "SEK", a, "1" + nb + "299,00" + nb + "kr"},
		{"it", "EUR", a, "1299,00" + nb + "€"},
		{"it", "EUR", big, "12.999,50" + nb + "€"},
		{"es", "EUR", a, "1299,00" + nb + "€"},
		{"es", "EUR", big, "12.999,50" + nb + "€"},
		{"en", "JPY", a, "¥1,299"},
		{"xx", "USD", a, "$1,299.00"},
	} {
		if got := FormatPrice(tt.lang, tt.amount, tt.cur); got != tt.want {
			t.Errorf("FormatPrice(%s, %s, %s) = %q, want %q", tt.lang, tt.amount, tt.cur, got, tt.want)
		}
	}
	small, _ := ParseAmount("0.5")
	if got := FormatPrice("en", small, "USD"); got != "$0.50" {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"1,5", "-1", "1.234", "abc", "1.", ".5", "1.-5"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
}

func TestLinkPlan(t *testing.T) {
	b, err := loadBrand(t, okBrand)
	if err != nil {
		t.Fatal(err)
	}
	it := mustParse(t, "---\ntitle: Zomer sale\ntags: [Aanbieding]\ncta:\n  label: Shop\n  url: /shop/?ref=x\n---\n", nil, ParseOptions{DefaultLang: "nl"})
	p := NewLinkPlan(it, b)
	if p.Canonical != "https://test.example/zomer-sale/" {
		t.Errorf("canonical = %q", p.Canonical)
	}
	if p.CatalogTag != "https://test.example/catalog/tags/aanbieding/" || p.CTA != "https://test.example/shop/?ref=x" {
		t.Errorf("catalog tag = %q, cta = %q", p.CatalogTag, p.CTA)
	}
	for _, u := range []string{p.Canonical, p.Catalog, p.CatalogTag, p.FeedRSS, p.CTA} {
		if strings.Contains(u, "utm_") {
			t.Errorf("plan URL %q carries UTM", u)
		}
	}
	email := p.UTM(ChanEmail, "b").Apply(p.Canonical)
	q := mustQuery(t, email)
	if q.Get("utm_source") != "newsletter" || q.Get("utm_medium") != "email" || q.Get("utm_campaign") != "zomer-sale" || q.Get("utm_content") != "b" {
		t.Errorf("email link %q", email)
	}
	if got := p.UTM(ChanCatalog, "").Apply(p.CTA); !strings.Contains(got, "ref=x") || mustQuery(t, got).Get("utm_medium") != "referral" {
		t.Errorf("catalog CTA %q", got)
	}
	if got := p.UTM(ChanPortal, "").Apply(p.Canonical); got != p.Canonical {
		t.Errorf("portal links must carry no UTM: %q", got)
	}
	// The writer's own tagging wins.
	if got := p.UTM(NetX, "").Apply("https://a.example/?utm_source=mine"); mustQuery(t, got).Get("utm_source") != "mine" {
		t.Errorf("overrode utm_source: %q", got)
	}
	if got := p.UTM(ChanEmail, "").Apply("mailto:a@b.example"); got != "mailto:a@b.example" {
		t.Errorf("mailto changed: %q", got)
	}
	shares := p.Shares(it, b)
	if len(shares) != 2 || shares[0].Network != NetX || !strings.HasPrefix(shares[1].Intent, "https://social.example/share?") {
		t.Fatalf("shares = %+v", shares)
	}
	// A reader's share is told apart from the brand's own posts.
	if q := mustQuery(t, shares[0].Target); q.Get("utm_source") != "x" || q.Get("utm_medium") != "share" {
		t.Errorf("share target %q", shares[0].Target)
	}

	de := mustParse(t, "---\ntitle: Sommer\nlang: de\n---\n", nil, ParseOptions{DefaultLang: "nl"})
	if got := NewLinkPlan(de, b).Canonical; got != "https://test.example/de/sommer/" {
		t.Errorf("translation canonical = %q", got)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestFormatDate(t *testing.T) {
	it := mustParse(t, "---\ntitle: x\ndate: 2026-03-02\n---\n", nil, ParseOptions{})
	for lang, want := range map[string]string{"en": "2 March 2026", "nl": "2 maart 2026", "de": "2. März 2026", "fr": "2 mars 2026", "pl": "2 marca 2026", "ja": "2026-03-02"} {
		if got := FormatDate(lang, it.Date.Time); got != want {
			t.Errorf("FormatDate(%s) = %q, want %q", lang, got, want)
		}
	}
}

func TestBrandTargets(t *testing.T) {
	good := okBrand + `  from_address: news@test.example
targets:
  news:
    kind: smtp
    host_env: CROSSCAST_TEST__SMTP_HOST
    password_env: CROSSCAST_TEST__SMTP_PASSWORD
    to: subscribers
  hook:
    kind: webhook
    channel: social
    network: linkedin
    url: https://hooks.test.example/in
    secret_env: CROSSCAST_TEST__HOOK_SECRET
`
	b, err := loadBrand(t, good)
	if err != nil {
		t.Fatal(err)
	}
	ts := b.Targets()
	if len(ts) != 3 || ts[0].ID != SiteTarget || ts[1].ID != "hook" || ts[2].ID != "news" {
		t.Fatalf("targets = %+v", ts)
	}
	if ch := ts[2].Channels(); len(ch) != 1 || ch[0] != ChanEmail || ts[1].TargetNetwork() != NetLinkedIn {
		t.Errorf("channels %v, network %q", ch, ts[1].TargetNetwork())
	}
	bad := []struct{ edit, want string }{
		{"password_env: CROSSCAST_TEST__SMTP_PASSWORD|password_env: hunter2-secret", `brand.yaml:23:5: targets.news.password_env: must name an environment variable`},
		{"kind: smtp|kind: carrier-pigeon", `targets.news.kind: must be smtp, mastodon, bluesky or webhook`},
		{"    host_env: CROSSCAST_TEST__SMTP_HOST\n|", `targets.news.host_env: is required`},
		{"to: subscribers|to: Ann <ann@test.example>", `targets.news.to: must be "subscribers" or one plain address`},
		{"url: https://hooks.test.example/in|url: https://user:pw@hooks.test.example/in", `targets.hook.url: must be an absolute http(s) URL without credentials`},
		{"    network: linkedin\n|", `targets.hook.network: is required for social`},
		{"  news:|  site:", `"site" is reserved`},
	}
	for _, tt := range bad {
		from, to, _ := strings.Cut(tt.edit, "|")
		if !strings.Contains(good, from) {
			t.Fatalf("edit %q does not apply", from)
		}
		_, err := loadBrand(t, strings.Replace(good, from, to, 1))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\ngot  %v\nwant %q", tt.edit, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error repeats what may be a secret: %v", err)
		}
	}
}

func TestFrenchSpacing(t *testing.T) {
	const n = "\u202f"
	for _, tt := range []struct{ in, want string }{
		{"Voir dans le navigateur: {url}", "Voir dans le navigateur" + n + ": {url}"},
		{"Voir dans le navigateur : {url}", "Voir dans le navigateur" + n + ": {url}"},
		{"Voir dans le navigateur\u00a0: {url}", "Voir dans le navigateur" + n + ": {url}"},
		{"Vraiment ? Oui ! Bon ; fin", "Vraiment" + n + "? Oui" + n + "! Bon" + n + "; fin"},
		{"Quoi ?!", "Quoi" + n + "?!"},
		{"dans « {tag} ».", "dans «" + n + "{tag}" + n + "»."},
		{"dans «{tag}»", "dans «" + n + "{tag}" + n + "»"},
		{"à 10:30 sur https://exemple.fr/?q=a", "à 10:30 sur https://exemple.fr/?q=a"},
		{"Déjà" + n + ": bien", "Déjà" + n + ": bien"},
		{":", ":"},
		{"", ""},
	} {
		if got := frenchSpacing(tt.in); got != tt.want {
			t.Errorf("frenchSpacing(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every French built-in string follows French spacing, and a brand's
// French override is set the same way; other languages are left alone.
func TestFrenchStrings(t *testing.T) {
	for k, s := range builtinStrings["fr"] {
		if got := frenchSpacing(s); got != s {
			t.Errorf("fr %s = %q, want %q", k, s, got)
		}
	}
	b := &Brand{Name: "Kestrel", Strings: map[string]map[string]string{
		"fr": {"view_in_browser": "Lire en ligne :"},
		"en": {"view_in_browser": "Read online :"},
	}}
	if got := b.T("fr-CA", "view_in_browser"); got != "Lire en ligne\u202f:" {
		t.Errorf("fr override: %q", got)
	}
	if got := b.T("en", "view_in_browser"); got != "Read online :" {
		t.Errorf("en override: %q", got)
	}
	if got := b.T("fr", "label_value", "label", "Prix", "value", "12 €"); got != "Prix\u202f: 12 €" {
		t.Errorf("fr label_value: %q", got)
	}
	if got := b.T("fr", "label_value", "label", "Q?", "value", "a:b"); got != "Q?\u202f: a:b" {
		t.Errorf("values are not respaced: %q", got)
	}
}

// Links leaving a channel carry campaign tags only to the brand's own
// sites, unless the brand sets utm.third_party.
func TestLinkPlanThirdParty(t *testing.T) {
	it := mustParse(t, "---\ntitle: Zomer\n---\n", nil, ParseOptions{})
	b := &Brand{Site: "https://www.kestrel.example"}
	p := NewLinkPlan(it, b)
	utm := p.UTM(ChanEmail, "")
	for raw, own := range map[string]bool{
		"https://www.kestrel.example/a/": true,
		"https://kestrel.example/":       true,
		"https://shop.kestrel.example/x": true,
		"https://NEWS.KESTREL.EXAMPLE./": true,
		"https://kestrel.example.net/":   false,
		"https://maps.example/route":     false,
		"https://notkestrel.example/":    false,
		"mailto:hello@kestrel.example":   false,
		"https://www.bbc.co.uk/news":     false,
		"https://127.0.0.1/":             false,
		"/relative":                      false,
	} {
		if got := p.Own(raw); got != own {
			t.Errorf("Own(%q) = %v, want %v", raw, got, own)
		}
		tagged := strings.Contains(p.Tag(utm, raw), "utm_source=newsletter")
		if tagged != own {
			t.Errorf("Tag(%q) tagged = %v, want %v", raw, tagged, own)
		}
	}
	b.UTM.ThirdParty = true
	p = NewLinkPlan(it, b)
	if got := p.Tag(utm, "https://maps.example/route"); !strings.Contains(got, "utm_medium=email") {
		t.Errorf("utm.third_party: %q is not tagged", got)
	}
	uk := NewLinkPlan(it, &Brand{Site: "https://www.kestrel.co.uk"})
	if !uk.Own("https://shop.kestrel.co.uk/") || uk.Own("https://www.other.co.uk/") {
		t.Error("co.uk: a public suffix is not one brand's domain")
	}
}
