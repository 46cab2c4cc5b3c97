package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/worker"
)

// source implements `crosscast source check|list`: a brand's sources as
// the configured store knows them, and a dry run of one.
func (m *Main) source(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		groupUsage(m.Stdout, "source")
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "check" && args[0] != "list") {
		what := ""
		if len(args) > 0 {
			what = fmt.Sprintf("unknown subcommand %q; ", args[0])
		}
		return usageError{"source: " + what + "the subcommands are check and list (crosscast source --help)"}
	}
	fset := flag.NewFlagSet("source "+args[0], flag.ContinueOnError)
	brand := fset.String("brand", "", "the brand `ID` whose sources to use")
	n := 0
	if args[0] == "check" {
		n = 1
	}
	if err := m.parseFlags(fset, args[1:], n, n); err != nil {
		return err
	}
	if args[0] == "check" && *brand == "" {
		return usageError{"source check: --brand is required"}
	}
	db, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	// No queue: check writes nothing and list only reads.
	svc := app.New(app.Config{Store: db, Logger: slog.New(slog.DiscardHandler)})
	if args[0] == "list" {
		return m.sourceList(ctx, svc, *brand)
	}
	rep, err := svc.CheckSource(ctx, *brand, fset.Arg(0))
	if err != nil {
		return err
	}
	if rep.NotModified {
		fmt.Fprintln(m.Stdout, "not modified since the last fetch")
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tITEM\tTITLE\tNOTE")
	for _, e := range rep.Entries {
		note := e.Reason
		if note == "" && len(e.Warnings) > 0 {
			note = strings.Join(e.Warnings, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Action, e.ItemID, e.Title, oneLine(note))
	}
	tw.Flush()
	for _, w := range rep.Warnings {
		fmt.Fprintf(m.Stdout, "warning: %s\n", oneLine(w))
	}
	fmt.Fprintf(m.Stdout, "would create %d, update %d; %d unchanged, %d skipped (nothing was written)\n",
		rep.Count(app.SourceCreate), rep.Count(app.SourceUpdate), rep.Count(app.SourceUnchanged), rep.Count(app.SourceSkip))
	return nil
}

func (m *Main) sourceList(ctx context.Context, svc *app.Service, brand string) error {
	srcs, err := svc.Sources(ctx, brand)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BRAND\tSOURCE\tKIND\tPOLICY\tSTATUS\tLAST FETCH\tNEXT RUN\tCREATED\tUPDATED\tERROR")
	for _, s := range srcs {
		st := s.State
		status := st.Status
		if status == "" {
			status = "new"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.Brand, s.ID, s.Kind, s.Policy, status,
			when(st.LastFetch), when(st.NextRun), st.Created, st.Updated, oneLine(st.Error))
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// watchersPart runs the folder sources' watchers in a worker process
// (serve's included) until ctx ends.
func watchersPart(svc *app.Service, log *slog.Logger) part {
	return part{"folder watchers", func(ctx context.Context) error {
		worker.RunFolderWatchers(ctx, svc, worker.WatchConfig{}, log)
		return nil
	}}
}
