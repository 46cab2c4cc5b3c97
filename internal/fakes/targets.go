package fakes

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/crosscast/crosscast/internal/testenv"
)

// Targets are one test's publishing targets: a mail server, a Mastodon
// instance, a Bluesky PDS and a webhook receiver, all stopped when the
// test ends.
type Targets struct {
	SMTP     *SMTP
	Mastodon *Mastodon
	Bluesky  *Bluesky
	Webhook  *Webhook
	// Env holds the variables the brand kit's *_env fields name.
	Env map[string]string
}

// NewTargets starts the four fakes; the Mastodon instance allows limit
// characters.
func NewTargets(t testing.TB, limit int) *Targets {
	t.Helper()
	secret := []byte("whsec-like-test-secret-0123456789")
	tg := &Targets{SMTP: NewSMTP(t), Mastodon: NewMastodon(limit), Bluesky: NewBluesky(), Webhook: NewWebhook(secret)}
	t.Cleanup(tg.Mastodon.Close)
	t.Cleanup(tg.Bluesky.Close)
	t.Cleanup(tg.Webhook.Close)
	host, port, _ := net.SplitHostPort(tg.SMTP.Addr)
	tg.Env = map[string]string{
		"CROSSCAST_KESTREL__SMTP_HOST": host, "CROSSCAST_KESTREL__SMTP_PORT": port, "CROSSCAST_KESTREL__SMTP_USER": tg.SMTP.Username, "CROSSCAST_KESTREL__SMTP_PASSWORD": tg.SMTP.Password,
		"CROSSCAST_KESTREL__MASTODON_TOKEN": tg.Mastodon.Token, "CROSSCAST_KESTREL__BLUESKY_APP_PASSWORD": tg.Bluesky.Password, "CROSSCAST_KESTREL__LINKEDIN_WEBHOOK_SECRET": string(secret),
	}
	return tg
}

// BrandKit writes the kestrel example kit with targets pointing at the
// fakes and unsubscribe links at publicURL, and returns its folder.
// extra is appended to brand.yaml.
func (tg *Targets) BrandKit(t testing.TB, publicURL, extra string) string {
	t.Helper()
	dir := testenv.CopyKit(t, "kestrel")
	yaml := filepath.Join(dir, "brand.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, fmt.Sprintf(`
targets:
  newsletter:
    kind: smtp
    host_env: CROSSCAST_KESTREL__SMTP_HOST
    port_env: CROSSCAST_KESTREL__SMTP_PORT
    username_env: CROSSCAST_KESTREL__SMTP_USER
    password_env: CROSSCAST_KESTREL__SMTP_PASSWORD
    to: subscribers
    rate: 1000
  mastodon:
    kind: mastodon
    instance: %s
    token_env: CROSSCAST_KESTREL__MASTODON_TOKEN
    allow_hosts: [127.0.0.1]
  bluesky:
    kind: bluesky
    service: %s
    identifier: %s
    password_env: CROSSCAST_KESTREL__BLUESKY_APP_PASSWORD
    allow_hosts: [127.0.0.1]
  linkedin:
    kind: webhook
    channel: social
    network: linkedin
    url: %s/hooks/linkedin
    secret_env: CROSSCAST_KESTREL__LINKEDIN_WEBHOOK_SECRET
    allow_hosts: [127.0.0.1]
`, tg.Mastodon.URL, tg.Bluesky.URL, tg.Bluesky.Handle, tg.Webhook.URL)...)
	b = append(b, extra...)
	b = bytes.Replace(b, []byte("unsubscribe_url: https://kestrel.example/u/"), []byte("unsubscribe_url: "+publicURL+"/u/"), 1)
	if err := os.WriteFile(yaml, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
