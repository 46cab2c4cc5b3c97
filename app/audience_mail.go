package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// noticeRenderer is the email renderer's notice part.
type noticeRenderer interface {
	Notice(b *content.Brand, n email.Notice) ([]byte, error)
	NoticeLogo(ctx context.Context, b *content.Brand) (*images.Variant, error)
}

// NoticeLogoPath is where the server serves the logo of a brand's
// notices (the confirmation email): /s/<brand>/logo/<file>.
func NoticeLogoPath(brand string) string { return "/s/" + brand + "/logo/" }

// NoticeLogo is the PNG of brand's notices named name, or ErrNotFound.
func (s *Service) NoticeLogo(ctx context.Context, brand, name string) ([]byte, error) {
	nr, ok := s.renderers[email.Channel].(noticeRenderer)
	if !ok {
		return nil, fmt.Errorf("notice logo: %w", store.ErrNotFound)
	}
	b, _, err := s.brands.Current(ctx, brand)
	if err != nil {
		return nil, err
	}
	v, err := nr.NoticeLogo(ctx, b)
	if err != nil {
		return nil, err
	}
	if v == nil || v.Name != name {
		return nil, fmt.Errorf("notice logo %s: %w", name, store.ErrNotFound)
	}
	return v.Data, nil
}

// SendConfirmation sends the confirmation email a sign-up planned, in
// the subscriber's language and the brand's look, through the brand's
// SMTP target. An email whose subscriber has since confirmed, been
// erased or been sent a newer one is not sent.
func (s *Service) SendConfirmation(ctx context.Context, p tasks.SubscriberConfirmPayload) error {
	sb, err := s.db.SubscriberByToken(ctx, p.Token)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	sent := time.UnixMicro(p.SentAt).UTC()
	if sb.Status == store.SubActive || !sb.ConfirmSentAt.Equal(sent) {
		return nil
	}
	b, _, err := s.brands.Current(ctx, sb.BrandID)
	if err != nil {
		return err
	}
	if s.publicURL == "" {
		return permanent(errors.New("confirmation email: the server's public URL is not set, so the email can have no link"))
	}
	target, ok := confirmTarget(b)
	if !ok {
		return permanent(fmt.Errorf("confirmation email: brand %s has no smtp target to send it through", b.ID))
	}
	nr, ok := s.renderers[email.Channel].(noticeRenderer)
	if !ok {
		return permanent(errors.New("confirmation email: this worker has no email renderer"))
	}
	pub, ok := s.publishers.Lookup(content.TargetSMTP)
	smtp, ok2 := pub.(*publish.SMTPPublisher)
	if !ok || !ok2 {
		return permanent(errors.New("confirmation email: no SMTP publisher"))
	}
	link, err := s.ConfirmLink(ctx, b.ID, sb.Token, sent)
	if err != nil {
		return err
	}
	lang := sb.Lang
	if lang == "" {
		lang = b.Lang
	}
	days := strconv.Itoa(int(ConfirmTTL / (24 * time.Hour)))
	msg, err := nr.Notice(b, email.Notice{
		Lang: lang, Subject: b.T(lang, "sub_confirm_subject"), Title: b.T(lang, "sub_confirm_title"),
		Paragraphs: []string{b.T(lang, "sub_confirm_text", "address", sb.Address, "days", days)},
		Button:     b.T(lang, "sub_confirm_button"), ButtonURL: s.publicURL + link,
		Notes: []string{b.T(lang, "sub_confirm_ignore")}, To: sb.Address, Date: s.now(),
		MessageID: "confirm." + strconv.FormatInt(p.SentAt, 36) + "." + sb.Token[:min(8, len(sb.Token))],
		LogoBase:  s.publicURL + NoticeLogoPath(b.ID),
	})
	if err != nil {
		return permanent(fmt.Errorf("confirmation email: %w", err))
	}
	if err := smtp.SendOne(ctx, b, target, s.getenv, sb.Address, msg); err != nil {
		if publish.IsPermanent(err) {
			return permanent(err)
		}
		return err
	}
	s.log.Info("confirmation email sent", "brand", b.ID)
	return nil
}

// confirmTarget picks the SMTP target that sends a brand's confirmation
// emails: the one sending to the subscribers, else the first.
func confirmTarget(b *content.Brand) (content.Target, bool) {
	var first *content.Target
	for _, t := range b.Targets() {
		if t.Kind != content.TargetSMTP {
			continue
		}
		if t.To == content.ToSubscribers {
			return t, true
		}
		if first == nil {
			first = &t
		}
	}
	if first == nil {
		return content.Target{}, false
	}
	return *first, true
}
