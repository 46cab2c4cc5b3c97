package main

import (
	"flag"
	"fmt"
	"runtime/debug"
	"strings"
)

// build is what the binary knows of how it was built, from the build
// information the Go toolchain embeds.
type build struct {
	module, version string
	revision, time  string // VCS, when built from a checkout
	modified        bool   // the checkout had uncommitted changes
	goVersion       string
}

func readBuild() build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return build{version: "unknown"}
	}
	b := build{module: bi.Main.Path, version: bi.Main.Version, goVersion: bi.GoVersion}
	if b.version == "" {
		b.version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// short is the version in one word or two, for /healthz: the module
// version, which for a build from a checkout already names the revision;
// a "(devel)" build adds the revision itself.
func (b build) short() string {
	if b.version == "(devel)" && b.revision != "" {
		return b.version + " " + shortRev(b.revision)
	}
	return b.version
}

// String is the line `crosscast --version` prints.
func (b build) String() string {
	var details []string
	if b.revision != "" {
		details = append(details, "revision "+shortRev(b.revision))
	}
	if b.time != "" {
		details = append(details, b.time)
	}
	if b.modified {
		details = append(details, "modified")
	}
	if b.goVersion != "" {
		details = append(details, b.goVersion)
	}
	s := "crosscast " + b.version
	if len(details) > 0 {
		s += " (" + strings.Join(details, ", ") + ")"
	}
	return s
}

func shortRev(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

// version implements `crosscast version` and `crosscast --version`.
func (m *Main) version(args []string) error {
	if err := m.parseFlags(flag.NewFlagSet("version", flag.ContinueOnError), args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, readBuild())
	return nil
}
