package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/safefs"
)

// submit implements `crosscast submit FILE|DIR --server URL [--wait]`:
// each item goes to POST /api/items as a multipart bundle.
func (m *Main) submit(ctx context.Context, cfg Config, args []string) error {
	fset := flag.NewFlagSet("submit", flag.ContinueOnError)
	srv := fset.String("server", cfg.Server, "crosscast server `URL`")
	brand := fset.String("brand", "", "brand `id` (default: the front matter's brand:)")
	compat := fset.String("compat", "", "read front matter written for `hugo|jekyll`")
	wait := fset.Bool("wait", false, "show each channel's progress until the item is rendered")
	timeout := fset.Duration("timeout", 5*time.Minute, "how long --wait waits")
	jobs := fset.Int("jobs", 4, "items sent at once")
	sf := addSiteFlags(fset)
	if err := m.parseFlags(fset, args, 0, -1); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return usageError{"submit: give at least one item (a .md file, a bundle folder, or a folder of items)"}
	}
	token := cfg.Token
	if token == "" {
		return usageError{"submit: set " + envToken + " to an API token (crosscast token create --role writer)"}
	}
	srcs, failed, done, err := sources(fset.Args(), *compat, "", sf, m.Stderr)
	if err != nil {
		return err
	}
	defer done()
	c := &apiClient{base: strings.TrimRight(*srv, "/"), token: token, http: &http.Client{Timeout: 2 * time.Minute}}
	type sent struct {
		res *submitted
		err error
	}
	// Several items are in flight at once (the server validates each as
	// it comes); what is printed keeps the order they were given in. An
	// error other than the item's own stops the run.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var urls []string
	err = inOrder(ctx, *jobs, len(srcs), func(ctx context.Context, i int) sent {
		b := *brand
		if b == "" {
			b = brandOf(srcs[i].path)
		}
		res, err := c.submit(ctx, srcs[i], b, *compat)
		return sent{res, err}
	}, func(i int, r sent) {
		p := srcs[i].path
		if r.err != nil {
			if ce, ok := r.err.(content.Errors); ok {
				failed = append(failed, ce...)
				return
			}
			stop(r.err) // inOrder returns it
			return
		}
		for _, w := range r.res.Warnings {
			fmt.Fprintln(m.Stderr, strings.Replace(w.String(), ": ", ": warning: ", 1))
		}
		state := "new version"
		if !r.res.Created {
			state = "unchanged"
		}
		fmt.Fprintf(m.Stdout, "%s: %s %d (%s)\n  %s%s\n", p, r.res.ID, r.res.Version, state, c.base, r.res.URL)
		urls = append(urls, r.res.URL)
	})
	if err != nil {
		return err
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
// in its folder, under their paths inside it. Under compat the Markdown
// carries what its site says about it (see prepare).
func (c *apiClient) submit(ctx context.Context, s source, brand, compat string) (*submitted, error) {
	mdPath := s.path
	files, err := bundleFiles(mdPath)
	if err != nil {
		return nil, err
	}
	prep := prepare(ctx, s, files[filepath.Base(mdPath)], compat)
	files[filepath.Base(mdPath)] = prep.src
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"brand": brand, "compat": compat, "path": filepath.Base(mdPath)} {
		if v != "" {
			mw.WriteField(k, v)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		data := files[n]
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
		if ce, ok := err.(content.Errors); ok {
			prep.lines(ce)
		}
		return nil, err
	}
	prep.lines(out.Warnings)
	out.Warnings = append(prep.warnings, out.Warnings...)
	return &out, nil
}

// bundleFiles reads what submit sends for the item at mdPath: the file
// itself and, for a bundle (index.md), every other file in its folder;
// for a lone file, the images beside it (or in images/ or img/) that it
// names. Files are read as `crosscast render` reads them (regular files
// inside the folder, within the size limits); a problem is an error
// naming the file.
func bundleFiles(mdPath string) (map[string][]byte, error) {
	dir := filepath.Dir(mdPath)
	fsys, err := safefs.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	lim := content.DefaultLimits()
	files := map[string][]byte{}
	read := func(name string, limit int64) error {
		data, err := safefs.ReadFile(fsys, name, limit)
		if err != nil {
			return content.Errors{{File: filepath.Join(dir, filepath.FromSlash(name)), Code: fileErrCode(err), Message: fileErrText(err)}}
		}
		files[name] = data
		return nil
	}
	base := filepath.Base(mdPath)
	if err := read(base, lim.FileBytes()); err != nil {
		return nil, err
	}
	var names []string
	if base == "index.md" {
		err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case p != "." && strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			case d.IsDir() || p == base:
				return nil
			case d.Type()&fs.ModeSymlink != 0:
				if st, err := fsys.Stat(p); err == nil && st.IsDir() {
					return nil // a linked folder is not walked into
				}
			}
			names = append(names, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		// A lone file may reference images beside it; send those it names.
		src := files[base]
		entries, _ := fs.ReadDir(fsys, ".")
		for _, e := range entries {
			if !e.IsDir() && isImage(e.Name()) && bytes.Contains(src, []byte(e.Name())) {
				names = append(names, e.Name())
			}
		}
		for _, sub := range []string{"images", "img"} {
			fs.WalkDir(fsys, sub, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && isImage(d.Name()) && bytes.Contains(src, []byte(p)) {
					names = append(names, p)
				}
				return nil
			})
		}
	}
	for _, n := range names {
		if err := read(n, lim.ImageBytes); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func fileErrCode(err error) string {
	var big *safefs.TooLargeError
	switch {
	case errors.As(err, &big):
		return content.ETooLarge
	case errors.Is(err, fs.ErrNotExist):
		return content.ENotFound
	}
	return content.EInvalid
}

// fileErrText words a file error for a diagnostic that names the file.
func fileErrText(err error) string {
	var big *safefs.TooLargeError
	switch {
	case errors.As(err, &big) && big.Size < 0:
		return fmt.Sprintf("the file grew past the limit of %d bytes while it was read", big.Limit)
	case errors.As(err, &big):
		return fmt.Sprintf("the file is %d bytes; the limit is %d", big.Size, big.Limit)
	case errors.Is(err, safefs.ErrNotRegular):
		return safefs.ErrNotRegular.Error()
	case errors.Is(err, safefs.ErrOutside):
		return safefs.ErrOutside.Error()
	}
	return err.Error()
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
	if resp.StatusCode == http.StatusUnauthorized {
		// submit never sends a request without a token, so a 401 means
		// the server does not know it (mistyped, revoked, or another
		// installation's), whatever generic words its answer has.
		return fmt.Errorf("the server at %s refused the API token in %s: it is unknown or revoked there; "+
			"crosscast token create --role writer on that server makes a new one", c.base, envToken)
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
