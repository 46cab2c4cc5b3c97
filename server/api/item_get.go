package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/server/web"

	"github.com/crosscast/crosscast/store"
)

type renderingJSON struct {
	Channel    string             `json:"channel"`
	Status     string             `json:"status"`
	Attempts   int                `json:"attempts"`
	Error      string             `json:"error,omitempty"`
	Warnings   json.RawMessage    `json:"warnings"`
	Metrics    map[string]float64 `json:"metrics,omitempty"`
	DurationMS int64              `json:"duration_ms"`
	Files      []fileJSON         `json:"files"`
}

type fileJSON struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	URL       string `json:"url"`
}

// getItem handles GET /api/items/{id}[?version=N]: the item, its
// versions and the status of every channel of one version (the latest by
// default).
func (a *API) getItem(w http.ResponseWriter, r *http.Request) error {
	it, v, err := a.itemVersion(r)
	if err != nil {
		return err
	}
	versions, err := a.db.Versions(r.Context(), it.ID)
	if err != nil {
		return err
	}
	rs, err := a.db.Renderings(r.Context(), it.ID, v)
	if err != nil {
		return err
	}
	out := make([]renderingJSON, 0, len(rs))
	for _, x := range rs {
		rj := renderingJSON{Channel: x.Channel, Status: x.Status, Attempts: x.Attempts, Error: x.Error,
			Warnings: x.Warnings, Metrics: x.Metrics, DurationMS: x.Duration.Milliseconds(), Files: []fileJSON{}}
		for _, f := range x.Files {
			rj.Files = append(rj.Files, fileJSON{Name: f.Name, MediaType: f.MediaType, Size: f.Size,
				URL: fmt.Sprintf("/api/items/%s/renderings/%s/%s?version=%d", it.ID, x.Channel, f.Name, v)})
		}
		out = append(out, rj)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"item": it, "version": v, "versions": versions, "renderings": out})
	return nil
}

// itemVersion reads the {id} path value and the optional ?version=N
// (default: the latest) of an item request.
func (a *API) itemVersion(r *http.Request) (*store.Item, int, error) {
	it, err := a.db.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	v, err := versionParam(r, it)
	return it, v, err
}

func versionParam(r *http.Request, it *store.Item) (int, error) {
	s := r.URL.Query().Get("version")
	if s == "" {
		return it.LatestVersion, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > it.LatestVersion {
		return 0, web.BadRequest(fmt.Sprintf("version must be a number from 1 to %d", it.LatestVersion))
	}
	return v, nil
}
