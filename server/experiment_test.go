package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/store"
)

const abPageItem = `---
title: Pitching a tarp
email:
  variants:
    - name: b
      subject: A tarp in five minutes
---
Pitch it low against the wind.
`

// The item page shows a running A/B test's numbers and lets an editor
// pick the winner; the API reads and ends tests too.
func TestItemExperiment(t *testing.T) {
	u := newUI(t)
	u.Start(t)
	c := u.browser(t)
	u.login(t, c, "editor", uiPassword)
	ctx := context.Background()
	id := startPageExperiment(t, u)
	_, page := u.get(t, c, "/items/"+id)
	for _, want := range []string{"Email A/B test", "100% of 20 recipients", "seed <code>5</code>",
		"<td>10</td><td>1</td><td>1</td><td>10.0%</td>", "<td>80.0%</td>", "&#43;70.0 pts (&#43;39.0 pts to &#43;100.0 pts) · <strong>significant</strong>",
		`action="/items/` + id + `/experiment/pick"`, `value="b">b</button>`, "Stop the test"} {
		if !strings.Contains(page, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	if t.Failed() {
		i := strings.Index(page, "Email A/B test")
		t.Logf("page: %.2000s", page[max(i, 0):])
	}

	tok, _, err := u.DB.CreateToken(ctx, "ed", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{Env: u.Env, url: u.url, writer: tok}
	req, _ := http.NewRequest("GET", u.url+"/api/items/"+id+"/experiments", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp0, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got []app.ExperimentReport
	err = json.NewDecoder(resp0.Body).Decode(&got)
	resp0.Body.Close()
	if err != nil || len(got) != 1 || got[0].State != store.ExpRunning || len(got[0].Variants) != 2 ||
		got[0].Variants[1].Rate != 0.8 || got[0].Variants[1].Diff == nil || !got[0].Variants[1].Diff.Significant {
		t.Errorf("GET experiments: %+v, %v", got, err)
	}
	if code, _ := a.do(t, "POST", "/api/items/"+id+"/experiment/pick", tok, "application/json", []byte(`{"variant": "c"}`)); code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Errorf("picking a variant the test does not have: %d", code)
	}

	resp := u.post(t, c, "/items/"+id+"/experiment/pick", url.Values{"version": {"1"}, "target": {"newsletter"}, "variant": {"b"}}, "same-origin")
	if f := u.flashAfter(t, c, resp); !strings.Contains(f, "b picked as the winner") {
		t.Errorf("flash after the pick: %q", f)
	}
	x, err := u.DB.Experiment(ctx, id, 1, "newsletter")
	if err != nil || x.Winner != "b" || x.How != store.HowEditor || x.DecidedBy != "user:editor" {
		t.Errorf("after the pick: %+v, %v", x, err)
	}
	_, page = u.get(t, c, "/items/"+id)
	if !strings.Contains(page, "b won: picked by user:editor") || strings.Contains(page, "Stop the test") {
		t.Error("the item page does not say who won and how, or still offers to stop")
	}
	code, _ := a.do(t, "POST", "/api/items/"+id+"/experiment/stop", tok, "application/json", []byte(`{"version": 1}`))
	if code != http.StatusConflict {
		t.Errorf("stopping an ended test: %d, want 409", code)
	}
}

// startPageExperiment submits abPageItem and starts its A/B test as the
// email delivery would, everyone in the test (10 per variant), with 1 of
// 10 clicks on the default and 8 of 10 on variant b.
func startPageExperiment(t *testing.T, u *ui) (id string) {
	t.Helper()
	ctx := context.Background()
	for i := range 20 {
		if _, err := u.DB.JoinSubscriber(ctx, store.Join{BrandID: "kestrel", Address: fmt.Sprintf("r%02d@example.net", i), Lang: "en", Confirmed: true,
			Consent: store.Consent{Source: store.ConsentAPI, Wording: "test basis"}}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := u.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: map[string][]byte{"index.md": []byte(abPageItem)}, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	id = res.ItemID
	pipetest.WaitFor(t, 20*time.Second, "rendered", func() (bool, string) { return u.ItemRendered(id) })
	// A test started as the email delivery would start it: everyone in
	// the test, 10 per variant.
	noTask := func(id string) store.Task {
		return store.Task{Type: "none", ID: id, Queue: "default", Payload: []byte(`{}`)}
	}
	if _, _, err := u.DB.Schedule(ctx, store.ScheduleRequest{ItemID: id, Version: 1, At: time.Now(), Actor: "editor",
		Deliveries: []store.NewDelivery{{Channel: "email", Target: "newsletter", Kind: "smtp"}},
		Task:       func(int) (store.Task, error) { return noTask("publish"), nil }}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.DB.StartPublication(ctx, id, 1, 1); err != nil {
		t.Fatal(err)
	}
	d, err := u.DB.Delivery(ctx, store.DeliveryKey(id, 1, "email", "newsletter", ""))
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := u.DB.StartExperiment(ctx, store.StartExperimentRequest{Delivery: d, Segment: store.Segment{BrandID: "kestrel", Langs: []string{"en", ""}},
		Variants: []string{"", "b"}, Share: 100, Metric: "clicks", Wait: time.Hour, Seed: 5, Secret: "x",
		Split:   func(a []string) [][]string { return app.SplitRecipients(5, 100, 2, a) },
		Deliver: func(d store.Delivery) (store.Task, error) { return noTask("d" + d.Variant), nil },
		Decide:  func(*store.Experiment) (store.Task, error) { return noTask("decide"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	// 1 of 10 clicked the default, 8 of 10 variant b.
	for i := range 9 {
		v := "b"
		if i == 0 {
			v = ""
		}
		if _, err := u.DB.CountExperimentClick(ctx, e.ID, v, fmt.Sprint("tok", i)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}
