package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom"
)

// Store keeps a fleet's access tokens and callback claims in Redis.
//
// It is a wecom.TokenCache and a wecom.TokenLocker: pass it to every
// instance's client with wecom.WithTokenCache, and the fleet shares one
// token and fetches a new one once per token lifetime. Callback
// deduplication is Dedup's.
//
// Every operation is bounded by WithOpTimeout (250ms by default) whatever
// the caller's context allows; on an error or timeout the wecom client
// behaves as a single instance would (its own token, fetched locally)
// until Redis answers again.
//
// A Store is safe for concurrent use. It owns no connection: close the
// go-redis client yourself when done.
type Store struct {
	rdb       goredis.UniversalClient
	prefix    string
	log       *slog.Logger
	opTimeout time.Duration

	refreshAhead time.Duration
}

var (
	_ wecom.TokenCache  = (*Store)(nil)
	_ wecom.TokenLocker = (*Store)(nil)
)

// NewStore returns a Store on rdb (a *redis.Client, *redis.ClusterClient or
// any redis.UniversalClient).
func NewStore(rdb goredis.UniversalClient, opts ...Option) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("wecomredis: nil redis client")
	}
	o := newOptions(opts)
	return &Store{rdb: rdb, prefix: o.prefix, log: o.log, opTimeout: o.opTimeout, refreshAhead: o.refreshAhead}, nil
}

// tokenKey and leaseKey put the corp and app (wecom.TokenCacheKey) in a
// hash tag, so that a cluster keeps a token and its lease on one node.
func (s *Store) tokenKey(key string) string { return s.prefix + "{" + key + "}:token" }
func (s *Store) leaseKey(key string) string { return s.prefix + "{" + key + "}:lease" }

// The token is a hash {token, life} with a PX expiry equal to its
// remaining life: relative times, so that the clocks of the instances and
// of Redis need not agree. life is the token's whole life (from
// Token.IssuedAt, else its remaining life when stored), from which GetToken knows when the token
// enters its refresh window.
var (
	// getTokenScript returns {token, life ms, remaining ms} atomically.
	getTokenScript = goredis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'token', 'life')
if not v[1] then return false end
return {v[1], tonumber(v[2]) or 0, redis.call('PTTL', KEYS[1])}
`)

	// setTokenScript stores token ARGV[1] for ARGV[2] ms, with its whole
	// life ARGV[3] ms, unless a different
	// token that lives longer is already stored. A newer token always
	// outlives an older one, so an instance that fetched late (a lease
	// holder that hung past its lease) cannot overwrite the token the
	// fleet has moved on to. Returns 1 when stored.
	setTokenScript = goredis.NewScript(`
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) > ttl and redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
	return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'life', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

	// deleteTokenScript deletes the token KEYS[1] only if it is ARGV[1]:
	// the token that failed. Returns 1 when deleted.
	deleteTokenScript = goredis.NewScript(`
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

	// releaseScript deletes the lease KEYS[1] only if it still holds our
	// fencing value ARGV[1]. Returns 1 when deleted.
	releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)
)

// GetToken implements wecom.TokenCache. A token in its refresh window (see
// WithTokenRefreshAhead) is reported as absent, so that one instance
// fetches the next token under the lease while the others keep using the
// current one from memory.
func (s *Store) GetToken(ctx context.Context, key string) (wecom.Token, bool, error) {
	start := time.Now()
	res, err := bounded(ctx, s.opTimeout, func(ctx context.Context) ([]any, error) {
		return getTokenScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}).Slice()
	})
	if errors.Is(err, goredis.Nil) {
		return wecom.Token{}, false, nil
	}
	if err != nil {
		return wecom.Token{}, false, fmt.Errorf("wecomredis: get token: %w", err)
	}
	if len(res) != 3 {
		return wecom.Token{}, false, fmt.Errorf("wecomredis: get token: unexpected reply of %d elements", len(res))
	}
	val, _ := res[0].(string)
	life, _ := res[1].(int64)
	ms, _ := res[2].(int64)
	if val == "" || ms <= 0 {
		// Gone meanwhile (-2), or stored without expiry by someone else
		// (-1): not a token we can vouch for.
		return wecom.Token{}, false, nil
	}
	// PTTL counts whole milliseconds on Redis's clock, which may read up
	// to 1ms more than is left: count one less.
	remaining := time.Duration(ms-1) * time.Millisecond
	if remaining <= min(s.refreshAhead, time.Duration(life)*time.Millisecond/2) {
		return wecom.Token{}, false, nil
	}
	// Counting the life from before the request keeps us on the safe side.
	exp := start.Add(remaining)
	tok := wecom.Token{Value: val, ExpiresAt: exp}
	if life > 0 {
		// The whole life lets the client refresh this token as far ahead
		// as the instance that fetched it does.
		tok.IssuedAt = exp.Add(-time.Duration(life) * time.Millisecond)
	}
	return tok, true, nil
}

// SetToken implements wecom.TokenCache. The token expires from Redis with
// tok.ExpiresAt; an expired token is not stored. When the stored token is
// a different one that lives longer, it is kept and SetToken returns nil.
func (s *Store) SetToken(ctx context.Context, key string, tok wecom.Token) error {
	if tok.Value == "" {
		return errors.New("wecomredis: set token: empty token")
	}
	ttl := time.Until(tok.ExpiresAt).Milliseconds()
	if ttl <= 0 {
		return nil
	}
	life := ttl
	if !tok.IssuedAt.IsZero() && tok.IssuedAt.Before(tok.ExpiresAt) {
		life = tok.ExpiresAt.Sub(tok.IssuedAt).Milliseconds()
	}
	err := bounded0(ctx, s.opTimeout, func(ctx context.Context) error {
		return setTokenScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}, tok.Value, ttl, life).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: set token: %w", err)
	}
	return nil
}

// DeleteToken implements wecom.TokenCache: it deletes the token stored
// under key only if it is still value, so that a newer token another
// instance stored survives.
func (s *Store) DeleteToken(ctx context.Context, key, value string) error {
	err := bounded0(ctx, s.opTimeout, func(ctx context.Context) error {
		return deleteTokenScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}, value).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: delete token: %w", err)
	}
	return nil
}

// LockToken implements wecom.TokenLocker: it takes the lease to refresh the
// token under key with SET NX PX and a random fencing value. The lease
// expires after ttl even if its holder dies; release deletes it only while
// it still holds our fencing value, so a holder that outlived its lease
// cannot release the next holder's. release is safe to call more than
// once and from any goroutine.
func (s *Store) LockToken(ctx context.Context, key string, ttl time.Duration) (release func(), acquired bool, err error) {
	if ttl < time.Millisecond {
		return nil, false, fmt.Errorf("wecomredis: lock token: lease of %s is below 1ms", ttl)
	}
	fence, err := newFence()
	if err != nil {
		return nil, false, fmt.Errorf("wecomredis: lock token: %w", err)
	}
	lk := s.leaseKey(key)
	ok, err := bounded(ctx, s.opTimeout, func(ctx context.Context) (bool, error) {
		return s.rdb.SetNX(ctx, lk, fence, ttl).Result()
	})
	if err != nil {
		return nil, false, fmt.Errorf("wecomredis: lock token: %w", err)
	}
	if !ok {
		return func() {}, false, nil
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			// The caller's context may be over by now; the release must
			// still go out, bounded.
			rctx := context.Background()
			err := bounded0(rctx, s.opTimeout, func(ctx context.Context) error {
				return releaseScript.Run(ctx, s.rdb, []string{lk}, fence).Err()
			})
			if err != nil {
				// The lease expires by itself; only the others' wait is longer.
				s.log.LogAttrs(rctx, slog.LevelWarn, "wecomredis: releasing the token lease failed; it will expire",
					slog.String("error", err.Error()))
			}
		})
	}
	return release, true, nil
}

// newFence returns a random lease value: 128 bits, hex.
func newFence() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// discardHandler is slog.DiscardHandler, which needs Go 1.24.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
