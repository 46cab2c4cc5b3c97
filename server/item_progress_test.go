package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// An email delivery being sent in batches shows its progress on the
// item page, in the email channel's card: sent, failed, unknown and
// remaining of the list, and the batches done.
func TestItemPageShowsSendingProgress(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	ctx := context.Background()
	kit := testenv.CopyKit(t, "kestrel")
	yaml := filepath.Join(kit, "brand.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, "\ntargets:\n  newsletter:\n    kind: smtp\n    host_env: CROSSCAST_KESTREL__SMTP_HOST\n    to: subscribers\n    batch: 2\n"...)
	if err := os.WriteFile(yaml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Service.ImportBrand(ctx, kit, "test"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := u.DB.CreateToken(ctx, "w", store.RoleWriter)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	if code, body := a.do(t, "POST", "/api/items", a.writer, "application/json", submitJSON(goodItem, map[string][]byte{"images/pack.png": smallPNG(640, 400)})); code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, body)
	}
	id := "kestrel.en.waxing-a-canvas-pack"
	pipetest.WaitFor(t, 30*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	if _, err := u.Service.Schedule(ctx, id, 0, time.Now().Add(time.Hour), "editor"); err != nil {
		t.Fatal(err)
	}
	// What a worker part-way through the list leaves: 2 of 5 sent.
	key := store.DeliveryKey(id, 1, "email", "newsletter", "")
	_, d, err := u.DB.ClaimDelivery(ctx, key, true)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for i := range 5 {
		addrs = append(addrs, fmt.Sprintf("r%d@example.net", i))
	}
	if _, err := u.DB.Recipients(ctx, d, addrs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := u.DB.PlanBatches(ctx, d, 2); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := u.DB.ClaimBatch(ctx, key, 0); err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs[:2] {
		if ok, err := u.DB.StepRecipient(ctx, d, nil, a); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := u.DB.StepRecipient(ctx, d, &store.Outcome{Address: a, Status: store.DelSent}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.DB.FinishBatch(ctx, d, 0, "", ""); err != nil {
		t.Fatal(err)
	}
	c := u.browser(t)
	u.login(t, c, store.RoleEditor, uiPassword)
	resp, page := u.get(t, c, "/items/"+id)
	if resp.StatusCode != 200 {
		t.Fatalf("item page: %d", resp.StatusCode)
	}
	want := "2 sent, 0 failed, 0 unknown, 3 remaining of 5 (1 of 3 batches)"
	if !strings.Contains(page, want) {
		i := strings.Index(page, "Channels")
		t.Errorf("the page does not show %q:\n%s", want, page[max(i, 0):min(max(i, 0)+3000, len(page))])
	}
}
