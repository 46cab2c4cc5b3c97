package app

import (
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/signup"
)

// linkPlan is content.NewLinkPlan with what only the installation knows:
// the sign-up form's action on this server, as tracked links get their
// base. Without a public URL the pages link to email.subscribe_url.
func (s *Service) linkPlan(it *content.Item, b *content.Brand) *content.LinkPlan {
	p := content.NewLinkPlan(it, b)
	p.SignUp = signup.Action(s.publicURL, b.ID)
	return p
}
