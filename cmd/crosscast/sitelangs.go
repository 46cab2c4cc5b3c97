package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/safefs"
)

// hugoLangDirs finds the config of the Hugo project dir is (or is the
// content folder of) and returns its languages' content folders below
// dir: folder → language, nil when it names none.
func hugoLangDirs(dir string) (map[string]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, project := range []string{abs, filepath.Dir(abs)} {
		for _, n := range []string{"hugo", "config"} {
			for _, ext := range []string{".toml", ".yaml", ".yml"} {
				file := filepath.Join(project, n+ext)
				if !exists(file) {
					continue
				}
				src, err := safefs.ReadFile(os.DirFS(project), n+ext, content.MaxHugoConfig+1)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				dirs, err := content.HugoLangDirs(src, ext)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				return belowDir(dirs, project, abs), nil
			}
		}
	}
	return nil, nil
}

// belowDir re-roots the project-relative folders in dirs at dir, leaving
// out those outside it.
func belowDir(dirs map[string]string, project, dir string) map[string]string {
	var out map[string]string
	for d, lang := range dirs {
		rel, err := filepath.Rel(dir, filepath.Join(project, filepath.FromSlash(d)))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[filepath.ToSlash(rel)] = lang
	}
	return out
}
