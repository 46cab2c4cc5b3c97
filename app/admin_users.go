package app

import (
	"context"

	"github.com/crosscast/crosscast/store"
)

// SetUserDisabled disables (signing them out at once) or enables a user.
func (s *Service) SetUserDisabled(ctx context.Context, name string, disabled bool, actor string) error {
	if err := s.db.SetUserDisabled(ctx, name, disabled); err != nil {
		return err
	}
	s.log.Info("user disabled changed", "user", name, "disabled", disabled, "by", actor)
	return nil
}

// DeleteUser removes a user; the last enabled admin cannot go.
func (s *Service) DeleteUser(ctx context.Context, name, actor string) error {
	if err := s.db.DeleteUser(ctx, name); err != nil {
		return err
	}
	s.log.Info("user deleted", "user", name, "by", actor)
	return nil
}

// RevokeToken deletes an API token; requests with it fail from now on.
func (s *Service) RevokeToken(ctx context.Context, id, actor string) error {
	if err := s.db.RevokeToken(ctx, id); err != nil {
		return err
	}
	s.log.Info("token revoked", "token", id, "by", actor)
	return nil
}

// Users lists the users, for the admin API.
func (s *Service) Users(ctx context.Context) ([]store.User, error) { return s.db.Users(ctx) }
