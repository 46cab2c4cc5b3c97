package app

import (
	"net/url"
	"strings"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/catalog"
	"github.com/crosscast/crosscast/store"
)

// Channels of tracked links besides email, the social networks and the
// catalog (content.ChanCatalog: the item's card and the brand's static
// catalog and tag pages).
const (
	// ChanPortalShare is the share buttons on a portal page.
	ChanPortalShare = content.ChanPortalShare
	// ChanPrintQR is the print snippet's QR code.
	ChanPrintQR = content.ChanPrint
)

// clickChannels are the channel names a click metric may carry; any other
// is "other", so no outsider can grow the label set.
var clickChannels = map[string]bool{
	content.ChanEmail: true, content.ChanCatalog: true, content.ChanPortal: true, ChanPrintQR: true, ChanPortalShare: true,
	content.NetX: true, content.NetMastodon: true, content.NetBluesky: true, content.NetLinkedIn: true,
	content.NetThreads: true, content.NetFacebook: true,
}

// MetricChannel is ch as a metric label: a known channel or "other".
func MetricChannel(ch string) string {
	if clickChannels[ch] {
		return ch
	}
	return "other"
}

// ChannelLabel names a tracked link's channel for people.
func ChannelLabel(ch string) string {
	switch ch {
	case ChanPrintQR:
		return "Print QR"
	case ChanPortalShare:
		return "Portal share"
	case content.NetX:
		return "X"
	case content.NetLinkedIn:
		return "LinkedIn"
	case "":
		return "(none)"
	}
	return strings.ToUpper(ch[:1]) + strings.ReplaceAll(ch[1:], "-", " ")
}

// linkDest tells where a tracked link to u leads, for the channel paths:
// the brand's catalog pages, another page of its site (the portal), or
// off the site.
func linkDest(plan *content.LinkPlan, u string) string {
	if plan == nil || !plan.Own(u) {
		return store.DestWeb
	}
	if p, err := url.Parse(u); err == nil && (p.Path == "/catalog" || strings.HasPrefix(p.Path, "/catalog/")) {
		return store.DestCatalog
	}
	return store.DestPortal
}

// trackIndex points the cards of a brand's catalog and tag pages at
// tracked /r/ links counted for the catalog channel, and returns the
// links to store; ids[i] is entries[i]'s item. An index lists whichever
// version of each item is current, so its links carry version 0.
func (s *Service) trackIndex(entries []catalog.Entry, ids []string) []store.Link {
	if s.publicURL == "" {
		return nil
	}
	var links []store.Link
	for i := range entries {
		t := &tracker{base: s.publicURL, item: ids[i], channel: content.ChanCatalog, dest: store.DestPortal}
		entries[i].CTAURL = t.URL(entries[i].CTAURL)
		links = append(links, t.links...)
	}
	return links
}
