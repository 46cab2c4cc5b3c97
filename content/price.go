package content

import (
	"github.com/bojanz/currency"
)

// FormatPrice formats an amount the way CLDR says lang's readers write it:
// "$1,299.00" (en), "€ 1.299,00" (nl), "1.299,00 €" (de), "1 299,00 €" (fr).
// The patterns, symbols and separators come from CLDR through
// bojanz/currency, so every locale the library knows is covered and none is
// written by hand here. CLDR's spaces inside a price are no-break spaces
// (U+00A0, U+202F), so a price never wraps.
func FormatPrice(lang string, a Amount, code string) string {
	f := currency.NewFormatter(currency.NewLocale(lang))
	amt, err := currency.NewAmount(a.String(), code)
	if err != nil {
		// A code ISO knows but the library does not: format a two-decimal
		// currency it knows and show the code as the symbol, so the digits
		// and the pattern are still the locale's.
		amt, _ = currency.NewAmount(a.String(), "EUR")
		f.SymbolMap["EUR"] = code
	}
	return f.Format(amt)
}
