package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one subcommand's help: the top-level usage, its --help and
// the shell completion scripts are all made from these.
type command struct {
	name     string // "render", "user add"
	synopsis string // what follows "crosscast name": arguments, then every flag
	does     string // what it does, in a sentence or three
	args     string // its arguments, one "NAME  meaning" per line; empty for none
	example  string // one or more command lines
}

// commands lists every subcommand in the order the usage shows them.
// TestUsageListsEveryFlag checks each synopsis names every flag the
// command defines.
func commands() []command {
	const item = "ITEM  a Markdown file, a bundle folder holding index.md and its images,\n      or a folder of such items"
	return []command{
		{
			name:     "render",
			synopsis: "ITEM... --brand DIR [-o DIR] [--channels LIST] [--compat hugo|jekyll] [--drafts] [--future] [--expired] [--jobs N] [-q]",
			does: "Renders items into every channel's files on this machine, without a server, into\n" +
				"OUT/BRAND/SLUG/CHANNEL/. Every item that parses and renders is written, each\n" +
				"folder swapped in whole; every problem prints as file:line:col, and any exits 1.\n" +
				"Under --compat a folder is a Hugo content folder or Jekyll site, walked as its\n" +
				"generator does: drafts, future and expired pages, headless bundles and section\n" +
				"pages are skipped with a note; relative links point at the pages they name.",
			args:    item + "\n      (under --compat: a Hugo content folder or a Jekyll site)",
			example: "crosscast render examples/kestrel/items --brand examples/kestrel -o out\ncrosscast render --compat hugo site/content --brand examples/kestrel",
		},
		{
			name:     "preview",
			synopsis: "ITEM --brand DIR [--addr 127.0.0.1:8090] [--compat hugo|jekyll] [--poll 300ms]",
			does: "Serves the editor's four-channel preview of one local item, rendered again each\n" +
				"time the item or the brand kit is saved; errors show with file and line.",
			args:    "ITEM  a Markdown file or a bundle folder holding index.md and its images",
			example: "crosscast preview examples/kestrel/items/ridgeline-2-launch --brand examples/kestrel",
		},
		{
			name:     "serve",
			synopsis: "[--addr :8080] [--brands DIR] [--workers N]",
			does: "Runs the HTTP API, the editor UI, the workers and the reconciler in one process,\n" +
				"after migrating the database. Without REDIS_URL and DATABASE_URL it uses an\n" +
				"in-process Redis and ./data/crosscast.db. On its first start it prints an admin\n" +
				"API token and the password of the editor UI's admin user, once.",
			example: "crosscast serve --brands examples",
		},
		{
			name:     "worker",
			synopsis: "[--concurrency N] [--metrics ADDR]",
			does: "Runs task workers (and a reconciler) only, sharing REDIS_URL, which it needs, and\n" +
				"DATABASE_URL with serve and any number of other workers. --metrics serves\n" +
				"/metrics (Prometheus) and /healthz on ADDR.",
			example: "REDIS_URL=redis://queue:6379/0 DATABASE_URL=postgres://crosscast@db/crosscast \\\n  crosscast worker --concurrency 4",
		},
		{
			name:     "submit",
			synopsis: "ITEM... [--server URL] [--brand ID] [--compat hugo|jekyll] [--wait] [--timeout 5m] [--drafts] [--future] [--expired] [--jobs N]",
			does: "Sends items to a crosscast server as multipart bundles, with the API token in\n" +
				"CROSSCAST_TOKEN, and prints each item's URL, or its problems as file:line:col.\n" +
				"--wait then prints each channel's status until every item is rendered.",
			args:    item,
			example: "export CROSSCAST_TOKEN=cc_...   # from crosscast token create\ncrosscast submit examples/kestrel/items --wait",
		},
		{
			name:    "migrate",
			does:    "Applies the embedded database migrations to DATABASE_URL (serve does this itself).",
			example: "DATABASE_URL=postgres://crosscast@db/crosscast crosscast migrate",
		},
		{
			name:     "token create",
			synopsis: "--role writer|editor|admin [--name NAME]",
			does:     "Creates an API token and prints its secret, once; only its hash is stored.",
			example:  "crosscast token create --role writer --name laptop",
		},
		{
			name:     "user add",
			synopsis: "NAME [--role writer|editor|admin] [--email ADDRESS] [--password-stdin]",
			does: "Adds a user of the editor UI. Without --password-stdin a password is made up and\n" +
				"printed, once. Passwords are stored as bcrypt hashes. --email is where the user's\n" +
				"\"Send a test to me\" emails go.",
			args:    "NAME  the name the user signs in with: letters, digits and . _ - @, not starting with -",
			example: "crosscast user add ann --role editor",
		},
		{
			name:     "user passwd",
			synopsis: "NAME [--password-stdin]",
			does: "Sets a user's password, made up and printed once without --password-stdin, and\n" +
				"ends their sessions.",
			args:    "NAME  the user's name",
			example: "printf '%s\\n' \"$NEW_PASSWORD\" | crosscast user passwd ann --password-stdin",
		},
		{
			name:     "digest preview",
			synopsis: "--brand ID [--digest ID] [--since DATE] [-o DIR]",
			does: "Renders what each digest of a stored brand (or only --digest) would send now:\n" +
				"the items published since its last run (or since DATE, 2026-11-23 or RFC 3339),\n" +
				"from the store DATABASE_URL names, which it only reads. Writes DIR/DIGEST/email/\n" +
				"(email.html, email.txt, email.eml) and DIR/DIGEST/item/ (the archive page's\n" +
				"Markdown); a digest with nothing new prints so and writes nothing.",
			example: "crosscast digest preview --brand kestrel --since 2026-11-23 -o out/digest",
		},
		{
			name: "bench",
			synopsis: "[--items N] [--text-items N] [--procs N] [--concurrency N] [--brand DIR] [--cpuprofile FILE]\n" +
				"  crosscast bench render [--items N,N] [--brand DIR] [--hugo CMD]",
			does: "Measures the whole pipeline (submit to every channel rendered) on generated items\n" +
				"with photos, with the workers in this process or in --procs worker processes:\n" +
				"throughput, latency, CPU per item by channel and peak memory. `bench render`\n" +
				"times `crosscast render` of generated text-only pages (portal only and every\n" +
				"channel) beside Hugo building the same pages: wall, CPU and peak RSS of each.\n" +
				"bench send [--recipients N] [--latency D] [--procs N] [--rate R]\n" +
				"[--connections N] [--batch N] [--fail-every N] sends one newsletter through a\n" +
				"loopback SMTP sink and checks nobody got it twice. Figures are printed, never\n" +
				"asserted.",
			example: "crosscast bench --items 40 --procs 2 --concurrency 1\n" +
				"crosscast bench render --items 1000,10000   # crosscast render beside hugo\n" +
				"crosscast bench send --recipients 1000000 --latency 20ms --procs 2   # email: a list through a loopback sink",
		},
		{
			name:     "source check",
			synopsis: "ID --brand ID",
			does: "Fetches one of a brand's sources (a feed or a folder) once and prints what a run\n" +
				"would create, update, leave unchanged or skip, with the warnings; it writes\n" +
				"nothing. Uses DATABASE_URL, like the server.",
			args:    "ID  the source's id under sources: in the brand's brand.yaml",
			example: "crosscast source check blog --brand kestrel",
		},
		{
			name:     "source list",
			synopsis: "[--brand ID]",
			does:     "Lists every brand's sources with their last fetch, status, next run, the items\nthey made and their last error.",
			example:  "crosscast source list --brand kestrel",
		},
		{
			name:    "config",
			does:    "Prints every setting in effect and whether it came from the environment or is the\ndefault; passwords in URLs show as xxxxx, the token only as set or not.",
			example: "DATABASE_URL=postgres://crosscast:secret@db/crosscast crosscast config",
		},
		{
			name:     "form",
			synopsis: "--brand ID [--brands DIR] [--url URL] [--lang LANG]",
			does: "Prints the newsletter sign-up form the portal pages carry, with its style, for\n" +
				"pasting into the brand's own site: address, language, the brand's email.topics,\n" +
				"a honeypot and the form's version, posting to URL/s/ID (double opt-in as the\n" +
				"brand sets it). URL is the server's public address, CROSSCAST_PUBLIC_URL.",
			example: "crosscast form --brand kestrel --brands examples --url https://news.kestrel.example",
		},
		{
			name:     "completion",
			synopsis: "bash|zsh",
			does:     "Prints a script that completes crosscast's commands and flags in bash or zsh.",
			args:     "SHELL  bash or zsh",
			example:  "source <(crosscast completion bash)   # in ~/.bashrc\nsource <(crosscast completion zsh)    # in ~/.zshrc, after compinit",
		},
		{
			name:    "version",
			does:    "Prints crosscast's version from its build: the module version and, when built\nfrom a checkout, the VCS revision and its time. crosscast --version does the same.",
			example: "crosscast version",
		},
	}
}

// lookupCommand finds the help of a subcommand by name ("user add").
func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// line is the command's usage line.
func (c command) line() string {
	return strings.TrimSpace("crosscast " + c.name + " " + c.synopsis)
}

// usage is the top-level usage text.
func usage() string {
	var b strings.Builder
	b.WriteString("crosscast turns one Markdown item into email, social, portal and catalog renderings.\n\nUsage:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %s\n", c.line())
	}
	b.WriteString(`  crosscast help [COMMAND]

ITEM is a Markdown file, a bundle folder holding index.md and its images, or a
folder of such items.

serve runs the HTTP API, the workers and the reconciler in one process;
worker runs workers only. Both read REDIS_URL and DATABASE_URL; without
them serve uses an in-process Redis and ./data/crosscast.db. submit reads
its API token from CROSSCAST_TOKEN. config prints every setting in effect,
with secrets masked; README.md explains each variable.

crosscast COMMAND --help says what a command does, its arguments, its flags
and an example.
`)
	return b.String()
}

// groupUsage is the help of a command with subcommands ("user"): each
// subcommand's usage line and what it does.
func groupUsage(w io.Writer, group string) {
	fmt.Fprint(w, "Usage:\n")
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(w, "  %s\n", c.line())
		}
	}
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(w, "\ncrosscast %s: %s\n", c.name, firstSentence(c.does))
		}
	}
	fmt.Fprintf(w, "\ncrosscast %s SUBCOMMAND --help shows the subcommand's flags and an example.\n", group)
}

func firstSentence(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// subUsage prints a subcommand's help: what it does, its usage line, its
// arguments, every flag and an example.
func subUsage(w io.Writer, fset *flag.FlagSet) {
	c, ok := lookupCommand(fset.Name())
	if !ok {
		c = command{name: fset.Name()}
	}
	if c.does != "" {
		fmt.Fprintf(w, "%s\n\n", c.does)
	}
	fmt.Fprintf(w, "Usage:\n  %s\n", c.line())
	if c.args != "" {
		fmt.Fprintf(w, "\nArguments:\n%s\n", indent(c.args))
	}
	if hasFlags(fset) {
		fmt.Fprint(w, "\nFlags:\n")
		printFlags(w, fset)
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nExample:\n%s\n", indent(c.example))
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

func hasFlags(fset *flag.FlagSet) bool {
	n := 0
	fset.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printFlags lists fset's flags as people type them (--brand, -q), with
// their value's name, meaning and default.
func printFlags(w io.Writer, fset *flag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fset.VisitAll(func(f *flag.Flag) {
		value, meaning := flag.UnquoteUsage(f)
		name := flagName(f.Name)
		if value != "" {
			name += " " + value
		}
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			meaning += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, meaning)
	})
	tw.Flush()
}

// flagName spells a flag the way the usage does: -q, --brand.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
