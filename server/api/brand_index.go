package api

import (
	"net/http"

	"github.com/crosscast/crosscast/server/web"
)

type indexJSON struct {
	Brand  string     `json:"brand"`
	Wanted int        `json:"changes"`
	Built  int        `json:"built_through"`
	Builds int        `json:"builds"`
	Error  string     `json:"error,omitempty"`
	Files  []fileJSON `json:"files"`
}

// getBrandIndex handles GET /api/brands/{id}/index: the state of a
// brand's catalog index and feeds, and their files.
func (a *API) getBrandIndex(w http.ResponseWriter, r *http.Request) error {
	bi, err := a.db.BrandIndex(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := indexJSON{Brand: bi.BrandID, Wanted: bi.Wanted, Built: bi.Built, Builds: bi.Builds, Error: bi.Error, Files: []fileJSON{}}
	for _, f := range bi.Files {
		out.Files = append(out.Files, fileJSON{Name: f.Name, MediaType: f.MediaType, Size: f.Size,
			URL: "/api/brands/" + bi.BrandID + "/index/" + f.Name})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
