package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/crosscast/crosscast/server/web"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
)

// submitJSON is the JSON form of a submission: the Markdown as text and
// every other file base64-encoded under its path inside the bundle.
type submitJSON struct {
	Brand    string            `json:"brand"`
	Path     string            `json:"path"`
	Compat   string            `json:"compat"`
	Markdown string            `json:"markdown"`
	Files    map[string]string `json:"files"`
}

// createItem handles POST /api/items: JSON, or a multipart bundle whose
// file parts carry their paths as file names. The item is validated
// before anything is stored: 422 (or 413) lists every problem; 202 says
// where to follow the rendering.
func (a *API) createItem(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, a.maxUpload)
	b, err := readBundle(r)
	if err != nil {
		return err
	}
	b.Actor, b.Role = web.Actor(r), web.Role(r)
	res, err := a.svc.Submit(r.Context(), b)
	if err != nil {
		return err
	}
	url := "/api/items/" + res.ItemID
	w.Header().Set("Location", url)
	web.WriteJSON(w, http.StatusAccepted, struct {
		*app.Submitted
		URL string `json:"url"`
	}{res, url})
	return nil
}

func readBundle(r *http.Request) (app.Bundle, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return app.Bundle{}, web.BadRequest("send Content-Type: application/json or multipart/form-data")
	}
	switch mt {
	case "application/json":
		return readJSONBundle(r.Body)
	case "multipart/form-data":
		return readMultipartBundle(multipart.NewReader(r.Body, params["boundary"]))
	default:
		return app.Bundle{}, web.BadRequest(fmt.Sprintf("unsupported Content-Type %q: send application/json or multipart/form-data", mt))
	}
}

func readJSONBundle(body io.Reader) (app.Bundle, error) {
	var in submitJSON
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return app.Bundle{}, malformed("JSON", err)
	}
	b := app.Bundle{Brand: in.Brand, Path: in.Path, Compat: in.Compat, Files: map[string][]byte{}}
	var errs content.Errors
	for name, enc := range in.Files {
		data, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			errs = append(errs, content.Diagnostic{File: name, Code: content.EInvalid, Message: "the file is not valid base64"})
			continue
		}
		b.Files[name] = data
	}
	if len(errs) > 0 {
		return b, errs
	}
	if in.Markdown != "" {
		name := in.Path
		if name == "" {
			name = "index.md"
		}
		b.Files[name] = []byte(in.Markdown)
		b.Path = name
	}
	return b, nil
}

func readMultipartBundle(mr *multipart.Reader) (app.Bundle, error) {
	b := app.Bundle{Files: map[string][]byte{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, malformed("multipart", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return b, malformed("multipart", err)
		}
		// Part.FileName drops folders; the bundle needs them, so read the
		// file name as sent. app.Submit rejects names that escape.
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		switch name, file := part.FormName(), params["filename"]; {
		case file != "":
			if _, dup := b.Files[file]; dup {
				return b, content.Errors{{File: file, Code: content.EInvalid, Message: "the file is in the request twice"}}
			}
			b.Files[file] = data
		case name == "brand":
			b.Brand = strings.TrimSpace(string(data))
		case name == "path":
			b.Path = strings.TrimSpace(string(data))
		case name == "compat":
			b.Compat = strings.TrimSpace(string(data))
		default:
			return b, web.BadRequest(fmt.Sprintf("unknown form field %q (brand, path, compat, or file parts)", name))
		}
	}
}

// malformed reports a body that could not be read: over the size limit
// (413, kept as is), or broken (400).
func malformed(kind string, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return web.BadRequest("the " + kind + " body is malformed: " + err.Error())
}
