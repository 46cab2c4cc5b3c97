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

// DailyAllowance is publish.Allowance over one Redis key per target and
// UTC day, shared by every worker process: the key counts the messages
// taken that day, and each Take reserves what is left, up to what it
// wants, in one round trip. The day comes from the caller (its schedule
// is in UTC dates), so the machines' clocks need only agree on the date.
type DailyAllowance struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ publish.Allowance = (*DailyAllowance)(nil)

// NewDailyAllowance returns an allowance over rdb with its keys under
// prefix (crosscast:daily: when empty).
func NewDailyAllowance(rdb redis.UniversalClient, prefix string) *DailyAllowance {
	if prefix == "" {
		prefix = "crosscast:daily:"
	}
	return &DailyAllowance{rdb: rdb, prefix: prefix}
}

// allowanceTTL keeps a day's count past the day in every time zone a
// worker's clock may be off by, then lets Redis drop it.
const allowanceTTL = 3 * 24 * time.Hour

// takeScript reserves up to ARGV[2] of the ARGV[1] messages KEYS[1]
// allows, less those taken, and returns how many it reserved.
var takeScript = redis.NewScript(`
local limit = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local got = math.min(want, limit - used)
if got <= 0 then
  return 0
end
redis.call('INCRBY', KEYS[1], got)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return got
`)

// giveScript hands back up to ARGV[1] of KEYS[1]'s count, never below
// zero, and never makes a key Redis dropped.
var giveScript = redis.NewScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = math.min(tonumber(ARGV[1]), used)
if n > 0 then
  redis.call('DECRBY', KEYS[1], n)
end
return n
`)

// Take reserves up to want of day's limit for key. An error from Redis
// is returned as it is: the batch is retried, its recipients pending.
// If Redis took the reservation but its answer was lost, those messages
// are counted and not sent: the day sends fewer, never more.
func (a *DailyAllowance) Take(ctx context.Context, key, day string, limit, want int) (int, error) {
	if want <= 0 || limit <= 0 {
		return 0, nil
	}
	got, err := takeScript.Run(ctx, a.rdb, []string{a.prefix + key + ":" + day}, limit, want, int64(allowanceTTL/time.Second)).Int()
	if err != nil {
		return 0, fmt.Errorf("redis daily allowance: %w", err)
	}
	return got, nil
}

// Give hands back n of day's messages for key.
func (a *DailyAllowance) Give(ctx context.Context, key, day string, n int) error {
	if n <= 0 {
		return nil
	}
	if err := giveScript.Run(ctx, a.rdb, []string{a.prefix + key + ":" + day}, n).Err(); err != nil {
		return fmt.Errorf("redis daily allowance: %w", err)
	}
	return nil
}

// Allowance returns a daily allowance over the queue's Redis, or nil
// when its connection options make no go-redis client.
func (q *Queue) Allowance() *DailyAllowance {
	if q.probe == nil {
		return nil
	}
	return NewDailyAllowance(q.probe, "")
}
