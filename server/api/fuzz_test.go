package api

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crosscast/crosscast/server/web"
)

// FuzzReadBundle feeds arbitrary request bodies to the submission reader:
// it must never panic, and whatever it accepts must be a usable bundle.
func FuzzReadBundle(f *testing.F) {
	f.Add(true, []byte(`{"brand":"kestrel","markdown":"---\ntitle: x\n---\nhi\n","files":{"a.png":"iVBORw0KGgo="}}`))
	f.Add(false, []byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"images/a.jpg\"\r\n\r\nxx\r\n--B\r\nContent-Disposition: form-data; name=\"brand\"\r\n\r\nkestrel\r\n--B--\r\n"))
	f.Add(false, []byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x\"\r\n\r\n\r\n--B--"))
	f.Add(true, []byte(`{"files":{"../x":"!!"}}`))
	f.Fuzz(func(t *testing.T, isJSON bool, body []byte) {
		r := httptest.NewRequest("POST", "/api/items", bytes.NewReader(body))
		if isJSON {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		}
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<20)
		b, err := readBundle(r)
		if err != nil {
			if web.ToError(err) == nil {
				t.Fatalf("an error the API cannot map: %v", err)
			}
			return
		}
		for name := range b.Files {
			_ = fs.ValidPath(name) // names are checked by app.Service.Submit; reading them must not fail
		}
	})
}
