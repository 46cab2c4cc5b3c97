package app

import (
	"context"

	"github.com/crosscast/crosscast/store"
)

// CreateUser makes an editor UI user with a generated password, which it
// returns once.
func (s *Service) CreateUser(ctx context.Context, name, role, actor string) (*store.User, string, error) {
	u, password, err := s.db.CreateUser(ctx, name, role, "")
	if err != nil {
		return nil, "", err
	}
	s.log.Info("user created", "user", u.Name, "role", u.Role, "by", actor)
	return u, password, nil
}

// CreateToken makes an API token, returning its secret once.
func (s *Service) CreateToken(ctx context.Context, name, role, actor string) (string, *store.Token, error) {
	secret, t, err := s.db.CreateToken(ctx, name, role)
	if err != nil {
		return "", nil, err
	}
	s.log.Info("token created", "token", t.ID, "role", t.Role, "by", actor)
	return secret, t, nil
}
