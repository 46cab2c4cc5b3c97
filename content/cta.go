package content

import (
	"net/url"
	"strings"
	"unicode"
)

// vagueLabels are link texts that do not say where a link goes, per base
// language (WCAG 2.4.4, link purpose): a reader scanning links, or a
// screen reader listing them, learns nothing from "click here".
var vagueLabels = map[string][]string{
	"en": {"click here", "click", "here", "more", "read more", "learn more", "see more", "link", "this link", "go", "continue", "details", "info"},
	"nl": {"klik hier", "klik", "hier", "meer", "lees meer", "meer lezen", "meer info", "link", "deze link", "verder", "ga", "details"},
	"de": {"hier klicken", "klicken sie hier", "klick hier", "hier", "mehr", "weiterlesen", "mehr erfahren", "mehr lesen", "link", "dieser link", "weiter", "details", "infos"},
	"fr": {"cliquez ici", "clique ici", "ici", "plus", "en savoir plus", "lire la suite", "lire plus", "lien", "ce lien", "suite", "détails", "voir plus"},
	"pl": {"kliknij tutaj", "kliknij tu", "kliknij", "tutaj", "tu", "więcej", "czytaj więcej", "dowiedz się więcej", "link", "ten link", "dalej", "szczegóły"},
}

// VagueLabel reports whether a link label says nothing about where the
// link goes: nothing but arrows, symbols and punctuation ("→", ">>"),
// or a phrase like "click here" or "more" in lang (or in English).
func VagueLabel(label, lang string) bool {
	words := strings.FieldsFunc(strings.ToLower(label), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	})
	if len(words) == 0 {
		return true
	}
	phrase := strings.Join(words, " ")
	for _, l := range []string{baseLang(lang), "en"} {
		for _, v := range vagueLabels[l] {
			if phrase == v {
				return true
			}
		}
	}
	return false
}

// CTAText is a call to action as plain text reads it: the label without
// its arrows and decoration ("Read the guide →" → "Read the guide"),
// or, for a label that is only arrows, "Go to" the link's host, so a
// text email never says "→: https://…".
func CTAText(label, link, lang string) string {
	t := strings.TrimFunc(label, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune(`.!?)"'’”»`, r)
	})
	if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
		return t
	}
	host := link
	if u, err := url.Parse(link); err == nil && u.Host != "" {
		host = strings.TrimPrefix(u.Hostname(), "www.")
	}
	if s, ok := goTo[baseLang(lang)]; ok {
		return s + " " + host
	}
	return goTo["en"] + " " + host
}

// goTo begins the words that stand in for a label of arrows only.
var goTo = map[string]string{"en": "Go to", "nl": "Naar", "de": "Zu", "fr": "Aller sur", "pl": "Przejdź do"}

// checkItemSocial checks the item's social options and its call to
// action's label.
func checkItemSocial(it *Item, fmErr func(field, code, format string, args ...any), fmWarn func(field, format string, args ...any)) {
	if n := it.Social.ThreadMax; n != nil && (*n < 1 || *n > MaxThreadMax) {
		fmErr("social.thread_max", EInvalid, "must be between 1 and %d posts, not %d", MaxThreadMax, *n)
	}
	checkSocialVariants(it, fmErr)
	if c := it.CTA; c != nil && strings.TrimSpace(c.Label) != "" && VagueLabel(c.Label, it.Lang) {
		fmWarn("cta.label", "%q does not say where the link goes: name the destination or the action, like \"Read the setup guide\"", c.Label)
	}
}
