package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
)

// submit implements `crosscast submit FILE|DIR --server URL [--wait]`:
// each item goes to POST /api/items as a multipart bundle.
func (m *Main) submit(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("submit", flag.ContinueOnError)
	fset.SetOutput(m.Stderr)
	srv := fset.String("server", envOr(envServer, "http://localhost:8080"), "crosscast server `URL`")
	brand := fset.String("brand", "", "brand `id` (default: the front matter's brand:)")
	compat := fset.String("compat", "", "read front matter written for `hugo|jekyll`")
	wait := fset.Bool("wait", false, "show each channel's progress until the item is rendered")
	timeout := fset.Duration("timeout", 5*time.Minute, "how long --wait waits")
	if err := fset.Parse(reorderFlags(fset, args)); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return usageError{"submit: give at least one item (a .md file, a bundle folder, or a folder of items)"}
	}
	token := os.Getenv(envToken)
	if token == "" {
		return usageError{"submit: set " + envToken + " to an API token (crosscast token create --role writer)"}
	}
	paths, err := expandItems(fset.Args())
	if err != nil {
		return err
	}
	c := &apiClient{base: strings.TrimRight(*srv, "/"), token: token, http: &http.Client{Timeout: 2 * time.Minute}}
	var failed content.Errors
	var urls []string
	for _, p := range paths {
		b := *brand
		if b == "" {
			b = brandOf(p)
		}
		res, err := c.submit(ctx, p, b, *compat)
		if err != nil {
			if ce, ok := err.(content.Errors); ok {
				failed = append(failed, ce...)
				continue
			}
			return err
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(m.Stderr, strings.Replace(w.String(), ": ", ": warning: ", 1))
		}
		state := "new version"
		if !res.Created {
			state = "unchanged"
		}
		fmt.Fprintf(m.Stdout, "%s: %s %d (%s)\n  %s%s\n", p, res.ID, res.Version, state, c.base, res.URL)
		urls = append(urls, res.URL)
	}
	if len(failed) > 0 {
		return failed
	}
	if *wait {
		wctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return c.wait(wctx, m, urls)
	}
	return nil
}

// brandOf guesses an item's brand from where it lies: inside a brand kit
// folder (one holding brand.yaml), as the examples are. Empty when not.
func brandOf(item string) string {
	abs, err := filepath.Abs(item)
	if err != nil {
		return ""
	}
	for dir := filepath.Dir(abs); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "brand.yaml")); err == nil {
			return filepath.Base(dir)
		}
	}
	return ""
}

type apiClient struct {
	base, token string
	http        *http.Client
}

type submitted struct {
	ID       string               `json:"id"`
	Version  int                  `json:"version"`
	Created  bool                 `json:"created"`
	URL      string               `json:"url"`
	Warnings []content.Diagnostic `json:"warnings"`
}

type apiErr struct {
	Error struct {
		Code    string               `json:"code"`
		Message string               `json:"message"`
		Errors  []content.Diagnostic `json:"errors"`
	} `json:"error"`
}

// submit sends one item: the Markdown file, and for a bundle every file
// in its folder, under their paths inside it.
func (c *apiClient) submit(ctx context.Context, mdPath, brand, compat string) (*submitted, error) {
	files := map[string]string{filepath.Base(mdPath): mdPath}
	if filepath.Base(mdPath) == "index.md" {
		dir := filepath.Dir(mdPath)
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			files[filepath.ToSlash(rel)] = p
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		// A lone file may reference images beside it; send those it names.
		src, err := os.ReadFile(mdPath)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(mdPath)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() && isImage(e.Name()) && bytes.Contains(src, []byte(e.Name())) {
				files[e.Name()] = filepath.Join(dir, e.Name())
			}
		}
		for _, sub := range []string{"images", "img"} {
			filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && isImage(d.Name()) {
					rel, _ := filepath.Rel(dir, p)
					if bytes.Contains(src, []byte(filepath.ToSlash(rel))) {
						files[filepath.ToSlash(rel)] = p
					}
				}
				return nil
			})
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"brand": brand, "compat": compat, "path": filepath.Base(mdPath)} {
		if v != "" {
			mw.WriteField(k, v)
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		data, err := os.ReadFile(files[n])
		if err != nil {
			return nil, err
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, n))
		h.Set("Content-Type", "application/octet-stream")
		w, _ := mw.CreatePart(h)
		w.Write(data)
	}
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/items", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out submitted
	if err := c.do(req, &out, mdPath); err != nil {
		return nil, err
	}
	return &out, nil
}

func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif":
		return true
	}
	return false
}

// do sends req and decodes a 2xx JSON answer into out. An API error
// comes back as content.Errors naming the local file, so the writer sees
// the same file:line: field: message as from `crosscast render`.
func (c *apiClient) do(req *http.Request, out any, localPath string) error {
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 == 2 {
		return json.Unmarshal(raw, out)
	}
	var ae apiErr
	if json.Unmarshal(raw, &ae) != nil || ae.Error.Message == "" {
		return fmt.Errorf("server answered %s: %s", resp.Status, bytes.TrimSpace(raw))
	}
	if len(ae.Error.Errors) > 0 && localPath != "" {
		ds := content.Errors(ae.Error.Errors)
		for i := range ds {
			ds[i].File = filepath.Join(filepath.Dir(localPath), ds[i].File)
		}
		return ds
	}
	return fmt.Errorf("server answered %s: %s", resp.Status, ae.Error.Message)
}

// wait polls each item until every channel is final, printing a line
// whenever a channel's status changes.
func (c *apiClient) wait(ctx context.Context, m *Main, urls []string) error {
	type state struct {
		Item struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"item"`
		Renderings []struct {
			Channel    string `json:"channel"`
			Status     string `json:"status"`
			Error      string `json:"error"`
			DurationMS int64  `json:"duration_ms"`
		} `json:"renderings"`
	}
	seen := map[string]string{}
	pending := slices.Clone(urls)
	failed := false
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for len(pending) > 0 {
		var still []string
		for _, u := range pending {
			req, err := http.NewRequestWithContext(ctx, "GET", c.base+u, nil)
			if err != nil {
				return err
			}
			var st state
			if err := c.do(req, &st, ""); err != nil {
				return err
			}
			for _, r := range st.Renderings {
				key := st.Item.ID + "/" + r.Channel
				if seen[key] == r.Status {
					continue
				}
				seen[key] = r.Status
				line := fmt.Sprintf("  %-40s %-8s %s", st.Item.ID, r.Channel, r.Status)
				if r.Status == "rendered" {
					line += fmt.Sprintf(" (%d ms)", r.DurationMS)
				}
				if r.Error != "" {
					line += ": " + r.Error
				}
				fmt.Fprintln(m.Stdout, line)
			}
			switch st.Item.Status {
			case "rendered":
			case "failed":
				failed = true
			default:
				still = append(still, u)
			}
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up waiting: %d item(s) not rendered yet", len(pending))
		case <-tick.C:
		}
	}
	if failed {
		return fmt.Errorf("some renderings failed (see above)")
	}
	return nil
}
