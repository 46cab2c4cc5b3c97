package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/templates"
)

// SocialMockFile is the page the live and local previews frame for the
// social channel: the posts as each network shows them, the same mocks
// as the item page's Social tab (the channel's own preview is its text).
const SocialMockFile = "_mock.html"

// socialMock is what the social-mock template shows: the rendering and
// the URL prefix its card files are served under.
type socialMock struct {
	Base string
	Doc  *social.Doc
	CSS  template.CSS // for the page of its own
	// Compare and Schedule, for an item with social.variants or
	// social.reshare: each network's copies side by side, and which copy
	// goes out when.
	Compare  []compareRow
	Schedule []scheduleRow
}

// compareRow is one network's copies, the item's own first.
type compareRow struct {
	Label  string
	Copies []copyPosts
}

// copyPosts is one copy's posts on one network, and when they go out.
type copyPosts struct {
	Name string // "Own copy" or "Variant <id>"
	UTM  string // its utm_content, "" for the item's own
	When []string
	Net  netView
}

// netView is what the social-net template draws: one network's posts
// of one copy, with the card files under Base.
type netView struct {
	Base string
	Doc  *social.Doc
	N    *social.NetworkPosts
}

// scheduleRow is one post of the schedule: on the item page of a
// scheduled version, with its time and ledger status.
type scheduleRow struct {
	Network, Target, Copy, When string
	At                          time.Time
	Status                      string
}

func newSocialMock(base string, d *social.Doc) socialMock { return socialMock{Base: base, Doc: d} }

func newNetView(base string, d *social.Doc, n social.NetworkPosts) netView {
	return netView{Base: base, Doc: d, N: &n}
}

// withVariants adds the variants side by side and the schedule to m,
// reading each variant's file with variant (nil: not found). A variant
// whose file is missing or broken is left out of the comparison.
func (m *socialMock) withVariants(variant func(name string) []byte) {
	d := m.Doc
	if len(d.Variants) == 0 && len(d.Shares) == 0 {
		return
	}
	labels := map[string]string{}
	for _, n := range d.Networks {
		labels[n.Network] = n.Label
	}
	when := map[string][]string{} // network + copy → when it goes out
	for _, sh := range d.Shares {
		w := "at publishing"
		if sh.Reshare > 0 {
			w = fmt.Sprintf("re-share %d, %s after publishing", sh.Reshare, sh.After)
		}
		when[sh.Network+" "+sh.Variant] = append(when[sh.Network+" "+sh.Variant], w)
		label := labels[sh.Network]
		if label == "" {
			label = sh.Network
		}
		m.Schedule = append(m.Schedule, scheduleRow{Network: label, Copy: copyName(sh.Variant), When: w})
	}
	docs := []*social.Doc{d}
	for _, id := range d.Variants {
		if variant == nil {
			break
		}
		vd, err := social.Decode(variant(social.VariantOf(id).JSON()))
		if err != nil || vd.Variant != id {
			continue
		}
		docs = append(docs, vd)
	}
	for _, n := range d.Networks {
		row := compareRow{Label: n.Label}
		for _, vd := range docs {
			for _, vn := range vd.Networks {
				if vn.Network != n.Network {
					continue
				}
				row.Copies = append(row.Copies, copyPosts{Name: copyName(vd.Variant), UTM: vd.Variant,
					When: when[n.Network+" "+vd.Variant], Net: newNetView(m.Base, vd, vn)})
			}
		}
		m.Compare = append(m.Compare, row)
	}
}

// withLedger replaces the schedule with the version's social ledger
// rows: when each goes out and where it stands.
func (m *socialMock) withLedger(ds []store.Delivery) {
	var rows []scheduleRow
	for _, dl := range ds {
		if dl.Channel != social.Channel {
			continue
		}
		c, n := content.ParseLedgerVariant(dl.Variant)
		w := "at publishing"
		if n > 0 {
			w = fmt.Sprintf("re-share %d", n)
		}
		rows = append(rows, scheduleRow{Target: dl.Target, Copy: copyName(c), When: w, At: dl.ProcessAt, Status: dl.Status})
	}
	if len(rows) == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b scheduleRow) int { return a.At.Compare(b.At) })
	m.Schedule = rows
}

func copyName(id string) string {
	if id == "" {
		return "Own copy"
	}
	return "Variant " + id
}

// hostOf is a URL's host, as a link card shows it.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// socialMockPage renders the mocks of a social rendering (its social.json)
// as a page whose images are served under base.
func socialMockPage(pages map[string]*template.Template, base string, doc []byte, variant func(name string) []byte) ([]byte, error) {
	d, err := social.Decode(doc)
	if err != nil {
		return nil, err
	}
	css, err := templates.FS.ReadFile("ui/static/app.css")
	if err != nil {
		return nil, err
	}
	m := newSocialMock(base, d)
	m.withVariants(variant)
	m.CSS = template.CSS(css) // our own stylesheet, embedded
	var buf bytes.Buffer
	if err := pages["item"].ExecuteTemplate(&buf, "social-mock-doc", m); err != nil {
		return nil, fmt.Errorf("social mock: %w", err)
	}
	return buf.Bytes(), nil
}
