package server

import "net/http"

// cancelItem handles POST /api/items/{id}/cancel: a scheduled publication
// is withdrawn, as long as it has not started.
func (s *Server) cancelItem(w http.ResponseWriter, r *http.Request) {
	req, err := readPublishRequest(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	pub, err := s.pipeline.Cancel(r.Context(), r.PathValue("id"), req.Version, actor(r))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pub)
}
