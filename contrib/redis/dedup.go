package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// Dedup is the callback package's two-state dedup store for a fleet: every
// instance whose Dedup shares one Redis and prefix sees the same claims.
//
// A claim is one string key, wecom:dedup:<event key>, holding either
// "lease:<owner>" with the processing lease as its expiry, or "done" with
// the dedup window as its expiry. Claim, Done and Release are each one Lua
// script, so two instances cannot both take an event, and an owner whose
// lease ran out (it died, or hung past it) cannot mark done or release a
// claim another owner holds now.
//
// Every operation is bounded by WithOpTimeout (250ms by default) whatever
// the caller's context allows, and returns its error promptly: the
// callback handler decides what to answer WeCom while Redis is unavailable.
//
// The lease bounds how long a dead (or hung) holder keeps an event from
// WeCom's redeliveries: keep it above the handler's run and well inside
// WeCom's redelivery span, or the last redelivery meets the dead holder's
// lease and the event is lost. A Claim that timed out may still be applied
// when a hung Redis wakes up; its lease then runs out the same way.
//
// A Dedup is safe for concurrent use. It owns no connection.
type Dedup struct {
	rdb       goredis.UniversalClient
	prefix    string
	opTimeout time.Duration
}

var _ callback.DedupStore = (*Dedup)(nil)

// ErrNotOwner is wrapped by the error of Done when the claim is no longer
// the caller's: its lease ran out and another owner holds the event now.
var ErrNotOwner = errors.New("wecomredis: the claim is held by another owner")

// NewDedup returns a Dedup on rdb. It takes WithPrefix and WithOpTimeout.
func NewDedup(rdb goredis.UniversalClient, opts ...Option) (*Dedup, error) {
	if rdb == nil {
		return nil, wecom.InvalidArgument("wecomredis: nil redis client")
	}
	o := newOptions(opts)
	return &Dedup{rdb: rdb, prefix: o.prefix, opTimeout: o.opTimeout}, nil
}

func (d *Dedup) key(key string) string { return d.prefix + "dedup:" + key }

var (
	// claimScript: KEYS[1] the claim, ARGV[1] the owner, ARGV[2] the
	// lease in ms. Returns a callback.ClaimState. A lease that ran out is
	// gone from Redis, so any value present is live.
	claimScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 3 end
if v then return 2 end
redis.call('SET', KEYS[1], 'lease:' .. ARGV[1], 'PX', ARGV[2])
return 1
`)

	// doneScript marks KEYS[1] done for ARGV[2] ms unless another owner
	// than ARGV[1] holds it. An expired lease nobody took since is marked
	// done too: the event was handled. Returns 1 when done, 0 when another
	// owner holds the claim.
	doneScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= 'done' and v ~= 'lease:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1
`)

	// dropLeaseScript deletes KEYS[1] only while it is ARGV[1]'s lease.
	dropLeaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)
)

func checkClaim(op, key, owner string, d time.Duration) error {
	switch {
	case key == "":
		return wecom.InvalidArgument("wecomredis: %s: empty key", op)
	case owner == "":
		return wecom.InvalidArgument("wecomredis: %s: empty owner", op)
	case d < time.Millisecond && op != "release":
		return wecom.InvalidArgument("wecomredis: %s: %s is below 1ms", op, d)
	}
	return nil
}

// Claim implements callback.DedupStore: it takes the processing lease on
// key for lease, unless key is done (callback.ClaimDone) or another owner's
// lease on it is live (callback.ClaimInProgress).
func (d *Dedup) Claim(ctx context.Context, key, owner string, lease time.Duration) (callback.ClaimState, error) {
	if err := checkClaim("claim", key, owner, lease); err != nil {
		return 0, err
	}
	n, err := bounded(ctx, d.opTimeout, func(ctx context.Context) (int64, error) {
		return claimScript.Run(ctx, d.rdb, []string{d.key(key)}, owner, lease.Milliseconds()).Int64()
	})
	if err != nil {
		return 0, fmt.Errorf("wecomredis: claim: %w", err)
	}
	st := callback.ClaimState(n)
	if st != callback.ClaimAcquired && st != callback.ClaimInProgress && st != callback.ClaimDone {
		return 0, fmt.Errorf("wecomredis: claim: unexpected reply %d", n)
	}
	return st, nil
}

// Done implements callback.DedupStore: it marks key handled for ttl (the
// dedup window), replacing owner's lease. When another owner holds the
// claim by now, it changes nothing and returns an error wrapping
// ErrNotOwner.
func (d *Dedup) Done(ctx context.Context, key, owner string, ttl time.Duration) error {
	if err := checkClaim("done", key, owner, ttl); err != nil {
		return err
	}
	n, err := bounded(ctx, d.opTimeout, func(ctx context.Context) (int64, error) {
		return doneScript.Run(ctx, d.rdb, []string{d.key(key)}, owner, ttl.Milliseconds()).Int64()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: done: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("wecomredis: done: %w", ErrNotOwner)
	}
	return nil
}

// Release implements callback.DedupStore: it drops owner's lease on key,
// so that WeCom's next redelivery is handled. A claim owner no longer
// holds (done, expired, another owner's) is left alone, without error.
func (d *Dedup) Release(ctx context.Context, key, owner string) error {
	if err := checkClaim("release", key, owner, 0); err != nil {
		return err
	}
	err := bounded0(ctx, d.opTimeout, func(ctx context.Context) error {
		return dropLeaseScript.Run(ctx, d.rdb, []string{d.key(key)}, owner).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: release: %w", err)
	}
	return nil
}
