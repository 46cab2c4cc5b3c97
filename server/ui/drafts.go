package ui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/social"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// drafts keeps the writer's live previews in memory for a while. They
// are cheap to make again, so a restart or another web node answering
// only means the next keystroke renders afresh.
type drafts struct {
	mu    sync.Mutex
	items map[string]*draft
	order []string
}

type draft struct {
	created time.Time
	files   map[string]draftFile // channel/name → file
}

type draftFile struct {
	mediaType string
	data      []byte
}

const (
	maxDrafts = 100
	draftTTL  = 30 * time.Minute
)

func (d *drafts) put(files map[string]draftFile) string {
	b := make([]byte, 12)
	rand.Read(b)
	id := hex.EncodeToString(b)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.items == nil {
		d.items = map[string]*draft{}
	}
	for len(d.order) >= maxDrafts || (len(d.order) > 0 && time.Since(d.items[d.order[0]].created) > draftTTL) {
		delete(d.items, d.order[0])
		d.order = d.order[1:]
	}
	d.items[id] = &draft{created: time.Now(), files: files}
	d.order = append(d.order, id)
	return id
}

// get returns a draft's files; they are never changed once put.
func (d *drafts) get(id string) (map[string]draftFile, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, ok := d.items[id]
	if !ok {
		return nil, false
	}
	return dr.files, true
}

// draftResponse is what the editor's script gets back for each change.
type draftResponse struct {
	Errors   []formError       `json:"errors"`
	Warnings []formError       `json:"warnings"`
	Frames   map[string]string `json:"frames"` // channel → preview URL
	Failed   map[string]string `json:"failed"` // channel → error
	ItemID   string            `json:"item_id,omitempty"`
}

// previewDraft handles POST /drafts: the editor form, rendered in every
// channel without being stored. Answers JSON for the page's script.
func (ui *UI) previewDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var assets map[string][]byte
	if id := r.FormValue("item"); id != "" {
		// Editing: the item's stored images are part of the draft.
		it, err := ui.db.Item(ctx, id)
		if err == nil {
			err = ui.mayEdit(ctx, web.CurrentUser(r), it)
		}
		var v *store.Version
		if err == nil {
			v, err = ui.db.Version(ctx, it.ID, it.LatestVersion)
		}
		if err == nil {
			assets, err = ui.assets(ctx, v)
		}
		if err != nil {
			return err
		}
	}
	b, at, _, err := ui.readDraft(r, assets)
	resp := draftResponse{Errors: []formError{}, Warnings: []formError{}, Frames: map[string]string{}, Failed: map[string]string{}}
	if err == nil {
		d, derr := ui.svc.Draft(ctx, b)
		if err = derr; err == nil {
			resp.ItemID = d.ItemID
			resp.Warnings = placeErrors(d.Warnings, at)
			files := map[string]draftFile{}
			for ch, out := range d.Channels {
				for _, f := range out.Files {
					files[ch+"/"+f.Name] = draftFile{mediaType: f.MediaType, data: f.Data}
				}
			}
			if data, ok := files[social.Channel+"/"+social.JSONFile]; ok {
				// The frame shows the posts as the networks would, not the
				// channel's text preview; card images sit beside the page.
				if page, err := socialMockPage(ui.pages, ".", data.data, func(name string) []byte { return files[social.Channel+"/"+name].data }); err == nil {
					files[social.Channel+"/"+SocialMockFile] = draftFile{mediaType: "text/html; charset=utf-8", data: page}
				} else {
					ui.log.Warn("social mock", "err", err)
				}
			}
			for ch, e := range d.Errors {
				resp.Failed[ch] = e.Error()
				resp.Errors = append(resp.Errors, placeErrors(diagnosticsOf(e), at)...)
			}
			id := ui.drafts.put(files)
			base, err := ui.draftBase(r, id)
			if err != nil {
				return err
			}
			for ch, out := range d.Channels {
				if _, ok := files[ch+"/"+out.Preview]; ok && out.Preview != "" {
					resp.Frames[ch] = base + "/" + ch + "/" + out.Preview
				}
			}
			if _, ok := files[social.Channel+"/"+SocialMockFile]; ok {
				resp.Frames[social.Channel] = base + "/" + social.Channel + "/" + SocialMockFile
			}
		}
	}
	if err != nil {
		ce := web.InputProblems(err)
		if ce == nil {
			return err
		}
		resp.Errors = placeErrors(ce, at)
	}
	web.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func diagnosticsOf(err error) []content.Diagnostic {
	var ce content.Errors
	if errors.As(err, &ce) {
		return ce
	}
	return []content.Diagnostic{{Message: err.Error()}}
}

func (ui *UI) draftBase(r *http.Request, id string) (string, error) {
	key, err := ui.key(r.Context())
	if err != nil {
		return "", err
	}
	return "/draft/" + signature(key, "draft:"+id, 0, draftTTL) + "/" + id, nil
}

// draftFile handles GET /draft/{sig}/{id}/{channel}/{file...}, with the
// same sandbox as stored previews.
func (ui *UI) draftFile(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := ui.checkSignature(r, "draft:"+id, 0); err != nil {
		return err
	}
	channel, name := r.PathValue("channel"), r.PathValue("file")
	files, _ := ui.drafts.get(id)
	f, ok := files[channel+"/"+name]
	if !ok {
		return errBadPreview
	}
	data, mediaType := f.data, f.mediaType
	if strings.HasPrefix(mediaType, "text/html") {
		data = pointAt(data, strings.TrimSuffix(r.URL.Path, "/"+channel+"/"+name), maps.Keys(files))
	}
	writePreview(w, r, mediaType, data, previewCSP)
	return nil
}
