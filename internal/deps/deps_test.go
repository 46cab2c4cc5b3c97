// Package deps checks that imports flow one way: cmd → server and worker
// → app (the service) → tasks, publish and renderers → store and
// content. It reads every package's non-test imports with go/build, so
// it needs neither the network nor a build.
package deps_test

import (
	"go/build"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crosscast/crosscast/internal/testenv"
)

const module = "github.com/crosscast/crosscast"

const asynq = "github.com/hibiken/asynq"

// rules lists, for each package (a folder and those under it), what it
// must not depend on, directly or through another package of the
// module.
var rules = []struct {
	pkg string
	not []string
}{
	{"content", []string{"store", "renderers", "templates", "publish", "tasks", "app", "worker", "server", "cmd"}},
	{"store", []string{"renderers", "publish", "tasks", "app", "worker", "server", "cmd", asynq}},
	{"renderers", []string{"store", "publish", "tasks", "app", "worker", "server", "cmd", asynq}},
	{"publish", []string{"store", "tasks", "app", "worker", "server", "cmd", asynq}},
	// bounce is pure: parsers, verifiers and a handler over an interface.
	{"bounce", []string{"content", "store", "renderers", "templates", "publish", "tasks", "app", "worker", "server", "cmd", asynq}},
	// ingest is pure apart from the HTTP client it is handed.
	{"ingest", []string{"store", "renderers", "templates", "publish", "tasks", "app", "worker", "server", "cmd", asynq}},
	{"tasks", []string{"renderers", "publish", "app", "worker", "server", "cmd", asynq}},
	{"app", []string{"worker", "server", "cmd", asynq}},
	{"worker", []string{"server", "cmd"}},
	{"server", []string{"worker", "cmd"}},
}

func TestImportsFlowOneWay(t *testing.T) {
	imports := moduleImports(t, testenv.RepoRoot(t))
	for _, want := range []string{"app", "tasks", "worker", "server", "store"} {
		if _, ok := imports[want]; !ok {
			t.Fatalf("package %s not found; the walk is broken (found %d packages)", want, len(imports))
		}
	}
	for _, v := range violations(imports) {
		t.Error(v + " (see docs/architecture.md)")
	}
}

// The check finds a forbidden edge however deep it is.
func TestViolationsFindsIndirectEdges(t *testing.T) {
	imports := map[string][]string{
		"app":        {"tasks", "publish"},
		"tasks":      {"store"},
		"publish":    {"content", "internal/x"},
		"internal/x": {"worker"},
		"worker":     {"app", asynq},
		"store":      {"content"},
		"content":    nil,
	}
	got := violations(imports)
	want := []string{
		"app depends on worker; app must not",
		"app depends on " + asynq + "; app must not",
		"publish depends on worker; publish must not",
		"publish depends on " + asynq + "; publish must not",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing %q in %q", w, got)
		}
	}
}

// violations lists every dependency the rules forbid.
func violations(imports map[string][]string) []string {
	deps := map[string][]string{} // package → everything it depends on
	var closure func(pkg string, seen map[string]bool) []string
	closure = func(pkg string, seen map[string]bool) []string {
		if d, ok := deps[pkg]; ok {
			return d
		}
		if seen[pkg] {
			return nil // a cycle: the compiler reports it
		}
		seen[pkg] = true
		var all []string
		for _, imp := range imports[pkg] {
			all = append(all, imp)
			if _, inModule := imports[imp]; inModule {
				all = append(all, closure(imp, seen)...)
			}
		}
		slices.Sort(all)
		all = slices.Compact(all)
		deps[pkg] = all
		return all
	}
	var out []string
	for _, pkg := range slices.Sorted(maps.Keys(imports)) {
		for _, r := range rules {
			if !under(pkg, r.pkg) {
				continue
			}
			for _, dep := range closure(pkg, map[string]bool{}) {
				for _, not := range r.not {
					if under(dep, not) {
						out = append(out, pkg+" depends on "+dep+"; "+r.pkg+" must not")
					}
				}
			}
		}
	}
	return out
}

// under reports whether pkg is dir or a package under it.
func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// moduleImports returns each package of the module under root, by its
// path relative to the module, with its non-test imports: the module's
// own relative to it too, others as they are.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || name == "vendor") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if _, ok := err.(*build.NoGoError); ok {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		var imps []string
		for _, imp := range p.Imports {
			switch {
			case imp == module:
				imps = append(imps, ".")
			case strings.HasPrefix(imp, module+"/"):
				imps = append(imps, strings.TrimPrefix(imp, module+"/"))
			case strings.Contains(imp, "."): // not the standard library
				imps = append(imps, imp)
			}
		}
		out[filepath.ToSlash(rel)] = imps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
