package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// A disabled user's session stops working at once and they cannot sign
// in; a revoked token is refused; the last admin stays.
func TestDisableDeleteRevoke(t *testing.T) {
	backends(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const pw = "correct horse battery"
		for _, n := range []string{"ada", "bo"} {
			if _, _, err := db.CreateUser(ctx, n, store.RoleAdmin, pw); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.CreateUser(ctx, "cy", store.RoleEditor, pw); err != nil {
			t.Fatal(err)
		}
		_, sess, err := db.Login(ctx, "cy", pw, "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserDisabled(ctx, "cy", true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, sess); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a disabled user's session still works: %v", err)
		}
		if _, _, err := db.Login(ctx, "cy", pw, "", time.Hour); !errors.Is(err, store.ErrBadLogin) {
			t.Errorf("a disabled user signed in: %v", err)
		}
		if err := db.SetUserDisabled(ctx, "cy", false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Login(ctx, "cy", pw, "", time.Hour); err != nil {
			t.Errorf("an enabled user cannot sign in: %v", err)
		}
		if err := db.SetUserDisabled(ctx, "ada", true); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteUser(ctx, "bo"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("deleted the last enabled admin: %v", err)
		}
		if err := db.SetUserDisabled(ctx, "bo", true); !errors.Is(err, store.ErrConflict) {
			t.Errorf("disabled the last enabled admin: %v", err)
		}
		if err := db.DeleteUser(ctx, "ada"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByName(ctx, "ada"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted user found: %v", err)
		}
		if err := db.DeleteUser(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting nobody: %v", err)
		}
		secret, tok, err := db.CreateToken(ctx, "ci", store.RoleWriter)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenBySecret(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a revoked token works: %v", err)
		}
		if err := db.RevokeToken(ctx, tok.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking twice: %v", err)
		}
	})
}
