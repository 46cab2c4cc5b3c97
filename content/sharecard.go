package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// ShareCardRevision changes whenever the social renderer draws its cards
// differently, so that a changed card gets a new URL: networks cache a
// link preview's image by its URL.
const ShareCardRevision = "card-v2"

// ShareCard is an item's share cards as every channel refers to them:
// the social renderer draws them under these names, the site publishes
// them beside the portal page, and the page's og:image is the landscape
// one.
type ShareCard struct {
	Landscape, Square string // file names
	Alt               string
}

// Share card sizes: the 1.91:1 link preview every network shows, and a
// square for feeds that crop to one.
const (
	ShareCardWidth  = 1200
	ShareCardHeight = 630
	SquareCardSize  = 1080
)

// NewShareCard names the item's share cards after everything they are drawn
// from (title, hero and its focal point, the brand's colours, logo and
// fonts), so the same inputs give the same names and any change a new
// one; and writes their alt text: the title, then what the photo shows
// (or the brand's name, on a card without one).
func NewShareCard(it *Item, b *Brand) ShareCard {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%s\x00", ShareCardRevision, it.Title, b.Domain())
	alt := []string{it.Title}
	if ref := it.HeroImage(); ref != nil && ref.Asset != nil {
		fx, fy := it.Hero.Focus.Point()
		fmt.Fprintf(h, "hero %s %.3f,%.3f\x00", ref.Asset.SHA256, fx, fy)
		if ref.Alt != "" {
			alt = append(alt, ref.Alt)
		}
	} else {
		alt = append(alt, b.Name)
	}
	c := b.Colors
	fmt.Fprintf(h, "%s %s %s\x00", c.Primary.Hex(), c.Accent.Hex(), c.Background.Hex())
	if f := b.LogoFile(); f != nil {
		fmt.Fprintf(h, "logo %s\x00", f.SHA256)
	}
	fmt.Fprintf(h, "%q %q\x00", b.Fonts.Heading, b.Fonts.Body)
	for _, k := range []string{"heading", "body"} {
		if f := b.Files[b.Fonts.Files[k]]; f != nil {
			fmt.Fprintf(h, "%s=%s\x00", k, f.SHA256)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))[:12]
	return ShareCard{
		Landscape: fmt.Sprintf("card-%s-%dx%d.jpg", sum, ShareCardWidth, ShareCardHeight),
		Square:    fmt.Sprintf("card-%s-%dx%d.jpg", sum, SquareCardSize, SquareCardSize),
		Alt:       strings.Join(alt, " — "),
	}
}
