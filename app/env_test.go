package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers"
)

type env struct{ *pipetest.Env }

func newEnv(t *testing.T, s pipetest.Setup, extra ...renderers.Renderer) *env {
	return &env{pipetest.New(t, s, extra...)}
}

var setups = pipetest.Setups

func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	pipetest.WaitFor(t, d, what, cond)
}

func itemStatus(e *env, id string) (bool, string) { return e.ItemRendered(id) }

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func allRendered(e *env, ids []string) func() (bool, string) {
	return func() (bool, string) {
		n := 0
		for _, id := range ids {
			if ok, _ := itemStatus(e, id); ok {
				n++
			}
		}
		return n == len(ids), fmt.Sprintf("%d of %d rendered", n, len(ids))
	}
}
