package server

import "net/http"

// unpublishItem handles POST /api/items/{id}/unpublish: the page leaves
// the brand's site and its catalog and feeds. Sent emails and posts stay
// sent.
func (s *Server) unpublishItem(w http.ResponseWriter, r *http.Request) {
	if err := s.pipeline.Unpublish(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "unpublished"})
}
