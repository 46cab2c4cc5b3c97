package content

// signUpFormStrings are the sign-up form's labels (renderers/signup) and
// the email footer's link to the preference centre.
var signUpFormStrings = map[string]map[string]string{
	"en": {
		"sub_form_confirm":  "We email you a link to confirm.",
		"sub_form_address":  "Email address",
		"sub_form_note":     "Every email has links to change your choices or unsubscribe.",
		"sub_form_honeypot": "Leave this field empty",
		"manage_prefs":      "Manage preferences",
	},
	"nl": {
		"sub_form_confirm":  "We mailen je een link om te bevestigen.",
		"sub_form_address":  "E-mailadres",
		"sub_form_note":     "In elke e-mail staan links om je keuzes te wijzigen of je af te melden.",
		"sub_form_honeypot": "Laat dit veld leeg",
		"manage_prefs":      "Voorkeuren beheren",
	},
	"de": {
		"sub_form_confirm":  "Wir senden Ihnen einen Link zur Bestätigung.",
		"sub_form_address":  "E-Mail-Adresse",
		"sub_form_note":     "Jede E-Mail enthält Links, um Ihre Auswahl zu ändern oder sich abzumelden.",
		"sub_form_honeypot": "Dieses Feld leer lassen",
		"manage_prefs":      "Einstellungen verwalten",
	},
	"fr": {
		"sub_form_confirm":  "Nous vous envoyons un lien de confirmation.",
		"sub_form_address":  "Adresse e-mail",
		"sub_form_note":     "Chaque e-mail contient des liens pour modifier vos choix ou vous désabonner.",
		"sub_form_honeypot": "Laissez ce champ vide",
		"manage_prefs":      "Gérer mes préférences",
	},
	"pl": {
		"sub_form_confirm":  "Wyślemy Ci link do potwierdzenia.",
		"sub_form_address":  "Adres e-mail",
		"sub_form_note":     "W każdym e-mailu są linki do zmiany wyborów lub wypisania się.",
		"sub_form_honeypot": "Zostaw to pole puste",
		"manage_prefs":      "Zarządzaj preferencjami",
	},
}

// languageNames are the built-in languages as their speakers write them.
var languageNames = map[string]string{"de": "Deutsch", "en": "English", "fr": "Français", "nl": "Nederlands", "pl": "Polski"}

// LanguageName is lang's name in itself ("Nederlands" for nl), or the
// code when crosscast has no name for it.
func LanguageName(lang string) string {
	if n, ok := languageNames[lang]; ok {
		return n
	}
	return lang
}
