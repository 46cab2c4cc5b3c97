package email

// For the digest's browser test (digest_browser_test.go, package
// email_test), which cannot be in package email: renderers/digest
// imports it.
var (
	Measure   = measure
	CheckLogo = checkLogo
)

type BrowserLayout = layout
