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
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, SetMemoryLimit: debug.SetMemoryLimit}
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
	// SetMemoryLimit sets the process's soft memory limit
	// (debug.SetMemoryLimit) for the commands that run workers or render
	// many items; nil, as
	// in tests that run several commands in one process, leaves it.
	SetMemoryLimit func(int64) int64
}

// limitMemory applies cfg's memory limit, after the command's flags set
// its concurrency, unless GOMEMLIMIT set one.
func (m *Main) limitMemory(cfg Config) {
	getenv := m.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if m.SetMemoryLimit == nil || getenv("GOMEMLIMIT") != "" {
		return
	}
	m.SetMemoryLimit(int64(cfg.memoryLimitMB()) << 20)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // bad input or a failed rendering
	exitUsage = 2
)

// Run runs the command line args and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage())
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
		err = m.render(ctx, cfg, args[1:])
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
	case "digest":
		err = m.digest(ctx, cfg, args[1:])
	case "config":
		err = m.config(cfg, args[1:])
	case "source":
		err = m.source(ctx, cfg, args[1:])
	case "completion":
		err = m.completion(args[1:])
	case "form":
		err = m.form(cfg, args[1:])
	case "version", "-version", "--version":
		err = m.version(args[1:])
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			// help render is render --help, which acts on nothing.
			return m.Run(ctx, append(args[1:], "--help"))
		}
		fmt.Fprint(m.Stdout, usage())
		return exitOK
	default:
		what := "command"
		if strings.HasPrefix(args[0], "-") {
			what = "flag"
		}
		fmt.Fprintf(m.Stderr, "crosscast: unknown %s %q\n\n%s", what, args[0], usage())
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
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			// Help wins wherever it stands, even where a flag's value
			// would go (user add --role --help): it never acts.
			subUsage(m.Stdout, fset)
			return flag.ErrHelp
		}
	}
	err := fset.Parse(reorderFlags(fset, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		subUsage(m.Stdout, fset)
		return flag.ErrHelp
	case err != nil:
		msg := err.Error()
		// Name the flag as the usage spells it (--brand, not -brand).
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			msg = "unknown flag " + flagName(name)
		} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
			msg = flagName(name) + " needs a value"
		}
		return usageError{fmt.Sprintf("%s: %s (crosscast %s --help lists its flags)", fset.Name(), msg, fset.Name())}
	case fset.NArg() < minArgs || (maxArgs >= 0 && fset.NArg() > maxArgs):
		c, _ := lookupCommand(fset.Name())
		return usageError{fmt.Sprintf("%s: usage: %s (crosscast %s --help says more)", fset.Name(), c.line(), fset.Name())}
	}
	return nil
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "--h"
}

func (e usageError) Error() string { return e.msg }
