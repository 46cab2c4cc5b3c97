package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/store"
)

// helpRuns is every way of asking a command for help, including after
// its arguments and through `crosscast help`.
func helpRuns() [][]string {
	var runs [][]string
	for _, c := range commands() {
		for _, h := range []string{"-h", "--help", "-help"} {
			runs = append(runs, append(strings.Fields(c.name), h))
		}
		runs = append(runs, append([]string{"help"}, strings.Fields(c.name)...))
	}
	return append(runs,
		[]string{"user", "--help"}, []string{"token", "-h"}, []string{"help"}, []string{"--help"},
		[]string{"user", "add", "bob", "--help"}, []string{"user", "add", "--help", "bob"},
		[]string{"user", "add", "bob", "--role", "admin", "-h"}, []string{"user", "add", "bob", "--password-stdin", "--help"},
		[]string{"user", "passwd", "ann", "--help"}, []string{"user", "passwd", "ann", "--password-stdin", "-h"},
		[]string{"token", "create", "--role", "admin", "--help"}, []string{"completion", "bash", "--help"},
		[]string{"render", "x.md", "--brand", "b", "--help"}, []string{"user", "add", "bob", "--role", "--help"},
		[]string{"token", "create", "--name", "-h"}, []string{"submit", "x.md", "--server", "--help"},
	)
}

// Asking for help, however it is spelled and wherever it stands, acts on
// nothing: with a real store holding a user with a session and a token,
// the users, their passwords and sessions, and the tokens are as they were.
func TestHelpChangesNothing(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "cc.db")
	t.Setenv(envDatabase, dsn)
	t.Setenv(envToken, "x")
	const password = "ann's long password"
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateUser(ctx, "ann", store.RoleEditor, password); err != nil {
		t.Fatal(err)
	}
	_, session, err := db.Login(ctx, "ann", password, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateToken(ctx, "ci", store.RoleWriter); err != nil {
		t.Fatal(err)
	}
	list := func() ([]store.User, []store.Token) {
		t.Helper()
		users, err := db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tokens, err := db.Tokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return users, tokens
	}
	users, tokens := list()

	for _, args := range helpRuns() {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdin: strings.NewReader("a password read from stdin\n"), Stdout: &stdout, Stderr: &stderr}
		if code := m.Run(ctx, args); code != exitOK || !strings.Contains(stdout.String(), "Usage:") || stderr.Len() != 0 {
			t.Errorf("crosscast %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout.String(), stderr.String())
		}
	}

	usersAfter, tokensAfter := list()
	if !reflect.DeepEqual(usersAfter, users) {
		t.Errorf("users changed:\nbefore %+v\nafter  %+v", users, usersAfter)
	}
	if !reflect.DeepEqual(tokensAfter, tokens) {
		t.Errorf("tokens changed:\nbefore %+v\nafter  %+v", tokens, tokensAfter)
	}
	if u, err := db.SessionUser(ctx, session); err != nil || u.Name != "ann" {
		t.Errorf("ann's session ended: %v %v", u, err)
	}
	if _, _, err := db.Login(ctx, "ann", password, "", time.Hour); err != nil {
		t.Errorf("ann's password changed: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}

// A name like a flag is never a user name: after -- it is refused.
func TestUserAddRefusesFlagLikeName(t *testing.T) {
	t.Setenv(envDatabase, filepath.Join(t.TempDir(), "cc.db"))
	if code, _, stderr := run(t, "user", "add", "--", "--help"); code != exitUsage || !strings.Contains(stderr, "cannot start with -") {
		t.Errorf("user add -- --help: exit %d, %s", code, stderr)
	}
}

// Every command's help says what it does, its usage line, every flag
// and an example; each flag it defines is named in its usage line, so
// the top-level usage (and the completion scripts, made from it) list
// them all, render -q and submit --compat included.
func TestUsageListsEveryFlag(t *testing.T) {
	top := usage()
	flagLine := regexp.MustCompile(`^  (--?[a-z][a-z-]*)`)
	for _, c := range commands() {
		args := append(strings.Fields(c.name), "--help")
		code, out, stderr := run(t, args...)
		if code != exitOK {
			t.Errorf("%s: exit %d, %s", c.name, code, stderr)
			continue
		}
		if !strings.HasPrefix(out, c.does) || c.does == "" || !strings.Contains(out, "\nExample:\n  ") || !strings.Contains(out, "Usage:\n  "+c.line()+"\n") {
			t.Errorf("%s --help lacks what it does, its usage or an example:\n%s", c.name, out)
		}
		if !strings.Contains(top, "  "+c.line()+"\n") {
			t.Errorf("the usage lacks %q", c.line())
		}
		_, flags, _ := strings.Cut(out, "\nFlags:\n")
		flags, _, _ = strings.Cut(flags, "\n\n")
		named := completionFlags(c)
		for _, l := range strings.Split(flags, "\n") {
			if m := flagLine.FindStringSubmatch(l); m != nil && !slices.Contains(named, m[1]) {
				t.Errorf("%s defines %s, which its usage line %q does not name", c.name, m[1], c.line())
			}
		}
	}
	for _, want := range []string{"render ITEM... --brand DIR", "[-q]", "submit ITEM...", "--compat hugo|jekyll] [--wait]"} {
		if !strings.Contains(top, want) {
			t.Errorf("the usage lacks %q", want)
		}
	}
}

// A flag no command knows is a usage error, exit 2, at the top level and
// for the commands without flags of their own.
func TestUnknownFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"-x"}, {"version", "--no-such-flag"}, {"completion", "bash", "--no-such-flag"}, {"help", "--no-such-flag"}} {
		code, stdout, stderr := run(t, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, args[len(args)-1]) {
			t.Errorf("crosscast %s: exit %d, want %d; stdout %q, stderr %q", strings.Join(args, " "), code, exitUsage, stdout, stderr)
		}
	}
	// A flag missing its value is refused, not fed the next argument.
	for _, args := range [][]string{{"render", "x.md", "--brand"}, {"user", "add", "bob", "--role"}} {
		code, _, stderr := run(t, args...)
		if want := args[len(args)-1] + " needs a value"; code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("crosscast %s: exit %d, stderr %q; want %d and %q", strings.Join(args, " "), code, stderr, exitUsage, want)
		}
	}
	for _, args := range [][]string{{"version", "extra"}, {"completion"}, {"completion", "fish"}, {"help", "frobnicate"}} {
		if code, _, stderr := run(t, args...); code != exitUsage {
			t.Errorf("crosscast %s: exit %d, want %d; %s", strings.Join(args, " "), code, exitUsage, stderr)
		}
	}
}

// --version and version print the module version from the build info.
func TestVersion(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build info in this test binary")
	}
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, stderr := run(t, arg)
		if code != exitOK || !strings.HasPrefix(out, "crosscast "+bi.Main.Version) || strings.Count(out, "\n") != 1 {
			t.Errorf("crosscast %s: exit %d, %q %s; want crosscast %s", arg, code, out, stderr, bi.Main.Version)
		}
	}
}

// The built binary prints the module version the toolchain stamped into
// it, as `go version -m` reads it.
func TestVersionOfBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+mod\s+github.com/crosscast/crosscast\s+(\S+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("go version -m names no main module:\n%s", info)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "crosscast "+string(m[1])) {
		t.Errorf("crosscast --version: %q %v; want the module version %s", out, err, m[1])
	}
}

// While the bar is drawn, warnings wait; they follow the finished bar,
// each on its own line. A run that stops early still prints them.
func TestProgressBarWarnings(t *testing.T) {
	var b bytes.Buffer
	p := &progressBar{w: &b, total: 2, drawing: true}
	p.step(1, "a")
	p.warn("a.md:1:1: warning: one")
	p.step(2, "b")
	p.warn("b.md:2:1: warning: after the bar")
	if got := b.String(); !strings.HasSuffix(got, "2/2 b\na.md:1:1: warning: one\nb.md:2:1: warning: after the bar\n") {
		t.Errorf("got %q", got)
	}

	b.Reset()
	p = &progressBar{w: &b, total: 3, drawing: true}
	p.step(1, "a")
	p.warn("a.md:1:1: warning: one")
	p.finish()
	if got := b.String(); !strings.HasSuffix(got, "1/3 a\na.md:1:1: warning: one\n") {
		t.Errorf("stopped early: got %q", got)
	}
}

// The completion scripts complete commands, subcommands, flags and flag
// values, in bash and (when installed) zsh, whose compadd is stubbed.
func TestCompletion(t *testing.T) {
	cases := map[string]string{
		"crosscast ren":                   "render",
		"crosscast user ":                 "add passwd",
		"crosscast user add --":           "--role --email --password-stdin --help",
		"crosscast render x.md -":         "--brand -o --channels --compat --drafts --future --expired --jobs -q --help",
		"crosscast submit --co":           "--compat",
		"crosscast render --compat ":      "hugo jekyll",
		"crosscast token create --role e": "editor",
		"crosscast help us":               "user",
		"crosscast completion ":           "bash zsh",
	}
	shells := map[string]string{
		"bash": `COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _crosscast; echo "${COMPREPLY[*]}"`,
		// compadd prints what it is given, filtered by the word typed so
		// far as zsh itself would.
		"zsh": `compadd() { shift; local w; local -a out; for w in "$@"; do [[ $w == ${words[CURRENT]}* ]] && out+=($w); done; print -r -- "${out[*]}"; }
_files() { print files; }
words=("$@"); CURRENT=$#; _crosscast`,
	}
	for shell, call := range shells {
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("no %s: its completion is not tested", shell)
			continue
		}
		_, script, _ := run(t, "completion", shell)
		if shell == "zsh" {
			script = "compdef() { :; }\n" + script
		}
		for line, want := range cases {
			cmd := exec.Command(path, "-c", script+"\n"+call, shell)
			if shell == "bash" {
				cmd.Args = slices.Insert(cmd.Args, 1, "--norc")
			} else {
				cmd.Args = slices.Insert(cmd.Args, 1, "-f")
			}
			cmd.Args = append(cmd.Args, strings.Split(line, " ")...)
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Errorf("%s: %q completes to %q (%v), want %q", shell, line, out, err, want)
			}
		}
	}
}
