package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/crosscast/crosscast/store"
)

// migrate implements `crosscast migrate`.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fset.SetOutput(m.Stderr)
	if err := fset.Parse(args); err != nil {
		return err
	}
	dsn := envOr(envDatabase, defaultDatabase)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(m.Stdout, "the schema is up to date")
	}
	for _, a := range applied {
		fmt.Fprintln(m.Stdout, "applied", a)
	}
	return nil
}

// token implements `crosscast token create --role writer --name NAME`.
func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"token: the only subcommand is create"}
	}
	fset := flag.NewFlagSet("token create", flag.ContinueOnError)
	fset.SetOutput(m.Stderr)
	role := fset.String("role", store.RoleWriter, "`role`: writer, editor or admin")
	name := fset.String("name", "", "what the token is for (shown in the audit log)")
	if err := fset.Parse(args[1:]); err != nil {
		return err
	}
	if !store.ValidRole(*role) {
		return usageError{fmt.Sprintf("token: unknown role %q (writer, editor or admin)", *role)}
	}
	if strings.TrimSpace(*name) == "" {
		*name = *role
	}
	db, err := openStore(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	secret, tok, err := db.CreateToken(ctx, *name, *role)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "created %s token %s (%q); the secret is shown only now:\n", tok.Role, tok.ID, tok.Name)
	fmt.Fprintln(m.Stdout, secret)
	return nil
}
