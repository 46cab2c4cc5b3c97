package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/server"
	"github.com/crosscast/crosscast/store"
)

type api struct {
	*pipetest.Env
	url    string
	writer string // a writer token's secret
	admin  string
}

func newAPI(t *testing.T, s pipetest.Setup) *api {
	t.Helper()
	e := pipetest.New(t, s)
	e.ImportBrand(t, "kestrel")
	srv := httptest.NewServer(server.New(server.Config{Store: e.DB, Service: e.Service, MaxUpload: 8 << 20}))
	t.Cleanup(srv.Close)
	a := &api{Env: e, url: srv.URL}
	var err error
	if a.writer, _, err = e.DB.CreateToken(context.Background(), "writer", store.RoleWriter); err != nil {
		t.Fatal(err)
	}
	if a.admin, _, err = e.DB.CreateToken(context.Background(), "admin", store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *api) do(t *testing.T, method, path, token, ctype string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, a.url+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func submitJSON(markdown string, files map[string][]byte) []byte {
	enc := map[string]string{}
	for n, d := range files {
		enc[n] = base64.StdEncoding.EncodeToString(d)
	}
	b, _ := json.Marshal(map[string]any{"brand": "kestrel", "markdown": markdown, "files": enc})
	return b
}

const goodItem = `---
title: Waxing a canvas pack
tags: [care]
hero: {src: images/pack.png, alt: A canvas pack on a workbench}
---
Warm the wax, work it in, let it cure overnight.
`

func smallPNG(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)))
	return b.Bytes()
}

func TestSubmitAndFollow(t *testing.T) {
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, s)
			a.Start(t)
			code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)}))
			if code != http.StatusAccepted {
				t.Fatalf("submit: %d %v", code, body)
			}
			url, _ := body["url"].(string)
			if url != "/api/items/kestrel.en.waxing-a-canvas-pack" {
				t.Fatalf("url: %v", body)
			}
			var item map[string]any
			pipetest.WaitFor(t, 20*time.Second, "rendered over the API", func() (bool, string) {
				_, item = a.do(t, "GET", url, a.writer, "", nil)
				it, _ := item["item"].(map[string]any)
				return it["status"] == "rendered", fmt.Sprint(it["status"])
			})
			rs := item["renderings"].([]any)
			portal := rs[0].(map[string]any)
			var page string
			for _, f := range portal["files"].([]any) {
				f := f.(map[string]any)
				if f["name"] == "index.html" {
					page = f["url"].(string)
				}
			}
			req, _ := http.NewRequest("GET", a.url+page, nil)
			req.Header.Set("Authorization", "Bearer "+a.writer)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			html, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(html), "Waxing a canvas pack") || !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Fatalf("rendered page: %d, CSP %q", len(html), resp.Header.Get("Content-Security-Policy"))
			}
			code, list := a.do(t, "GET", "/api/items?brand=kestrel&status=rendered", a.writer, "", nil)
			if code != 200 || len(list["items"].([]any)) != 1 {
				t.Fatalf("list: %d %v", code, list)
			}
		})
	}
}

func TestSubmitMultipartBundle(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("brand", "kestrel")
	fw, _ := mw.CreateFormFile("file", "index.md")
	fw.Write([]byte(goodItem))
	fw, _ = mw.CreateFormFile("file", "images/pack.png")
	fw.Write(smallPNG(300, 200))
	mw.Close()
	code, body := a.do(t, "POST", "/api/items", a.writer, mw.FormDataContentType(), b.Bytes())
	if code != http.StatusAccepted || body["version"] != 1.0 {
		t.Fatalf("multipart submit: %d %v", code, body)
	}
}

func TestAuth(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	if code, body := a.do(t, "GET", "/api/items", "", "", nil); code != 401 || errCode(body) != "unauthorized" {
		t.Fatalf("no token: %d %v", code, body)
	}
	if code, _ := a.do(t, "GET", "/api/items", "cc_notarealtoken", "", nil); code != 401 {
		t.Fatalf("bad token: %d", code)
	}
	if code, _ := a.do(t, "GET", "/api/items", a.writer, "", nil); code != 200 {
		t.Fatalf("writer token: %d", code)
	}
	if code, body := a.do(t, "GET", "/api/items/nope", a.writer, "", nil); code != 404 || errCode(body) != "not_found" {
		t.Fatalf("missing item: %d %v", code, body)
	}
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// bombPNG is a valid PNG header claiming 60000×60000 pixels: decoding it
// would need 14 GB. Only its header may ever be read.
func bombPNG() []byte {
	full := smallPNG(1, 1)
	// IHDR's type and data are bytes 12..28, its CRC 29..32.
	b := bytes.Clone(full)
	for i, v := range []byte{0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60} {
		b[16+i] = v
	}
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// A bad submission gets a 422 or 413 naming the problem, and leaves no
// trace: no item, no outbox row, no task.
func TestBadSubmitStoresNothing(t *testing.T) {
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, s)
			cases := []struct {
				name   string
				body   []byte
				status int
				want   string
			}{
				{"invalid front matter", submitJSON("---\ntitle: Fine\ntitel: typo\ndate: yesterday\n---\nbody\n", nil), 422, "index.md:3:1: titel: unknown field"},
				{"oversized body", submitJSON("---\ntitle: Long\n---\n"+strings.Repeat("word ", 220_000), nil), 413, "the body is"},
				{"decompression bomb", submitJSON(strings.Replace(goodItem, "pack.png", "bomb.png", 1), map[string][]byte{"images/bomb.png": bombPNG()}), 413, "megapixels"},
				{"path traversal", submitJSON(goodItem, map[string][]byte{"../../etc/passwd": []byte("x"), "images/pack.png": smallPNG(10, 10)}), 422, "relative paths inside the bundle"},
				{"over the upload limit", submitJSON(goodItem, map[string][]byte{"images/pack.png": make([]byte, 9<<20)}), 413, "larger than the server accepts"},
				{"unknown brand", bytes.Replace(submitJSON(goodItem, nil), []byte(`"kestrel"`), []byte(`"kestral"`), 1), 422, `unknown brand \"kestral\" (brands: kestrel)`},
			}
			for _, c := range cases {
				code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", c.body)
				e, _ := body["error"].(map[string]any)
				msg, _ := json.Marshal(e)
				if code != c.status || !strings.Contains(string(msg), c.want) {
					t.Errorf("%s: %d %s; want %d with %q", c.name, code, msg, c.status, c.want)
				}
			}
			items, err := a.DB.Items(context.Background(), store.ItemFilter{})
			if err != nil || len(items) != 0 {
				t.Errorf("items stored after bad submits: %v %v", items, err)
			}
			outbox, _ := a.DB.Outbox(context.Background(), time.Now().Add(time.Hour), 10)
			if len(outbox) != 0 {
				t.Errorf("outbox rows after bad submits: %v", outbox)
			}
			insp := asynq.NewInspector(a.Redis)
			defer insp.Close()
			qs, _ := insp.Queues()
			for _, q := range qs {
				info, _ := insp.GetQueueInfo(q)
				if info != nil && info.Size > 0 {
					t.Errorf("queue %s holds %d tasks after bad submits", q, info.Size)
				}
			}
		})
	}
}

func TestHealth(t *testing.T) {
	a := newAPI(t, pipetest.Setups[0])
	if code, body := a.do(t, "GET", "/readyz", "", "", nil); code != 200 || body["redis"] != "ok" || body["database"] != "ok" {
		t.Fatalf("ready: %d %v", code, body)
	}
	a.Mini.Close()
	if code, body := a.do(t, "GET", "/readyz", "", "", nil); code != 503 || body["redis"] == "ok" {
		t.Fatalf("Redis down: %d %v", code, body)
	}
}
