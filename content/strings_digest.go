package content

// digestStrings are the digest newsletter's and the teaser email's.
var digestStrings = map[string]map[string]string{
	"en": {
		"digest_subject":  "This week at {brand}",
		"digest_intro":    "{n} new stories from {brand} since {date}.",
		"digest_read":     "Read the story",
		"teaser_continue": "Continue reading",
	},
	"nl": {
		"digest_subject":  "Deze week bij {brand}",
		"digest_intro":    "{n} nieuwe verhalen van {brand} sinds {date}.",
		"digest_read":     "Lees het verhaal",
		"teaser_continue": "Verder lezen",
	},
	"de": {
		"digest_subject":  "Diese Woche bei {brand}",
		"digest_intro":    "{n} neue Beiträge von {brand} seit {date}.",
		"digest_read":     "Zum Beitrag",
		"teaser_continue": "Weiterlesen",
	},
	"fr": {
		"digest_subject":  "Cette semaine chez {brand}",
		"digest_intro":    "{n} nouveaux articles de {brand} depuis le {date}.",
		"digest_read":     "Lire l’article",
		"teaser_continue": "Lire la suite",
	},
	"pl": {
		"digest_subject":  "W tym tygodniu w {brand}",
		"digest_intro":    "Nowe artykuły {brand} od {date}: {n}.",
		"digest_read":     "Czytaj artykuł",
		"teaser_continue": "Czytaj dalej",
	},
}
