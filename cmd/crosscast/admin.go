package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/crosscast/crosscast/store"
)

// migrate implements `crosscast migrate`.
func (m *Main) migrate(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.databaseDSN())
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
func (m *Main) token(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		groupUsage(m.Stdout, "token")
		return flag.ErrHelp
	}
	if len(args) == 0 {
		return usageError{"token: the only subcommand is create"}
	}
	if args[0] != "create" {
		return usageError{fmt.Sprintf("token: unknown subcommand %q; the only one is create", args[0])}
	}
	fset := flag.NewFlagSet("token create", flag.ContinueOnError)
	role := fset.String("role", store.RoleWriter, "`role`: writer, editor or admin")
	name := fset.String("name", "", "what the token is for (shown in the audit log)")
	if err := m.parseFlags(fset, args[1:], 0, 0); err != nil {
		return err
	}
	if !store.ValidRole(*role) {
		return usageError{fmt.Sprintf("token: unknown role %q (writer, editor or admin)", *role)}
	}
	if strings.TrimSpace(*name) == "" {
		*name = *role
	}
	db, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
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

// user implements `crosscast user add NAME --role editor` and
// `crosscast user passwd NAME`. The password is read from stdin when
// --password-stdin is given, else made up and printed once.
func (m *Main) user(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		groupUsage(m.Stdout, "user")
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		what := ""
		if len(args) > 0 {
			what = fmt.Sprintf("unknown subcommand %q; ", args[0])
		}
		return usageError{"user: " + what + "the subcommands are add and passwd (crosscast user --help)"}
	}
	fset := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	role, email := new(string), new(string)
	if args[0] == "add" {
		role = fset.String("role", store.RoleWriter, "`role`: writer, editor or admin")
		email = fset.String("email", "", "the user's own email `address`, where their test sends go")
	}
	fromStdin := fset.Bool("password-stdin", false, "read the password from the first line of stdin")
	// The name is an argument like any other, so `user add --help`
	// asks for help instead of naming a user "--help".
	if err := m.parseFlags(fset, args[1:], 1, 1); err != nil {
		return err
	}
	name := fset.Arg(0)
	if args[0] == "add" && strings.HasPrefix(name, "-") {
		// Only `user add -- -x` gets here: a name like a flag would be
		// mistaken for one by every later command.
		return usageError{fmt.Sprintf("user add: a user name cannot start with -: %q", name)}
	}
	if *email != "" {
		norm, err := store.NormalizeAddress(*email)
		if err != nil {
			return usageError{"user add: --email: " + err.Error()}
		}
		*email = norm
	}
	var password string
	if *fromStdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user: reading the password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "passwd" {
		return m.passwd(ctx, db, name, password)
	}
	u, pw, err := db.CreateUser(ctx, name, *role, password)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return usageError{"user: " + err.Error()}
		}
		return err
	}
	if *email != "" {
		if err := db.SetUserEmail(ctx, u.Name, *email); err != nil {
			return err
		}
	}
	if password == "" {
		fmt.Fprintf(m.Stderr, "created %s %q; the password is shown only now:\n", u.Role, u.Name)
		fmt.Fprintln(m.Stdout, pw)
		return nil
	}
	fmt.Fprintf(m.Stderr, "created %s %q\n", u.Role, u.Name)
	return nil
}

// passwd sets a user's password (made up when empty) and ends their
// sessions.
func (m *Main) passwd(ctx context.Context, db *store.DB, name, password string) error {
	made := password == ""
	password, err := db.SetPassword(ctx, name, password)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return usageError{"user: " + err.Error()}
		}
		return err
	}
	if made {
		fmt.Fprintf(m.Stderr, "new password for %q, shown only now (their sessions have ended):\n", name)
		fmt.Fprintln(m.Stdout, password)
		return nil
	}
	fmt.Fprintf(m.Stderr, "password of %q changed; their sessions have ended\n", name)
	return nil
}
