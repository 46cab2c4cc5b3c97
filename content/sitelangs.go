package content

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// walkLangDirs walks each language's content folder as a content root.
func (s *Site) walkLangDirs() error {
	dirs := make([]string, 0, len(s.opts.LangDirs))
	for d := range s.opts.LangDirs {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	defer func() { s.langRoot, s.dirLang = "", "" }()
	for _, d := range dirs {
		s.langRoot, s.dirLang = path.Clean(d), s.opts.LangDirs[d]
		if err := s.walkHugo(s.langRoot, nil); err != nil {
			return err
		}
	}
	return nil
}

// inLangRoot is dir below the language folder being walked: "." for the
// folder itself.
func (s *Site) inLangRoot(dir string) string {
	if s.langRoot == "" || s.langRoot == "." {
		return dir
	}
	if dir == s.langRoot {
		return "."
	}
	return strings.TrimPrefix(dir, s.langRoot+"/")
}

// MaxHugoConfig bounds the Hugo config HugoLangDirs reads.
const MaxHugoConfig = 256 << 10

// HugoLangDirs reads from a Hugo config file (hugo.toml, config.toml or
// their YAML forms, by ext) the content folder of each language that
// names one (languages.<lang>.contentDir), relative to the project, and
// nothing else: folder → language. A config without contentDir gives
// nil; one that cannot be read is an error.
func HugoLangDirs(src []byte, ext string) (map[string]string, error) {
	if len(src) > MaxHugoConfig {
		return nil, fmt.Errorf("the Hugo config is over %d bytes", MaxHugoConfig)
	}
	var cfg struct {
		Languages map[string]struct {
			ContentDir string `toml:"contentDir" yaml:"contentDir"`
		} `toml:"languages" yaml:"languages"`
	}
	var err error
	switch ext {
	case ".toml":
		err = toml.Unmarshal(src, &cfg)
	case ".yaml", ".yml":
		var doc yaml.Node
		if err = yaml.Unmarshal(src, &doc); err == nil && len(doc.Content) > 0 {
			d := &diags{}
			if rejectYAMLExtras(d, &doc) {
				return nil, fmt.Errorf("the Hugo config uses YAML anchors, aliases or tags")
			}
			err = doc.Content[0].Decode(&cfg)
		}
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Hugo config: %w", err)
	}
	var out map[string]string
	for lang, l := range cfg.Languages {
		if l.ContentDir == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[path.Clean(strings.ReplaceAll(l.ContentDir, "\\", "/"))] = strings.ToLower(lang)
	}
	return out, nil
}
