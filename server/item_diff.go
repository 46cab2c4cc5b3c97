package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

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
func (s *Server) itemDiff(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	it, err := s.db.Item(ctx, r.PathValue("id"))
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	p := diffPage{Item: it, File: r.URL.Query().Get("file"), B: it.LatestVersion, A: max(1, it.LatestVersion-1)}
	if p.Versions, err = s.db.Versions(ctx, it.ID); err != nil {
		s.uiError(w, r, err)
		return
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
		ver, err := s.db.Version(ctx, it.ID, v)
		if err != nil {
			s.uiError(w, r, err)
			return
		}
		files := map[string]string{"source": string(ver.Source)}
		rs, err := s.db.Renderings(ctx, it.ID, v)
		if err != nil {
			s.uiError(w, r, err)
			return
		}
		for _, rr := range rs {
			for _, f := range rr.Files {
				if textual(f.MediaType) && !strings.HasSuffix(f.Name, ".eml") {
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
		_, data, err := s.db.RenderingFile(ctx, store.RenderKey{ItemID: it.ID, Version: v, Channel: ch}, name)
		return string(data), err
	}
	a, err := read(p.A)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	b, err := read(p.B)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	p.Same = a == b
	var ok bool
	p.Rows, ok = linediff.SideBySide(a, b)
	p.Whole = !ok
	s.html(w, r, http.StatusOK, "diff", p)
}

func textual(mediaType string) bool {
	return strings.HasPrefix(mediaType, "text/") || strings.Contains(mediaType, "json") || strings.Contains(mediaType, "xml")
}
