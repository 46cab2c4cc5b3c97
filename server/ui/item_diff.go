package ui

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/crosscast/crosscast/renderers/email"

	"github.com/crosscast/crosscast/internal/linediff"
	"github.com/crosscast/crosscast/store"
)

type diffPage struct {
	Item     *store.Item
	Versions []store.VersionInfo
	A, B     int
	File     string
	Files    []string // "source", then channel/name of text renderings
	Rows     []linediff.Row
	Whole    bool // too large to compare line by line
	Same     bool
}

// itemDiff handles GET /items/{id}/diff?a=1&b=2&file=source: two versions
// of the source, or of one rendered text file, side by side.
func (ui *UI) itemDiff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	it, err := ui.db.Item(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := diffPage{Item: it, File: r.URL.Query().Get("file"), B: it.LatestVersion, A: max(1, it.LatestVersion-1)}
	if p.Versions, err = ui.db.Versions(ctx, it.ID); err != nil {
		return err
	}
	for k, dst := range map[string]*int{"a": &p.A, "b": &p.B} {
		if v, err := strconv.Atoi(r.URL.Query().Get(k)); err == nil && v >= 1 && v <= it.LatestVersion {
			*dst = v
		}
	}
	text := map[int]map[string]string{}
	for _, v := range []int{p.A, p.B} {
		if text[v] != nil {
			continue
		}
		ver, err := ui.db.Version(ctx, it.ID, v)
		if err != nil {
			return err
		}
		files := map[string]string{"source": string(ver.Source)}
		rs, err := ui.db.Renderings(ctx, it.ID, v)
		if err != nil {
			return err
		}
		for _, rr := range rs {
			for _, f := range rr.Files {
				// The .eml repeats the HTML and text parts, encoded.
				if textual(f.MediaType) && !(rr.Channel == email.Channel && path.Base(f.Name) == email.EMLFile) {
					files[rr.Channel+"/"+f.Name] = ""
				}
			}
		}
		text[v] = files
	}
	for name := range text[p.B] {
		if _, ok := text[p.A][name]; ok && name != "source" {
			p.Files = append(p.Files, name)
		}
	}
	slices.Sort(p.Files)
	p.Files = append([]string{"source"}, p.Files...)
	if !slices.Contains(p.Files, p.File) {
		p.File = "source"
	}
	read := func(v int) (string, error) {
		if p.File == "source" {
			return text[v]["source"], nil
		}
		ch, name, _ := strings.Cut(p.File, "/")
		_, data, err := ui.db.RenderingFile(ctx, store.RenderKey{ItemID: it.ID, Version: v, Channel: ch}, name)
		return string(data), err
	}
	a, err := read(p.A)
	if err != nil {
		return err
	}
	b, err := read(p.B)
	if err != nil {
		return err
	}
	p.Same = a == b
	var ok bool
	p.Rows, ok = linediff.SideBySide(a, b)
	p.Whole = !ok
	ui.html(w, r, http.StatusOK, "diff", p)
	return nil
}

func textual(mediaType string) bool {
	return strings.HasPrefix(mediaType, "text/") || strings.Contains(mediaType, "json") || strings.Contains(mediaType, "xml")
}
