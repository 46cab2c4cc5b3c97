package app

import (
	"context"
	"fmt"

	"github.com/crosscast/crosscast/store"
)

// ResolveDelivery settles a delivery a crash left unknown, on an
// editor's word: status sent means it arrived; pending means it did not,
// and it is queued to be sent again. The API and the editor UI both come
// here, so both re-deliver.
func (s *Service) ResolveDelivery(ctx context.Context, key, status, actor string) (*store.Delivery, error) {
	d, err := s.db.ResolveDelivery(ctx, key, status, actor)
	if err != nil {
		return nil, err
	}
	if d.Status == store.DelPending {
		if err := s.Redeliver(ctx, *d); err != nil {
			return nil, fmt.Errorf("resolve %s: queue it again: %w", key, err)
		}
	}
	return d, nil
}
