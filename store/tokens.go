package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Roles, from least to most trusted.
const (
	RoleWriter = "writer"
	RoleEditor = "editor"
	RoleAdmin  = "admin"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return r == RoleWriter || r == RoleEditor || r == RoleAdmin }

// RoleAtLeast reports whether role has every right of want.
func RoleAtLeast(role, want string) bool {
	rank := map[string]int{RoleWriter: 1, RoleEditor: 2, RoleAdmin: 3}
	return rank[role] >= rank[want] && rank[want] > 0
}

// Token is an API credential. Only its hash is stored.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// tokenPrefix marks crosscast secrets so secret scanners can find leaked ones.
const tokenPrefix = "cc_"

// CreateToken makes a token and returns its secret, which is shown once
// and never stored: the store keeps its SHA-256. The secret carries 160
// random bits, so a fast hash is enough (there is nothing to brute-force).
func (s *DB) CreateToken(ctx context.Context, name, role string) (string, *Token, error) {
	if !ValidRole(role) {
		return "", nil, fmt.Errorf("unknown role %q (writer, editor or admin)", role)
	}
	raw := make([]byte, 20)
	rand.Read(raw)
	secret := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	idb := make([]byte, 6)
	rand.Read(idb)
	t := &Token{ID: hex.EncodeToString(idb), Name: name, Role: role, CreatedAt: s.now()}
	_, err := s.exec(ctx, s.db, `INSERT INTO tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.Name, t.Role, hashSecret(secret), t.CreatedAt)
	if err != nil {
		return "", nil, fmt.Errorf("store: insert token: %w", err)
	}
	return secret, t, nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TokenBySecret finds the token a request presents.
func (s *DB) TokenBySecret(ctx context.Context, secret string) (*Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, fmt.Errorf("token: %w", ErrNotFound)
	}
	t := &Token{}
	err := s.queryRow(ctx, s.db, `SELECT id, name, role, created_at FROM tokens WHERE hash = $1`, hashSecret(secret)).
		Scan(&t.ID, &t.Name, &t.Role, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return t, nil
}

// CountTokens tells whether any token exists, for the first-run token.
func (s *DB) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM tokens`).Scan(&n)
	return n, err
}

// Tokens lists every API token (never their secrets), newest first.
func (s *DB) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, role, created_at FROM tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
