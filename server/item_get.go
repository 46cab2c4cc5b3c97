package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

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
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) {
	it, v, err := s.itemVersion(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	versions, err := s.db.Versions(r.Context(), it.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rs, err := s.db.Renderings(r.Context(), it.ID, v)
	if err != nil {
		s.error(w, r, err)
		return
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
	writeJSON(w, http.StatusOK, map[string]any{"item": it, "version": v, "versions": versions, "renderings": out})
}

// itemVersion reads the {id} path value and the optional ?version=N
// (default: the latest) of an item request.
func (s *Server) itemVersion(r *http.Request) (*store.Item, int, error) {
	it, err := s.db.Item(r.Context(), r.PathValue("id"))
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
		return 0, badRequest(fmt.Sprintf("version must be a number from 1 to %d", it.LatestVersion))
	}
	return v, nil
}
