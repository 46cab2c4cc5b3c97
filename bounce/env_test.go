package bounce

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"testing"
)

func TestFromEnv(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	env := map[string]string{
		"CROSSCAST_BOUNCE_PIPE_SECRET":       "a-pipe-secret-of-some-length",
		"CROSSCAST_BOUNCE_SES_TOPICS":        "arn:aws:sns:eu-west-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b",
		"CROSSCAST_BOUNCE_POSTMARK_USER":     "pm",
		"CROSSCAST_BOUNCE_POSTMARK_PASSWORD": "pw",
		"CROSSCAST_BOUNCE_SENDGRID_KEY":      base64.StdEncoding.EncodeToString(der),
		"CROSSCAST_BOUNCE_MAILGUN_KEY":       "key-1",
	}
	c, err := FromEnv(func(k string) string { return env[k] }, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if c.PipeSecret == "" || c.SES == nil || len(c.SES.Topics) != 2 || c.Postmark == nil || c.SendGrid == nil || c.Mailgun == nil {
		t.Fatalf("%+v", c)
	}
	none, err := FromEnv(func(string) string { return "" }, nil)
	if err != nil || none.SES != nil || none.Postmark != nil || none.SendGrid != nil || none.Mailgun != nil || none.PipeSecret != "" {
		t.Fatalf("empty environment: %+v %v", none, err)
	}
	for name, bad := range map[string]map[string]string{
		"short pipe secret":  {"CROSSCAST_BOUNCE_PIPE_SECRET": "short"},
		"not an ARN":         {"CROSSCAST_BOUNCE_SES_TOPICS": "my-topic"},
		"user, no password":  {"CROSSCAST_BOUNCE_POSTMARK_USER": "pm"},
		"bad SendGrid key":   {"CROSSCAST_BOUNCE_SENDGRID_KEY": "bm90IGEga2V5"},
		"SES without client": {"CROSSCAST_BOUNCE_SES_TOPICS": "arn:aws:sns:eu-west-1:1:a"},
	} {
		client := http.DefaultClient
		if name == "SES without client" {
			client = nil
		}
		if _, err := FromEnv(func(k string) string { return bad[k] }, client); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
