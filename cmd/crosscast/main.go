// Command crosscast turns Markdown items into branded, cross-linked
// renderings for email, social networks, a web portal and a catalog.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its streams and environment as fields so
// tests run it in process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv is where the configuration comes from; nil means os.Getenv.
	Getenv func(string) string
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // bad input or a failed rendering
	exitUsage = 2
)

const usage = `crosscast turns one Markdown item into email, social, portal and catalog renderings.

Usage:
  crosscast render ITEM... --brand DIR [-o OUT] [--channels portal] [--compat hugo|jekyll]
  crosscast preview ITEM --brand DIR [--addr 127.0.0.1:8090]
  crosscast serve [--addr :8080] [--brands DIR] [--workers N]
  crosscast worker [--concurrency N]
  crosscast submit ITEM... [--server URL] [--brand ID] [--wait]
  crosscast migrate
  crosscast token create --role writer|editor|admin [--name NAME]
  crosscast user add NAME [--role writer|editor|admin] [--password-stdin]
  crosscast user passwd NAME [--password-stdin]
  crosscast bench [--items N] [--procs N]
  crosscast config

ITEM is a Markdown file, a bundle folder holding index.md and its images, or a
folder of such items.

serve runs the HTTP API, the workers and the reconciler in one process;
worker runs workers only. Both read REDIS_URL and DATABASE_URL; without
them serve uses an in-process Redis and ./data/crosscast.db. submit reads
its API token from CROSSCAST_TOKEN. config prints every setting in effect,
with secrets masked; README.md explains each variable.
`

// Run runs the command line args and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitUsage
	}
	getenv := m.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := loadConfig(getenv) // the one read of the environment
	var err error
	switch args[0] {
	case "render":
		err = m.render(ctx, args[1:])
	case "serve":
		err = m.serve(ctx, cfg, args[1:])
	case "worker":
		err = m.work(ctx, cfg, args[1:])
	case "submit":
		err = m.submit(ctx, cfg, args[1:])
	case "migrate":
		err = m.migrate(ctx, cfg, args[1:])
	case "token":
		err = m.token(ctx, cfg, args[1:])
	case "preview":
		err = m.preview(ctx, args[1:])
	case "user":
		err = m.user(ctx, cfg, args[1:])
	case "bench":
		err = m.bench(ctx, cfg, args[1:])
	case "config":
		err = m.config(cfg, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(m.Stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(m.Stderr, "crosscast: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // help was asked for and shown
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "crosscast: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintln(m.Stderr, err)
		return exitError
	}
}

type usageError struct{ msg string }

// parseFlags parses a subcommand's flags (before or after its
// arguments) and checks it got between minArgs and maxArgs arguments
// (maxArgs < 0: any number). -h, -help or --help prints the subcommand's
// usage on stdout and returns flag.ErrHelp, which exits 0; a flag it
// does not know, or the wrong number of arguments, is a usage error
// (exit 2).
func (m *Main) parseFlags(fset *flag.FlagSet, args []string, minArgs, maxArgs int) error {
	fset.SetOutput(io.Discard) // the errors are reported below, once
	err := fset.Parse(reorderFlags(fset, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		m.subUsage(m.Stdout, fset)
		return flag.ErrHelp
	case err != nil:
		return usageError{fmt.Sprintf("%s: %v (crosscast %s --help lists its flags)", fset.Name(), err, fset.Name())}
	case fset.NArg() < minArgs || (maxArgs >= 0 && fset.NArg() > maxArgs):
		return usageError{fmt.Sprintf("%s: usage: %s", fset.Name(), strings.Join(synopsis(fset.Name()), "\n  "))}
	}
	return nil
}

// subUsage prints a subcommand's synopsis and flags.
func (m *Main) subUsage(w io.Writer, fset *flag.FlagSet) {
	fmt.Fprintf(w, "Usage:\n  %s\n", strings.Join(synopsis(fset.Name()), "\n  "))
	var flags strings.Builder
	fset.SetOutput(&flags)
	fset.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
}

// synopsis returns the usage lines of command cmd ("render", "user add")
// from the program's usage text.
func synopsis(cmd string) []string {
	var out []string
	for _, l := range strings.Split(usage, "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, "crosscast "+cmd); ok && (rest == "" || rest[0] == ' ') {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{"crosscast " + cmd}
	}
	return out
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "--h"
}

func (e usageError) Error() string { return e.msg }
