package ui

import (
	"bytes"
	"html/template"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/social"
)

// LocalPreview serves the four-channel preview of one item a writer
// edits in files (`crosscast preview`). The command renders the item
// again whenever a file changes and hands the result to Set; the page
// notices the new generation and reloads its frame.
type LocalPreview struct {
	ui  map[string]*template.Template
	mux *http.ServeMux

	mu  sync.Mutex
	gen int
	res PreviewResult
}

// PreviewResult is one rendering of the item: each channel's files by
// "channel/name", or the errors that stopped it.
type PreviewResult struct {
	Title string
	Files map[string]PreviewFile
	// Frames names, by channel, the file its preview frame shows (the
	// rendering's renderers.Output.Preview).
	Frames   map[string]string
	Errors   []content.Diagnostic
	Warnings []content.Diagnostic
}

// PreviewFile is one rendered file.
type PreviewFile struct {
	MediaType string
	Data      []byte
}

// NewLocalPreview returns the preview server, with nothing rendered yet.
func NewLocalPreview() (*LocalPreview, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	lp := &LocalPreview{ui: pages, mux: http.NewServeMux()}
	lp.mux.HandleFunc("GET /{$}", lp.page)
	lp.mux.HandleFunc("GET /gen", func(w http.ResponseWriter, r *http.Request) {
		lp.mu.Lock()
		gen := lp.gen
		lp.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte(strconv.Itoa(gen)))
	})
	lp.mux.HandleFunc("GET /files/{gen}/{channel}/{file...}", lp.file)
	lp.mux.Handle("GET /static/", staticFiles())
	return lp, nil
}

// Set publishes a new rendering. The social frame shows the posts as
// the networks would (the item page's mocks), not the channel's text.
func (lp *LocalPreview) Set(r PreviewResult) {
	if f, ok := r.Files[social.Channel+"/"+social.JSONFile]; ok {
		if page, err := socialMockPage(lp.ui, ".", f.Data, func(name string) []byte { return r.Files[social.Channel+"/"+name].Data }); err == nil {
			files := maps.Clone(r.Files) // the caller's map stays as it gave it
			files[social.Channel+"/"+SocialMockFile] = PreviewFile{MediaType: "text/html; charset=utf-8", Data: page}
			r.Files = files
			frames := maps.Clone(r.Frames)
			if frames == nil {
				frames = map[string]string{}
			}
			frames[social.Channel] = SocialMockFile
			r.Frames = frames
		}
	}
	lp.mu.Lock()
	defer lp.mu.Unlock()
	lp.gen++
	lp.res = r
}

func (lp *LocalPreview) ServeHTTP(w http.ResponseWriter, r *http.Request) { lp.mux.ServeHTTP(w, r) }

type localPreviewPage struct {
	Gen      int
	Title    string
	Frames   map[string]string
	Errors   []content.Diagnostic
	Warnings []content.Diagnostic
}

func (lp *LocalPreview) page(w http.ResponseWriter, r *http.Request) {
	lp.mu.Lock()
	p := localPreviewPage{Gen: lp.gen, Title: lp.res.Title, Errors: lp.res.Errors, Warnings: lp.res.Warnings, Frames: map[string]string{}}
	for ch, name := range lp.res.Frames {
		if _, ok := lp.res.Files[ch+"/"+name]; ok {
			p.Frames[ch] = "/files/" + strconv.Itoa(lp.gen) + "/" + ch + "/" + name
		}
	}
	lp.mu.Unlock()
	var buf bytes.Buffer
	if err := lp.ui["localpreview"].ExecuteTemplate(&buf, "layout.html.tmpl", pageData{Path: "/", Data: p}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", uiCSP)
	w.Write(buf.Bytes())
}

func (lp *LocalPreview) file(w http.ResponseWriter, r *http.Request) {
	channel, name := r.PathValue("channel"), r.PathValue("file")
	lp.mu.Lock()
	files := lp.res.Files // replaced whole by Set, never changed
	lp.mu.Unlock()
	f, ok := files[channel+"/"+name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data := f.Data
	if strings.HasPrefix(f.MediaType, "text/html") {
		data = pointAt(data, "/files/"+r.PathValue("gen"), maps.Keys(files))
	}
	writePreview(w, r, f.MediaType, data, previewCSP)
}
