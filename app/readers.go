package app

import (
	"context"
)

// AddSubscriber adds address to brand's list, returning its unsubscribe
// token. The brand must exist.
func (s *Service) AddSubscriber(ctx context.Context, brand, address string) (string, error) {
	if _, err := s.db.Brand(ctx, brand); err != nil {
		return "", err
	}
	return s.db.AddSubscriber(ctx, brand, address)
}

// Unsubscribe takes the address token names off its brand's list,
// returning both.
func (s *Service) Unsubscribe(ctx context.Context, token string) (brand, address string, err error) {
	return s.db.Unsubscribe(ctx, token)
}

// Click counts a click on the tracked link code names and returns where
// it goes.
func (s *Service) Click(ctx context.Context, code string) (string, error) {
	return s.db.Click(ctx, code)
}
