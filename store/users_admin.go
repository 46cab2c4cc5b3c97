package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// lockAdmins returns the ids of the enabled admins, locking their rows
// so that two admins removing each other at once cannot leave none.
func (s *DB) lockAdmins(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := s.query(ctx, tx, `SELECT id FROM users WHERE role = $1 AND disabled = 0 ORDER BY id`+s.forUpdate(), RoleAdmin)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// userForChange finds a user by name in tx, refusing when taking them
// away would leave no enabled admin.
func (s *DB) userForChange(ctx context.Context, tx *sql.Tx, name, what string) (*User, error) {
	admins, err := s.lockAdmins(ctx, tx)
	if err != nil {
		return nil, err
	}
	u, err := scanUser(s.queryRow(ctx, tx, userSelect+` WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if admins[u.ID] && len(admins) == 1 {
		return nil, fmt.Errorf("%s is the last admin and cannot be %s; make another admin first: %w", name, what, ErrConflict)
	}
	return u, nil
}

// SetUserDisabled disables or enables a user. Disabling deletes their
// sessions in the same transaction, so they are signed out at once.
func (s *DB) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if !disabled {
			res, err := s.exec(ctx, tx, `UPDATE users SET disabled = 0 WHERE name = $1`, name)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("user %q: %w", name, ErrNotFound)
			}
			return nil
		}
		u, err := s.userForChange(ctx, tx, name, "disabled")
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE users SET disabled = 1 WHERE id = $1`, u.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// DeleteUser removes a user and their sessions.
func (s *DB) DeleteUser(ctx context.Context, name string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := s.userForChange(ctx, tx, name, "deleted")
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM users WHERE id = $1`, u.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// RevokeToken deletes an API token: the next request with its secret
// is refused, as every request looks its token up.
func (s *DB) RevokeToken(ctx context.Context, id string) error {
	res, err := s.exec(ctx, s.db, `DELETE FROM tokens WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	return nil
}

// SetUserEmail sets the address a user's test sends go to ("" clears
// it).
func (s *DB) SetUserEmail(ctx context.Context, name, email string) error {
	if email != "" {
		var err error
		if email, err = NormalizeAddress(email); err != nil {
			return err
		}
	}
	res, err := s.exec(ctx, s.db, `UPDATE users SET email = $2 WHERE name = $1`, name, email)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return nil
}
