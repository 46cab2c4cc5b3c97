// Package ingest turns what a brand already publishes elsewhere (RSS,
// Atom and JSON feeds) into crosscast items: it fetches a feed through
// the HTTP client it is given, parses it, and converts each entry
// (title, summary, sanitised content as Markdown, author, date, tags,
// hero image) into the Markdown file of an item. Apart from fetching
// through that client it is pure; storing the items is the service's.
package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Limits on what one feed may make.
const (
	MaxFeedBytes = 32 << 20 // bytes of a feed document
	MaxEntries   = 10_000   // entries read from one feed; the rest are dropped with a warning
	MaxTitle     = 200      // characters of an imported title
	MaxSummary   = 300      // characters of an imported summary
	MaxTags      = 20
)

// Feed is a parsed feed.
type Feed struct {
	Title    string
	Entries  []Entry
	Warnings []string
}

// Entry is one feed entry, ready to become an item.
type Entry struct {
	// Key identifies the entry within its feed across fetches: its GUID
	// or id, else its link, else a hash of its title and content.
	Key     string
	Title   string
	Summary string
	Body    string // Markdown
	Author  string
	Link    string // absolute, or empty
	Date    time.Time
	// DateGuessed says Date is the fetch time, the entry having no
	// usable date of its own: an item made from it keeps its first date
	// (see StoredDate), or every fetch would be an edit.
	DateGuessed bool
	Tags        []string
	Image       string // absolute URL of the enclosure or first image, or empty
	ImageAlt    string
	Warnings    []string
}

// Parse reads an RSS, Atom or JSON feed fetched from feedURL at now (the
// date an entry with a missing or wrong date gets). Entries repeating
// an earlier one's key are dropped with a warning; so are entries past
// MaxEntries.
func (c *Converter) Parse(data []byte, feedURL string, now time.Time) (*Feed, error) {
	if len(data) > MaxFeedBytes {
		return nil, fmt.Errorf("feed is %d bytes; the limit is %d", len(data), MaxFeedBytes)
	}
	pf, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, err)
	}
	f := &Feed{Title: PlainText(pf.Title)}
	base := resolve(feedURL, pf.Link)
	if base == "" {
		base = feedURL
	}
	seen := map[string]int{}
	for i, it := range pf.Items {
		if i >= MaxEntries {
			f.Warnings = append(f.Warnings, fmt.Sprintf("the feed has %d entries; only the first %d are read", len(pf.Items), MaxEntries))
			break
		}
		e := c.entry(it, base, feedURL, now)
		if j, dup := seen[e.Key]; dup {
			f.Warnings = append(f.Warnings, fmt.Sprintf("entry %d (%q) repeats entry %d; the first is kept", i+1, e.Title, j+1))
			continue
		}
		seen[e.Key] = i
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

func (c *Converter) entry(it *gofeed.Item, base, feedURL string, now time.Time) Entry {
	e := Entry{Title: clip(PlainText(it.Title), MaxTitle)}
	e.Link = resolve(base, it.Link)
	entryBase := e.Link
	if entryBase == "" {
		entryBase = base
	}
	body, summary := it.Content, it.Description
	if strings.TrimSpace(body) == "" {
		body, summary = it.Description, ""
	}
	md, err := c.Markdown(body, entryBase)
	if err != nil {
		e.Warnings = append(e.Warnings, err.Error())
		md = ""
	}
	e.Body = md
	if summary != "" {
		e.Summary = clip(PlainText(summary), MaxSummary)
	}
	if e.Title == "" {
		e.Title = clip(PlainText(body), 80)
		e.Warnings = append(e.Warnings, "the entry has no title; its first words are used")
		if e.Title == "" {
			e.Title = "Untitled"
		}
	}
	if a := it.Author; a != nil && a.Name != "" {
		e.Author = PlainText(a.Name)
	} else if len(it.Authors) > 0 && it.Authors[0] != nil {
		e.Author = PlainText(it.Authors[0].Name)
	}
	e.Date, e.DateGuessed = entryDate(it, now, &e.Warnings)
	for _, t := range it.Categories {
		if t = PlainText(t); t != "" && !slices.Contains(e.Tags, t) && len(e.Tags) < MaxTags {
			e.Tags = append(e.Tags, t)
		}
	}
	e.Image, e.ImageAlt = heroImage(it, body)
	e.Image = resolve(entryBase, e.Image)
	switch guid := strings.TrimSpace(it.GUID); {
	case guid != "":
		e.Key = "guid:" + guid
	case e.Link != "":
		e.Key = "link:" + e.Link
	default:
		sum := sha256.Sum256([]byte(e.Title + "\x00" + body))
		e.Key = "hash:" + hex.EncodeToString(sum[:])
	}
	return e
}

// entryDate is the entry's publication date, else its update date;
// missing, unparsable and future dates become now, with a warning, and
// guessed is true.
func entryDate(it *gofeed.Item, now time.Time, warns *[]string) (date time.Time, guessed bool) {
	raw := it.Published
	d := it.PublishedParsed
	if d == nil && it.UpdatedParsed != nil {
		d, raw = it.UpdatedParsed, it.Updated
	}
	switch {
	case d == nil && raw == "":
		*warns = append(*warns, "the entry has no date; the fetch time is used")
	case d == nil:
		*warns = append(*warns, fmt.Sprintf("the entry's date %q cannot be read; the fetch time is used", clip(raw, 60)))
	case d.After(now.Add(24 * time.Hour)):
		*warns = append(*warns, fmt.Sprintf("the entry's date %s is in the future; the fetch time is used", d.Format(time.RFC3339)))
	case d.Year() < 1995:
		*warns = append(*warns, fmt.Sprintf("the entry's date %s is before the web had feeds; the fetch time is used", d.Format(time.RFC3339)))
	default:
		return d.UTC(), false
	}
	return now.UTC(), true
}

// heroImage picks an image enclosure, else the feed's item image, else
// the first image in the content.
func heroImage(it *gofeed.Item, body string) (string, string) {
	for _, enc := range it.Enclosures {
		if enc != nil && strings.HasPrefix(enc.Type, "image/") && enc.URL != "" {
			return enc.URL, ""
		}
	}
	// gofeed fills Image from the content's first image too, without its
	// alt text, so the content is asked first.
	if src, alt := firstImage(body); src != "" {
		return src, alt
	}
	if it.Image != nil && it.Image.URL != "" {
		return it.Image.URL, PlainText(it.Image.Title)
	}
	return "", ""
}

// resolve makes ref absolute against base; it returns "" for an empty
// or unusable reference and for anything but http(s).
func resolve(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b, err := url.Parse(base); err == nil && b.IsAbs() {
		r = b.ResolveReference(r)
	}
	if r.Scheme != "http" && r.Scheme != "https" || r.Host == "" {
		return ""
	}
	return r.String()
}

// clip cuts s to at most n characters, at a word boundary when it can,
// with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
