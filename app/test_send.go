package app

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/store"
)

// SendTest sends the rendered email of an item version, every variant
// of it, to the user's own address through the brand's SMTP target,
// each subject prefixed "[Test]". It returns how many were sent. The
// caller rate-limits it per user: it mails a real server.
func (s *Service) SendTest(ctx context.Context, itemID string, version int, u *store.User) (int, error) {
	if u.Email == "" {
		return 0, fmt.Errorf("you have no email address yet: an admin sets it on the Admin page (or crosscast user email NAME ADDRESS): %w", store.ErrInvalid)
	}
	v, err := s.db.Version(ctx, itemID, version)
	if err != nil {
		return 0, err
	}
	b, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return 0, err
	}
	target, ok := confirmTarget(b)
	if !ok {
		return 0, fmt.Errorf("brand %s has no smtp target to send a test through: %w", b.ID, store.ErrInvalid)
	}
	pub, _ := s.publishers.Lookup(content.TargetSMTP)
	smtp, ok := pub.(*publish.SMTPPublisher)
	if !ok {
		return 0, errors.New("test send: no SMTP publisher")
	}
	rs, err := s.db.Renderings(ctx, itemID, version)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(rs, func(r store.Rendering) bool { return r.Channel == email.Channel })
	if i < 0 || rs[i].Status != store.StatusRendered {
		return 0, fmt.Errorf("version %d has no finished email rendering to send: %w", version, store.ErrConflict)
	}
	var names []string
	for _, f := range rs[i].Files {
		if f.Name == email.EMLFile || (strings.HasPrefix(f.Name, email.VariantsDir) && path.Base(f.Name) == email.EMLFile) {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	sent := 0
	for _, name := range names {
		_, eml, err := s.db.RenderingFile(ctx, rs[i].RenderKey, name)
		if err != nil {
			return sent, err
		}
		msg, err := email.ParseEML(eml, b.Email.UnsubscribeURL)
		if err != nil {
			return sent, err
		}
		for k, h := range msg.Headers {
			if strings.EqualFold(h.Name, "Subject") {
				msg.Headers[k].Value = "[Test] " + h.Value
			}
		}
		data, err := msg.ForRecipient(u.Email, "", s.now())
		if err != nil {
			return sent, err
		}
		if err := smtp.SendOne(ctx, b, target, s.getenv, u.Email, data); err != nil {
			return sent, fmt.Errorf("test send of %s: %w", name, err)
		}
		sent++
	}
	s.log.Info("test email sent", "item", itemID, "version", version, "user", u.Name, "messages", sent)
	return sent, nil
}
