package worker

import (
	"context"
)

// AddSubscriber adds address to brand's list, returning its unsubscribe
// token. The brand must exist.
func (p *Pipeline) AddSubscriber(ctx context.Context, brand, address string) (string, error) {
	if _, err := p.db.Brand(ctx, brand); err != nil {
		return "", err
	}
	return p.db.AddSubscriber(ctx, brand, address)
}

// Unsubscribe takes the address token names off its brand's list,
// returning both.
func (p *Pipeline) Unsubscribe(ctx context.Context, token string) (brand, address string, err error) {
	return p.db.Unsubscribe(ctx, token)
}

// Click counts a click on the tracked link code names and returns where
// it goes.
func (p *Pipeline) Click(ctx context.Context, code string) (string, error) {
	return p.db.Click(ctx, code)
}
