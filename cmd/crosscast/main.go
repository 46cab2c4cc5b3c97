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
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its streams as fields so tests run it in
// process.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
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

ITEM is a Markdown file, a bundle folder holding index.md and its images, or a
folder of such items.
`

// Run runs the command line args and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "render":
		err = m.render(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(m.Stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(m.Stderr, "crosscast: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(m.Stderr, "crosscast: %v\n", err)
		}
		return exitUsage
	default:
		fmt.Fprintln(m.Stderr, err)
		return exitError
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
