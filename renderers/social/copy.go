package social

import (
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/content/textcut"
)

// longPost is the size from which a network's post is a long post
// (LinkedIn, Facebook), written as paragraphs and a list of key points,
// rather than a short one or a thread.
const longPost = 1000

// facebookBudget bounds the text of a Facebook link post: the network
// takes 63,206 characters, its readers a few paragraphs.
const facebookBudget = 1500

// writtenUnits are the units of a post written from the article: the
// hook, then whole sentences of the lead, then the key points, as many
// as could fill budget characters (a bound on the work, not a cut: the
// posts are packed from them). A short network gets the lead's first
// paragraph, then each section's first sentence as a paragraph and list
// items as lines (and the rest of the lead only when there are no key
// points); a long one the whole lead and the key points as a list.
func writtenUnits(hook string, it *content.Item, o *content.Outline, n network, budget int) []string {
	units := sentences(hook, it.Lang)
	size := len(hook)
	// Counting bytes: a character is at least one, and no network counts
	// a byte as more than two, so four times the budget is always enough.
	room := func() bool { return size < 4*budget+256 }
	add := func(brk, text string) {
		if text == "" || !room() {
			return
		}
		if n.maxLinks > 0 && len(FindURLs(text)) > 0 {
			return // a network that limits links gets none from the body
		}
		units = append(units, brk+text)
		size += len(text)
	}
	paragraph := func(ss []string) {
		for i, s := range ss {
			brk := ""
			if i == 0 {
				brk = "\n\n"
			}
			add(brk, s)
		}
	}
	lead := o.Lead
	if !it.SummaryDerived {
		// The writer's own summary leads, in place of the first paragraph.
		lead = append([][]string{trimmed(textcut.Sentences(it.Summary, it.Lang))}, lead[min(1, len(lead)):]...)
	}
	long := !n.threads && n.limit >= longPost
	if len(lead) > 0 {
		paragraph(lead[0])
	}
	if long {
		for _, p := range lead[min(1, len(lead)):] {
			paragraph(p)
		}
	}
	inList := false
	for _, p := range o.Points {
		switch {
		case p.Kind == content.PointHeading:
			// A heading is a label: its section's sentence says more.
		case long || p.Kind == content.PointItem:
			brk := "\n"
			if !inList {
				brk = "\n\n"
			}
			add(brk, "• "+p.Text)
			inList = true
		default:
			add("\n\n", p.Text)
			inList = false
		}
	}
	if !long && len(o.Points) == 0 {
		// Without sections, the rest of the lead is what there is.
		for _, p := range lead[min(1, len(lead)):] {
			paragraph(p)
		}
	}
	return units
}

func trimmed(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
