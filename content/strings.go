package content

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Boilerplate strings every channel uses, per language. Placeholders in
// braces ({brand}, {n}, …) are filled by Brand.T. A brand may override any
// key per language under `strings:` in brand.yaml.
var builtinStrings = mergeStrings(coreStrings, audienceStrings, digestStrings, signUpFormStrings)

var coreStrings = map[string]map[string]string{
	"en": {
		// A label and its value in running text: "Price: $12".
		"label_value":      "{label}: {value}",
		"skip_to_content":  "Skip to content",
		"home":             "{brand} home",
		"subscribe_title":  "Get the newsletter",
		"subscribe_text":   "New stories from {brand}, straight to your inbox.",
		"subscribe_button": "Subscribe",
		"share_title":      "Share this",
		"share_on":         "Share on {network}",
		"share_email":      "Share by email",
		"in_catalog":       "In the catalog",
		"in_catalog_text":  "Find this and related items under “{tag}”.",
		"catalog_all":      "Browse the full catalog",
		"latest":           "Latest",
		"toc":              "Contents",
		"reading_time":     "{n} min read",
		"published":        "Published",
		"updated":          "Updated",
		"by":               "By {author}",
		"section_link":     "Link to this section",
		"view_in_browser":  "View in browser",
		"unsubscribe":      "Unsubscribe",
		"continue_reading": "Continue reading on the web",
		"read_more":        "Read more",
		"view_product":     "View product",
		"catalog":          "Catalog",
		"all_items":        "Everything",
		"scan_to_read":     "Scan to read on the web",
		"social_post":      "{title}\n\n{summary}",
		"follow_us":        "Follow us",
		"price":            "Price",
		"tags":             "Tags",
		"feed":             "RSS feed",
		"in_stock":         "In stock",
		"out_of_stock":     "Out of stock",
		"preorder":         "Available for pre-order",
		"backorder":        "On back order",
		"limited":          "Limited availability",
		"discontinued":     "Discontinued",
	},
	"nl": {
		// A label and its value in running text: "Price: $12".
		"label_value":      "{label}: {value}",
		"skip_to_content":  "Naar de inhoud",
		"home":             "Naar de homepage van {brand}",
		"subscribe_title":  "Ontvang de nieuwsbrief",
		"subscribe_text":   "Nieuwe verhalen van {brand}, direct in je inbox.",
		"subscribe_button": "Aanmelden",
		"share_title":      "Delen",
		"share_on":         "Delen op {network}",
		"share_email":      "Delen per e-mail",
		"in_catalog":       "In de catalogus",
		"in_catalog_text":  "Vind dit en verwante items onder ‘{tag}’.",
		"catalog_all":      "Bekijk de hele catalogus",
		"latest":           "Nieuwste",
		"toc":              "Inhoud",
		"reading_time":     "{n} min. leestijd",
		"published":        "Gepubliceerd",
		"updated":          "Bijgewerkt",
		"by":               "Door {author}",
		"section_link":     "Link naar deze sectie",
		"view_in_browser":  "Bekijk in je browser",
		"unsubscribe":      "Afmelden",
		"continue_reading": "Verder lezen op de website",
		"read_more":        "Lees meer",
		"view_product":     "Bekijk product",
		"catalog":          "Catalogus",
		"all_items":        "Alles",
		"scan_to_read":     "Scan om online verder te lezen",
		"social_post":      "{title}\n\n{summary}",
		"follow_us":        "Volg ons",
		"price":            "Prijs",
		"tags":             "Tags",
		"feed":             "RSS-feed",
		"in_stock":         "Op voorraad",
		"out_of_stock":     "Niet op voorraad",
		"preorder":         "Te reserveren",
		"backorder":        "In nabestelling",
		"limited":          "Beperkt beschikbaar",
		"discontinued":     "Uit het assortiment",
	},
	"de": {
		// A label and its value in running text: "Price: $12".
		"label_value":      "{label}: {value}",
		"skip_to_content":  "Zum Inhalt springen",
		"home":             "Startseite von {brand}",
		"subscribe_title":  "Newsletter abonnieren",
		"subscribe_text":   "Neue Beiträge von {brand} direkt in Ihr Postfach.",
		"subscribe_button": "Abonnieren",
		"share_title":      "Teilen",
		"share_on":         "Auf {network} teilen",
		"share_email":      "Per E-Mail teilen",
		"in_catalog":       "Im Katalog",
		"in_catalog_text":  "Dies und Ähnliches finden Sie unter „{tag}“.",
		"catalog_all":      "Zum gesamten Katalog",
		"latest":           "Neueste Beiträge",
		"toc":              "Inhalt",
		"reading_time":     "{n} Min. Lesezeit",
		"published":        "Veröffentlicht",
		"updated":          "Aktualisiert",
		"by":               "Von {author}",
		"section_link":     "Link zu diesem Abschnitt",
		"view_in_browser":  "Im Browser ansehen",
		"unsubscribe":      "Abmelden",
		"continue_reading": "Im Web weiterlesen",
		"read_more":        "Weiterlesen",
		"view_product":     "Zum Produkt",
		"catalog":          "Katalog",
		"all_items":        "Alles",
		"scan_to_read":     "Scannen und online weiterlesen",
		"social_post":      "{title}\n\n{summary}",
		"follow_us":        "Folgen Sie uns",
		"price":            "Preis",
		"tags":             "Schlagwörter",
		"feed":             "RSS-Feed",
		"in_stock":         "Auf Lager",
		"out_of_stock":     "Nicht auf Lager",
		"preorder":         "Vorbestellbar",
		"backorder":        "Nachbestellt",
		"limited":          "Begrenzt verfügbar",
		"discontinued":     "Nicht mehr erhältlich",
	},
	"fr": {
		// A label and its value in running text: "Price: $12".
		"label_value":      "{label}\u202f: {value}",
		"skip_to_content":  "Aller au contenu",
		"home":             "Accueil {brand}",
		"subscribe_title":  "Recevoir la newsletter",
		"subscribe_text":   "Les nouveaux articles de {brand}, directement dans votre boîte mail.",
		"subscribe_button": "S’abonner",
		"share_title":      "Partager",
		"share_on":         "Partager sur {network}",
		"share_email":      "Partager par e-mail",
		"in_catalog":       "Dans le catalogue",
		"in_catalog_text":  "Retrouvez ceci et des articles similaires dans «\u202f{tag}\u202f».",
		"catalog_all":      "Voir tout le catalogue",
		"latest":           "Derniers articles",
		"toc":              "Sommaire",
		"reading_time":     "{n} min de lecture",
		"published":        "Publié",
		"updated":          "Mis à jour",
		"by":               "Par {author}",
		"section_link":     "Lien vers cette section",
		"view_in_browser":  "Voir dans le navigateur",
		"unsubscribe":      "Se désabonner",
		"continue_reading": "Lire la suite sur le web",
		"read_more":        "Lire la suite",
		"view_product":     "Voir le produit",
		"catalog":          "Catalogue",
		"all_items":        "Tout",
		"scan_to_read":     "Scannez pour lire en ligne",
		"social_post":      "{title}\n\n{summary}",
		"follow_us":        "Suivez-nous",
		"price":            "Prix",
		"tags":             "Mots-clés",
		"feed":             "Flux RSS",
		"in_stock":         "En stock",
		"out_of_stock":     "Rupture de stock",
		"preorder":         "En précommande",
		"backorder":        "En réapprovisionnement",
		"limited":          "Disponibilité limitée",
		"discontinued":     "Plus disponible",
	},
	"pl": {
		// A label and its value in running text: "Price: $12".
		"label_value":      "{label}: {value}",
		"skip_to_content":  "Przejdź do treści",
		"home":             "Strona główna {brand}",
		"subscribe_title":  "Zapisz się na newsletter",
		"subscribe_text":   "Nowe artykuły od {brand} prosto na Twoją skrzynkę.",
		"subscribe_button": "Zapisz się",
		"share_title":      "Udostępnij",
		"share_on":         "Udostępnij: {network}",
		"share_email":      "Wyślij e-mailem",
		"in_catalog":       "W katalogu",
		"in_catalog_text":  "To i podobne pozycje znajdziesz w kategorii „{tag}”.",
		"catalog_all":      "Zobacz cały katalog",
		"latest":           "Najnowsze",
		"toc":              "Spis treści",
		"reading_time":     "{n} min czytania",
		"published":        "Opublikowano",
		"updated":          "Zaktualizowano",
		"by":               "Autor: {author}",
		"section_link":     "Link do tej sekcji",
		"view_in_browser":  "Zobacz w przeglądarce",
		"unsubscribe":      "Wypisz się",
		"continue_reading": "Czytaj dalej na stronie",
		"read_more":        "Czytaj więcej",
		"view_product":     "Zobacz produkt",
		"catalog":          "Katalog",
		"all_items":        "Wszystko",
		"scan_to_read":     "Zeskanuj, aby czytać online",
		"social_post":      "{title}\n\n{summary}",
		"follow_us":        "Obserwuj nas",
		"price":            "Cena",
		"tags":             "Tagi",
		"feed":             "Kanał RSS",
		"in_stock":         "Dostępny",
		"out_of_stock":     "Niedostępny",
		"preorder":         "W przedsprzedaży",
		"backorder":        "Na zamówienie",
		"limited":          "Ograniczona dostępność",
		"discontinued":     "Wycofany ze sprzedaży",
	},
}

// Languages lists the languages with built-in boilerplate.
func Languages() []string { return []string{"de", "en", "fr", "nl", "pl"} }

// baseLang reduces a tag such as "nl-BE" to "nl".
func baseLang(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return base
}

// T returns the boilerplate string key in lang, with placeholders filled
// from name/value pairs: T("nl", "by", "author", "Anna"). The brand's
// overrides come first, then the built-in language, then English.
func (b *Brand) T(lang, key string, pairs ...string) string {
	s, ok := b.Strings[lang][key]
	if !ok {
		s, ok = b.Strings[baseLang(lang)][key]
	}
	if !ok {
		s, ok = builtinStrings[baseLang(lang)][key]
	}
	if !ok {
		s = builtinStrings["en"][key]
	}
	if baseLang(lang) == "fr" {
		// Before the placeholders are filled, so that values (URLs,
		// titles) are left as they are.
		s = frenchSpacing(s)
	}
	if !strings.Contains(s, "{brand}") && len(pairs) == 0 {
		return s
	}
	pairs = pairs[:len(pairs)&^1] // an odd trailing name has no value
	args := append([]string{"{brand}", b.Name}, pairs...)
	for i := 2; i < len(args); i += 2 {
		args[i] = "{" + args[i] + "}"
	}
	return strings.NewReplacer(args...).Replace(s)
}

// frenchSpacing sets French punctuation the way French typography wants
// it: a narrow no-break space (U+202F) before : ; ? ! and inside « », so
// a brand's override written "navigateur :" or "navigateur:" reads
// "navigateur\u202f:" and never wraps before its colon. A colon between
// non-spaces ("10:30", "https://") is not punctuation and is left alone,
// as are repeated marks ("?!") after the first.
func frenchSpacing(s string) string {
	const nnbsp = '\u202f'
	rs := []rune(s)
	out := make([]rune, 0, len(rs)+4)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if strings.ContainsRune(":;?!»", r) && spacedMark(rs, i) {
			for len(out) > 0 && unicode.IsSpace(out[len(out)-1]) {
				out = out[:len(out)-1]
			}
			out = append(out, nnbsp)
		}
		out = append(out, r)
		if r == '«' && i+1 < len(rs) {
			for i+1 < len(rs) && unicode.IsSpace(rs[i+1]) {
				i++
			}
			out = append(out, nnbsp)
		}
	}
	return string(out)
}

// spacedMark reports whether the mark at rs[i] ends a clause and so takes
// a space before it.
func spacedMark(rs []rune, i int) bool {
	if i == 0 || strings.ContainsRune(":;?!«", rs[i-1]) {
		return false
	}
	if rs[i] == '»' {
		return true
	}
	spaceBefore := unicode.IsSpace(rs[i-1])
	endAfter := i+1 == len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == '»' || rs[i+1] == ')'
	// "10:30", "https://", "?q=a" are not punctuation of the sentence.
	return spaceBefore || endAfter
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	// Polish dates use the genitive: "2 marca 2026".
	"pl": {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
}

// FormatDate writes a date the way lang's readers expect: "2 March 2026",
// "2. März 2026", "2 marca 2026". Languages without built-in month names
// get ISO 8601.
func FormatDate(lang string, t time.Time) string {
	base := baseLang(lang)
	months, ok := monthNames[base]
	if !ok {
		return t.Format("2006-01-02")
	}
	m := months[t.Month()-1]
	if base == "de" {
		return fmt.Sprintf("%d. %s %d", t.Day(), m, t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year())
}

// Dir returns "rtl" for languages written right to left, else "ltr".
func Dir(lang string) string {
	switch baseLang(lang) {
	case "ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv":
		return "rtl"
	}
	return "ltr"
}
