package app

import (
	"context"
	"fmt"
)

// collectGarbage runs one bounded pass of the store's garbage collection
// (superseded index files, replaced renderings, derivatives of images
// nothing keeps) and returns how many blobs and derivatives it deleted.
// Each reconciler pass runs one; a backlog shrinks over several.
func (s *Service) collectGarbage(ctx context.Context) (int, error) {
	st, err := s.db.CollectGarbage(ctx, s.gc)
	if err != nil {
		return 0, fmt.Errorf("garbage collection: %w", err)
	}
	s.metrics.gcBytes.Add(float64(st.Bytes))
	if st.Blobs > 0 || st.Derivatives > 0 || st.Vacuumed > 0 {
		s.log.Info("garbage collected", "blobs", st.Blobs, "bytes", st.Bytes, "derivatives", st.Derivatives,
			"pages_vacuumed", st.Vacuumed, "more", st.More)
	}
	return st.Blobs + st.Derivatives, nil
}
