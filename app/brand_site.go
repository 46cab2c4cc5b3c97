package app

import "context"

// BrandSite returns the base URL of a brand's site as its current kit
// says (no trailing slash), for pages that point into the published site.
func (s *Service) BrandSite(ctx context.Context, id string) (string, error) {
	b, _, err := s.brands.Current(ctx, id)
	if err != nil {
		return "", err
	}
	return b.Site, nil
}
