package worker

import (
	"context"

	"github.com/crosscast/crosscast/store"
)

// CreateUser makes an editor UI user with a generated password, which it
// returns once.
func (p *Pipeline) CreateUser(ctx context.Context, name, role, actor string) (*store.User, string, error) {
	u, password, err := p.db.CreateUser(ctx, name, role, "")
	if err != nil {
		return nil, "", err
	}
	p.log.Info("user created", "user", u.Name, "role", u.Role, "by", actor)
	return u, password, nil
}

// CreateToken makes an API token, returning its secret once.
func (p *Pipeline) CreateToken(ctx context.Context, name, role, actor string) (string, *store.Token, error) {
	secret, t, err := p.db.CreateToken(ctx, name, role)
	if err != nil {
		return "", nil, err
	}
	p.log.Info("token created", "token", t.ID, "role", t.Role, "by", actor)
	return secret, t, nil
}
