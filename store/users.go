package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// User is a person who signs in to the editor UI.
type User struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	// Disabled users cannot sign in; their sessions are gone.
	Disabled bool `json:"disabled,omitempty"`
	// Email is where their test sends go; "" when not set.
	Email string `json:"email,omitempty"`
}

// ErrBadLogin is a wrong user name or password; which of the two is not
// said.
var ErrBadLogin = errors.New("wrong user name or password")

// MinPassword is the shortest password accepted.
const MinPassword = 10

// bcryptCost is bcrypt's default; about 60 ms per check on one core,
// slow enough against guessing with the login rate limit in front.
const bcryptCost = bcrypt.DefaultCost

// validUserName allows what fits in a URL and a log line unquoted.
func validUserName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return false
		}
	}
	return true
}

// CreateUser adds a user; an empty password makes one up and returns it,
// to be shown once.
func (s *DB) CreateUser(ctx context.Context, name, role, password string) (*User, string, error) {
	if !validUserName(name) {
		return nil, "", fmt.Errorf("user name %q: use 1 to 64 letters, digits and . _ - @: %w", name, ErrInvalid)
	}
	if !ValidRole(role) {
		return nil, "", fmt.Errorf("unknown role %q (writer, editor or admin): %w", role, ErrInvalid)
	}
	password, hash, err := hashPassword(password)
	if err != nil {
		return nil, "", err
	}
	idb := make([]byte, 6)
	rand.Read(idb)
	u := &User{ID: hex.EncodeToString(idb), Name: name, Role: role, CreatedAt: s.now()}
	_, err = s.exec(ctx, s.db, `INSERT INTO users (id, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Name, u.Role, string(hash), u.CreatedAt)
	if errors.Is(err, ErrConflict) { // the name is taken; a 48-bit id clashing is far less likely
		return nil, "", fmt.Errorf("user %q exists already: %w", name, ErrConflict)
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: insert user: %w", err)
	}
	return u, password, nil
}

// hashPassword checks a password (making one up when empty) and
// returns it with its bcrypt hash.
func hashPassword(password string) (string, []byte, error) {
	if password == "" {
		raw := make([]byte, 15)
		rand.Read(raw)
		password = base64.RawURLEncoding.EncodeToString(raw)
	}
	if len(password) < MinPassword {
		return "", nil, fmt.Errorf("password: at least %d characters: %w", MinPassword, ErrInvalid)
	}
	if len(password) > 72 {
		return "", nil, fmt.Errorf("password: at most 72 bytes (bcrypt's limit): %w", ErrInvalid)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	return password, hash, err
}

// SetPassword replaces a user's password (making one up when empty, to
// be shown once) and ends their sessions.
func (s *DB) SetPassword(ctx context.Context, name, password string) (string, error) {
	password, hash, err := hashPassword(password)
	if err != nil {
		return "", err
	}
	return password, s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE users SET password_hash = $1 WHERE name = $2`, string(hash), name)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		_, err = s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)`, name)
		return err
	})
}

const userSelect = `SELECT id, name, role, created_at, last_login_at, disabled, email FROM users`

func scanUser(row rowScanner) (*User, error) {
	u := &User{}
	var last sql.NullTime
	var disabled int
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.CreatedAt, &last, &disabled, &u.Email); err != nil {
		return nil, err
	}
	u.Disabled = disabled != 0
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	return u, nil
}

// UserByName finds a user.
func (s *DB) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.queryRow(ctx, s.db, userSelect+` WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return u, nil
}

// Users lists every user by name.
func (s *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := s.query(ctx, s.db, userSelect+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// CountUsers tells whether anyone can sign in yet, for the first-run admin.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// newDummyHash makes the hash Login compares against when the user does
// not exist, so a wrong name takes as long as a wrong password. DB.dummyHash
// makes it on the first such login, not at start: bcrypt takes about
// 60 ms, which every process (crosscast render included) paid before.
func newDummyHash() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcryptCost)
	if err != nil {
		panic(fmt.Sprintf("store: bcrypt: %v", err)) // only for a cost out of range or a failing rand
	}
	return h
}

// Login checks a name and password and opens a session lasting ttl. It
// returns the session's secret for the cookie; the store keeps only its
// hash. old, the session the browser had before, if any, is ended: a
// login always gets a fresh session.
func (s *DB) Login(ctx context.Context, name, password, old string, ttl time.Duration) (*User, string, error) {
	var hash string
	var u *User
	row := s.queryRow(ctx, s.db, `SELECT id, name, role, created_at, last_login_at, password_hash FROM users WHERE name = $1 AND disabled = 0`, name)
	u = &User{}
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.Name, &u.Role, &u.CreatedAt, &last, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return nil, "", ErrBadLogin
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, "", ErrBadLogin
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if old != "" {
			if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE hash = $1`, hashSecret(old)); err != nil {
				return err
			}
		}
		// Expired sessions go as new ones come; no sweeper needed.
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashSecret(secret), u.ID, now, now.Add(ttl)); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, now, u.ID)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: session: %w", err)
	}
	u.LastLoginAt = &now
	return u, secret, nil
}

// SessionUser returns the user a live session belongs to.
func (s *DB) SessionUser(ctx context.Context, secret string) (*User, error) {
	if secret == "" {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	u, err := scanUser(s.queryRow(ctx, s.db, `SELECT u.id, u.name, u.role, u.created_at, u.last_login_at, u.disabled, u.email
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1 AND s.expires_at > $2 AND u.disabled = 0`, hashSecret(secret), s.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return u, nil
}

// Logout ends a session.
func (s *DB) Logout(ctx context.Context, secret string) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE hash = $1`, hashSecret(secret))
	return err
}

// Setting returns a shared setting, creating it with make() the first
// time; web nodes racing to create it all end up with the same value.
func (s *DB) Setting(ctx context.Context, name string, make func() string) (string, error) {
	var v string
	err := s.queryRow(ctx, s.db, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: %w", err)
	}
	if _, err := s.exec(ctx, s.db, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, make()); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if err := s.queryRow(ctx, s.db, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return v, nil
}
