package bounce

import (
	"errors"
	"net/http"
	"strings"
)

// FromEnv reads the providers' settings from the environment; each
// provider whose variables are unset stays off:
//
//	CROSSCAST_BOUNCE_PIPE_SECRET       the bearer token of POST /bounces/pipe
//	CROSSCAST_BOUNCE_SES_TOPICS        SNS topic ARNs, comma-separated
//	CROSSCAST_BOUNCE_POSTMARK_USER     basic auth user and password, and/or
//	CROSSCAST_BOUNCE_POSTMARK_PASSWORD
//	CROSSCAST_BOUNCE_POSTMARK_TOKEN    the value of an X-Crosscast-Token header
//	CROSSCAST_BOUNCE_SENDGRID_KEY      the signed event webhook's public key
//	CROSSCAST_BOUNCE_MAILGUN_KEY       the webhook signing key
//
// client fetches SNS certificates (the guarded client of
// publish.NewHTTPClient). The caller sets Recorder and Keys.
func FromEnv(getenv func(string) string, client *http.Client) (Config, error) {
	c := Config{PipeSecret: getenv("CROSSCAST_BOUNCE_PIPE_SECRET")}
	if c.PipeSecret != "" && len(c.PipeSecret) < 16 {
		return Config{}, errors.New("bounce: CROSSCAST_BOUNCE_PIPE_SECRET must be at least 16 characters")
	}
	if v := getenv("CROSSCAST_BOUNCE_SES_TOPICS"); v != "" {
		var topics []string
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				if !strings.HasPrefix(t, "arn:aws") {
					return Config{}, errors.New("bounce: CROSSCAST_BOUNCE_SES_TOPICS holds something that is not a topic ARN")
				}
				topics = append(topics, t)
			}
		}
		if client == nil {
			return Config{}, errors.New("bounce: SES needs an HTTP client for the SNS certificates")
		}
		c.SES = &SNS{Topics: topics, Client: client}
	}
	user, pass, token := getenv("CROSSCAST_BOUNCE_POSTMARK_USER"), getenv("CROSSCAST_BOUNCE_POSTMARK_PASSWORD"), getenv("CROSSCAST_BOUNCE_POSTMARK_TOKEN")
	if user != "" || pass != "" || token != "" {
		if (user == "") != (pass == "") {
			return Config{}, errors.New("bounce: CROSSCAST_BOUNCE_POSTMARK_USER and _PASSWORD go together")
		}
		c.Postmark = &Postmark{Username: user, Password: pass, Token: token}
	}
	if v := getenv("CROSSCAST_BOUNCE_SENDGRID_KEY"); v != "" {
		sg := &SendGrid{PublicKey: v}
		if _, err := sg.key(); err != nil {
			return Config{}, err
		}
		c.SendGrid = sg
	}
	if v := getenv("CROSSCAST_BOUNCE_MAILGUN_KEY"); v != "" {
		c.Mailgun = &Mailgun{SigningKey: v}
	}
	return c, nil
}
