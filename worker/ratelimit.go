package worker

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/crosscast/crosscast/publish"
)

// RateLimiter is publish.Limiter over one Redis key per target (and per
// capped domain), shared by every worker process: a GCRA bucket whose
// key holds the theoretical arrival time of the next message. Each Wait
// reserves the next slot in one round trip and sleeps until it comes,
// so N processes together send at the rate, not N times it. Redis's own
// clock is used, so the machines' clocks need not agree.
type RateLimiter struct {
	rdb    redis.UniversalClient
	prefix string
	// MaxAhead bounds how far ahead a slot is reserved; a waiter that
	// would wait longer sleeps and asks again, so a crowd of waiters
	// cannot book the bucket hours ahead.
	MaxAhead time.Duration
}

var _ publish.Limiter = (*RateLimiter)(nil)

// NewRateLimiter returns a limiter over rdb with its keys under prefix
// (crosscast:rate: when empty).
func NewRateLimiter(rdb redis.UniversalClient, prefix string) *RateLimiter {
	if prefix == "" {
		prefix = "crosscast:rate:"
	}
	return &RateLimiter{rdb: rdb, prefix: prefix, MaxAhead: 2 * time.Second}
}

// gcra reserves the next slot of KEYS[1] at ARGV[1] microseconds a
// message, unless it is more than ARGV[2] microseconds ahead. It returns
// the microseconds to wait: >= 0 for a reserved slot, < 0 (minus the
// time to sleep before asking again) for none.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local ahead = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > ahead then
  return -(wait - ahead)
end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil((next - now) / 1000) + 1000)
return wait
`)

// Wait returns when one message under key may go out at perSecond. An
// error from Redis is returned as it is: the caller leaves the message
// pending, so Redis being away delays sends but never doubles or loses
// one.
func (l *RateLimiter) Wait(ctx context.Context, key string, perSecond float64) error {
	if perSecond <= 0 {
		return fmt.Errorf("rate %g: must be positive", perSecond)
	}
	interval := int64(math.Round(1e6 / perSecond))
	for {
		us, err := gcra.Run(ctx, l.rdb, []string{l.prefix + key}, interval, l.MaxAhead.Microseconds()).Int64()
		if err != nil {
			return fmt.Errorf("redis rate limit: %w", err)
		}
		d := time.Duration(us) * time.Microsecond
		if us < 0 {
			d = -d
		}
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		if us >= 0 {
			return nil
		}
	}
}

// RateLimiter returns a limiter over the queue's Redis, or nil when its
// connection options make no go-redis client.
func (q *Queue) RateLimiter() *RateLimiter {
	if q.probe == nil {
		return nil
	}
	return NewRateLimiter(q.probe, "")
}
