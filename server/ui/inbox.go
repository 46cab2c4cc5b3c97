package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/crosscast/crosscast/store"
)

// inboxPageSize is how many items one inbox page lists.
const inboxPageSize = 50

type inboxRow struct {
	store.Item
	BrandName string
	Badges    []store.Badge
}

type inboxPage struct {
	Filter     store.ItemFilter
	Brands     []store.BrandInfo
	Languages  []string
	Statuses   []string
	Rows       []inboxRow
	Total      int
	Page, Last int
	Prev, Next string // links to the neighbouring pages, empty at the ends
}

// inbox handles GET /: every item, newest change first, filtered by
// brand, status and language and searched by title, with each channel's
// state as a badge. With ?part=rows it answers only the table rows, which
// the page polls for to stay current.
func (ui *UI) inbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	p := inboxPage{
		Filter:   store.ItemFilter{Brand: q.Get("brand"), Status: q.Get("status"), Lang: q.Get("lang"), Query: q.Get("q"), Limit: inboxPageSize},
		Statuses: store.ItemStatuses(),
		Page:     1,
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		p.Page = n
	}
	p.Filter.Offset = (p.Page - 1) * inboxPageSize
	var err error
	if p.Total, err = ui.db.CountItems(ctx, p.Filter); err != nil {
		return err
	}
	items, err := ui.db.Items(ctx, p.Filter)
	if err != nil {
		return err
	}
	badges, err := ui.db.Badges(ctx, items)
	if err != nil {
		return err
	}
	if p.Brands, err = ui.db.Brands(ctx); err != nil {
		return err
	}
	names := map[string]string{}
	for _, b := range p.Brands {
		names[b.ID] = b.Name
	}
	for _, it := range items {
		p.Rows = append(p.Rows, inboxRow{Item: it, BrandName: names[it.Brand], Badges: badges[it.ID]})
	}
	p.Last = max(1, (p.Total+inboxPageSize-1)/inboxPageSize)
	link := func(page int) string {
		v := url.Values{}
		for k, x := range map[string]string{"brand": p.Filter.Brand, "status": p.Filter.Status, "lang": p.Filter.Lang, "q": p.Filter.Query} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/"
		}
		return "/?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Last {
		p.Next = link(p.Page + 1)
	}
	if q.Get("part") == "rows" {
		ui.fragment(w, r, "inbox", "rows", p)
		return nil
	}
	if p.Languages, err = ui.db.Languages(ctx); err != nil {
		return err
	}
	ui.html(w, r, http.StatusOK, "inbox", p)
	return nil
}
