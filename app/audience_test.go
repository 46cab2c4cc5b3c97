package app_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/store"
)

// audienceEnv is the service with the email renderer and kestrel's kit
// given topics, opt-in mode optIn ("" leaves the default), sending
// through the fake SMTP server.
func audienceEnv(t *testing.T, s pipetest.Setup, optIn string) (*env, *targets) {
	tg := newTargets(t)
	er, err := email.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pipetest.NewWith(t, s, tg.configure, er)}
	dir := tg.BrandKit(t, publicURL, "")
	yaml := filepath.Join(dir, "brand.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	add := "email:\n  topics:\n    product: New products\n    guides: Guides\n"
	if optIn != "" {
		add += "  double_opt_in: " + optIn + "\n"
	}
	b = bytes.Replace(b, []byte("email:\n"), []byte(add), 1)
	if err := os.WriteFile(yaml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Service.ImportBrand(context.Background(), dir, "test"); err != nil {
		t.Fatal(err)
	}
	return e, tg
}

// mailParts returns a message's headers and its text and HTML parts.
func mailParts(t *testing.T, data []byte) (*mail.Message, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var text, html string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(p))
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(body)
		} else {
			text = string(body)
		}
	}
	return m, text, html
}

var confirmLinkRE = regexp.MustCompile(`https://cc\.kestrel\.example(/s/kestrel/confirm/[A-Za-z0-9_.-]+)`)

// A double opt-in sign-up is pending until the link of the email the
// worker sends, in the reader's language and the brand's look, is
// confirmed.
func TestSignUpConfirmationEmail(t *testing.T) {
	for _, s := range pipetest.Setups {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			e, tg := audienceEnv(t, s, "")
			e.Start(t)
			ctx := context.Background()
			res, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "Ann@Example.net", Lang: "nl", Topics: []string{"guides"}, Client: "192.0.2.7"})
			if err != nil || !res.DoubleOptIn || res.Lang != "nl" {
				t.Fatalf("%+v, %v", res, err)
			}
			pipetest.WaitFor(t, 10*time.Second, "the confirmation email", func() (bool, string) {
				return len(tg.SMTP.Messages()) > 0, "no message"
			})
			msgs := tg.SMTP.Messages()
			if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ann@example.net" {
				t.Fatalf("messages: %+v", msgs)
			}
			m, text, html := mailParts(t, msgs[0].Data)
			subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if subj != "Bevestig je inschrijving bij Kestrel Outfitters" || m.Header.Get("To") != "<ann@example.net>" || m.Header.Get("List-Unsubscribe") != "" {
				t.Errorf("headers: subject %q, %v", subj, m.Header)
			}
			if !strings.Contains(html, `lang="nl"`) || !strings.Contains(html, "Ja, schrijf me in") || !strings.Contains(text, "Ja, schrijf me in") {
				t.Errorf("body:\n%s\n%s", text, html)
			}
			link := confirmLinkRE.FindStringSubmatch(text)
			if link == nil || !strings.Contains(html, link[0]) {
				t.Fatalf("no confirmation link in\n%s", text)
			}
			if sb, _ := e.DB.Subscriber(ctx, "kestrel", "ann@example.net"); sb.Status != store.SubPending {
				t.Fatalf("before confirming: %+v", sb)
			}
			sb, err := e.Service.Confirm(ctx, "kestrel", strings.TrimPrefix(link[1], "/s/kestrel/confirm/"), "192.0.2.7")
			if err != nil || sb.Status != store.SubActive || sb.Lang != "nl" || strings.Join(sb.Topics, ",") != "guides" {
				t.Fatalf("confirm: %+v, %v", sb, err)
			}
			cs, _ := e.DB.Consents(ctx, "kestrel", "ann@example.net")
			if len(cs) != 2 || cs[0].Wording != app.FormVersion || cs[0].ClientHash == "" || cs[0].ClientHash != cs[1].ClientHash {
				t.Errorf("consent log: %+v", cs)
			}
			// An active subscriber's sign-up sends nothing more.
			if _, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "ann@example.net"}); err != nil {
				t.Fatal(err)
			}
			if sb, _ := e.DB.Subscriber(ctx, "kestrel", "ann@example.net"); !sb.ConfirmSentAt.IsZero() {
				t.Errorf("a confirmation was planned for an active subscriber: %+v", sb)
			}
		})
	}
}

// With double_opt_in: false a sign-up is active at once, recorded as
// single opt-in; an unsubscribed address is still sent a confirmation.
func TestSingleOptIn(t *testing.T) {
	e, _ := audienceEnv(t, pipetest.Setups[0], "false")
	ctx := context.Background()
	res, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "bob@example.net", Topics: []string{"product"}})
	if err != nil || res.DoubleOptIn {
		t.Fatalf("%+v, %v", res, err)
	}
	sb, _ := e.DB.Subscriber(ctx, "kestrel", "bob@example.net")
	cs, _ := e.DB.Consents(ctx, "kestrel", "bob@example.net")
	if sb.Status != store.SubActive || len(cs) != 1 || !strings.Contains(cs[0].Wording, "single opt-in") || cs[0].Action != "opt_in" {
		t.Fatalf("%+v %+v", sb, cs)
	}
	if _, err := e.Service.Unsubscribe(ctx, sb.Token, store.ConsentOneClick, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "bob@example.net"}); err != nil {
		t.Fatal(err)
	}
	sb, _ = e.DB.Subscriber(ctx, "kestrel", "bob@example.net")
	if sb.Status != store.SubUnsubscribed || sb.ConfirmSentAt.IsZero() {
		t.Errorf("an unsubscribed address signing up again: %+v", sb)
	}
	if _, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "cat@example.net", Topics: []string{"nope"}}); err == nil {
		t.Error("an unknown topic was accepted")
	}
	if _, err := e.Service.SignUp(ctx, app.SignUp{Brand: "kestrel", Address: "cat@example.net", Lang: "xx"}); err == nil {
		t.Error("an unknown language was accepted")
	}
}
