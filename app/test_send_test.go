package app_test

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
)

// "Send a test to me": every variant of the item's email reaches the
// user's own address at the fake SMTP server, subject prefixed [Test];
// a user without an address is told how to set one.
func TestSendTest(t *testing.T) {
	tg := newTargets(t)
	e := publishEnv(t, pipetest.Setups[0], tg)
	e.Start(t)
	ctx := context.Background()
	files := readDir(t, filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "ridgeline-2-launch"))
	res, err := e.Service.Submit(ctx, app.Bundle{Brand: "kestrel", Files: files, Actor: "writer"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "rendered", func() (bool, string) { return itemStatus(e, res.ItemID) })
	u, _, err := e.DB.CreateUser(ctx, "ed", store.RoleEditor, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.SendTest(ctx, res.ItemID, res.Version, u); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("without an address: %v", err)
	}
	if err := e.DB.SetUserEmail(ctx, "ed", "Ed@Example.net"); err != nil {
		t.Fatal(err)
	}
	if u, err = e.DB.UserByName(ctx, "ed"); err != nil || u.Email != "ed@example.net" {
		t.Fatalf("%+v, %v", u, err)
	}
	n, err := e.Service.SendTest(ctx, res.ItemID, res.Version, u)
	if err != nil || n != 3 {
		t.Fatalf("sent %d, %v; want the control and 2 variants", n, err)
	}
	var subjects []string
	dec := new(mime.WordDecoder)
	for _, m := range tg.SMTP.Messages() {
		if !slices.Equal(m.To, []string{"ed@example.net"}) {
			continue
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		subjects = append(subjects, s)
	}
	slices.Sort(subjects)
	if len(subjects) != 3 {
		t.Fatalf("%d test messages arrived: %q", len(subjects), subjects)
	}
	for _, s := range subjects {
		if !strings.HasPrefix(s, "[Test] ") {
			t.Errorf("subject %q lacks the [Test] prefix", s)
		}
	}
	if !slices.Contains(subjects, "[Test] Tested in 80 km/h gusts on Cairn Gorm") {
		t.Errorf("subjects %q lack the storm variant's", subjects)
	}
}
