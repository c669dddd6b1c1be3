package redis

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

const testCorp = "ww5f3c9a1e2b7d4c60"

var testKey = wecom.TokenCacheKey(testCorp, "the-app-secret")

func TestNewStoreNilClient(t *testing.T) {
	_, err := NewStore(nil)
	assert.ErrorContains(t, err, "nil redis client")
}

func TestStoreTokenRoundTrip(t *testing.T) {
	s, _, rdb := newTestStore(t)
	ctx := context.Background()

	_, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.False(t, ok, "empty store")

	exp := time.Now().Add(7200 * time.Second)
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "tok-1", ExpiresAt: exp}))

	got, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "tok-1", got.Value)
	assert.WithinDuration(t, exp, got.ExpiresAt, 50*time.Millisecond)
	assert.False(t, got.ExpiresAt.After(exp), "the stored life must not grow")

	// Namespaced by prefix, corp and app hash; the bare token is the value
	// and Redis expires it with the token.
	key := s.prefix + "{" + testKey + "}:token"
	assert.True(t, strings.HasPrefix(testKey, testCorp+":"))
	assert.Equal(t, map[string]string{"token": "tok-1", "life": rdb.HGet(ctx, key, "life").Val()}, rdb.HGetAll(ctx, key).Val())
	life, err := rdb.HGet(ctx, key, "life").Int64()
	require.NoError(t, err)
	assert.InDelta(t, 7200_000, life, 1000, "the life it was stored with, in ms")
	pttl := rdb.PTTL(ctx, key).Val()
	assert.InDelta(t, float64(7200*time.Second), float64(pttl), float64(time.Second))
	keys := rdb.Keys(ctx, s.prefix+"*").Val()
	assert.Equal(t, []string{key}, keys)
	for _, k := range keys {
		assert.NotContains(t, k, "the-app-secret")
	}

	// Another app of the same corp has its own token.
	_, ok, err = s.GetToken(ctx, wecom.TokenCacheKey(testCorp, "another-secret"))
	require.NoError(t, err)
	assert.False(t, ok)
}

// A token stored with its issue time comes back with it, so a client
// reading it late in its life still refreshes it as far ahead as the
// instance that fetched it.
func TestStoreTokenKeepsItsWholeLife(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	issued := time.Now().Add(-6200 * time.Second) // 1000 s left of 7200
	exp := issued.Add(7200 * time.Second)
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "tok", ExpiresAt: exp, IssuedAt: issued}))
	got, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, issued, got.IssuedAt, 100*time.Millisecond)

	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "tok2", ExpiresAt: time.Now().Add(7200 * time.Second), IssuedAt: time.Now()}))
	got, ok, err = s.GetToken(ctx, testKey)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, time.Now(), got.IssuedAt, time.Second)
	assert.WithinDuration(t, got.IssuedAt.Add(7200*time.Second), got.ExpiresAt, 100*time.Millisecond)
}

func TestStoreTokenExpiresWithItsLife(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()

	// Already expired: not stored at all.
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "old", ExpiresAt: time.Now().Add(-time.Second)}))
	_, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.False(t, ok)

	s.refreshAhead = 0 // this part is about expiry only
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "short", ExpiresAt: time.Now().Add(150 * time.Millisecond)}))
	_, ok, err = s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.True(t, ok)
	time.Sleep(250 * time.Millisecond)
	_, ok, err = s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.False(t, ok, "expired with the token")

	assert.ErrorContains(t, s.SetToken(ctx, testKey, wecom.Token{ExpiresAt: time.Now().Add(time.Hour)}), "empty token")
}

func TestStoreHidesATokenDueForRefresh(t *testing.T) {
	for _, tc := range []struct {
		name         string
		refreshAhead time.Duration
		life         time.Duration
		hiddenAfter  time.Duration // of the life
	}{
		{"refresh ahead", 300 * time.Millisecond, 2 * time.Second, 1700 * time.Millisecond},
		{"short-lived: half its life", 5 * time.Minute, 600 * time.Millisecond, 300 * time.Millisecond},
		{"no refresh ahead", 0, 400 * time.Millisecond, 400 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := newTestStore(t, WithTokenRefreshAhead(tc.refreshAhead))
			ctx := context.Background()
			stored := time.Now()
			require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "tok", ExpiresAt: stored.Add(tc.life)}))
			visible := func() bool {
				_, ok, err := s.GetToken(ctx, testKey)
				require.NoError(t, err)
				return ok
			}
			require.True(t, visible())
			time.Sleep(tc.hiddenAfter - 100*time.Millisecond - time.Since(stored))
			assert.True(t, visible(), "before the refresh window")
			time.Sleep(tc.hiddenAfter + 50*time.Millisecond - time.Since(stored))
			assert.False(t, visible(), "in the refresh window: one instance fetches the next")
			// The next token is visible at once, and a straggler's older
			// token does not replace it.
			require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "next", ExpiresAt: time.Now().Add(tc.life)}))
			require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "tok", ExpiresAt: stored.Add(tc.life)}))
			got, ok, err := s.GetToken(ctx, testKey)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, "next", got.Value)
		})
	}
}

func TestStoreSetTokenKeepsTheNewerToken(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	now := time.Now()

	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "new", ExpiresAt: now.Add(2 * time.Hour)}))
	// A holder that hung past its lease comes back with an older token.
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "stale", ExpiresAt: now.Add(time.Hour)}))
	got, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "new", got.Value)

	// The same token with a shorter life (WeCom counting down) replaces it.
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "new", ExpiresAt: now.Add(time.Hour)}))
	got, _, _ = s.GetToken(ctx, testKey)
	assert.WithinDuration(t, now.Add(time.Hour), got.ExpiresAt, 100*time.Millisecond)

	// A longer-lived token replaces a shorter-lived one.
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "newest", ExpiresAt: now.Add(3 * time.Hour)}))
	got, _, _ = s.GetToken(ctx, testKey)
	assert.Equal(t, "newest", got.Value)
}

func TestStoreGetTokenWithoutExpiry(t *testing.T) {
	s, _, rdb := newTestStore(t)
	ctx := context.Background()
	// Written by something else without a TTL: we cannot tell its life.
	require.NoError(t, rdb.HSet(ctx, s.tokenKey(testKey), "token", "foreign", "life", 7200_000).Err())
	_, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestStoreDeleteTokenComparesValue(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	require.NoError(t, s.SetToken(ctx, testKey, wecom.Token{Value: "current", ExpiresAt: time.Now().Add(time.Hour)}))

	// Another instance reports an older token as rejected: current stays.
	require.NoError(t, s.DeleteToken(ctx, testKey, "older"))
	got, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "current", got.Value)

	require.NoError(t, s.DeleteToken(ctx, testKey, "current"))
	_, ok, err = s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.False(t, ok)

	// Deleting what is not there is fine.
	require.NoError(t, s.DeleteToken(ctx, testKey, "current"))
}

func TestStoreLease(t *testing.T) {
	s, _, rdb := newTestStore(t)
	ctx := context.Background()
	lk := s.prefix + "{" + testKey + "}:lease"

	release, acquired, err := s.LockToken(ctx, testKey, time.Minute)
	require.NoError(t, err)
	require.True(t, acquired)
	fence := rdb.Get(ctx, lk).Val()
	assert.Len(t, fence, 32, "a random 128-bit fencing value")
	assert.InDelta(t, float64(time.Minute), float64(rdb.PTTL(ctx, lk).Val()), float64(time.Second))

	other, acquired2, err := s.LockToken(ctx, testKey, time.Minute)
	require.NoError(t, err)
	assert.False(t, acquired2, "held by the first")
	other() // a no-op: not ours
	assert.Equal(t, fence, rdb.Get(ctx, lk).Val())

	// Leases of different apps are independent.
	rel3, acquired3, err := s.LockToken(ctx, wecom.TokenCacheKey(testCorp, "other-app"), time.Minute)
	require.NoError(t, err)
	assert.True(t, acquired3)
	rel3()

	release()
	assert.Zero(t, rdb.Exists(ctx, lk).Val(), "released")
	release() // twice is fine

	_, _, err = s.LockToken(ctx, testKey, 0)
	assert.Error(t, err)
}

func TestStoreLeaseExpiresAndStaleReleaseIsFenced(t *testing.T) {
	s, _, rdb := newTestStore(t)
	ctx := context.Background()
	lk := s.leaseKey(testKey)

	dead, acquired, err := s.LockToken(ctx, testKey, 100*time.Millisecond)
	require.NoError(t, err)
	require.True(t, acquired)

	// The holder dies: its lease expires by itself.
	time.Sleep(150 * time.Millisecond)
	next, acquired, err := s.LockToken(ctx, testKey, time.Minute)
	require.NoError(t, err)
	require.True(t, acquired, "taken over after expiry")
	fence := rdb.Get(ctx, lk).Val()

	// The first holder comes back and releases: the new lease survives.
	dead()
	assert.Equal(t, fence, rdb.Get(ctx, lk).Val())

	_, acquired, err = s.LockToken(ctx, testKey, time.Minute)
	require.NoError(t, err)
	assert.False(t, acquired)

	next()
	assert.Zero(t, rdb.Exists(ctx, lk).Val())
}

func TestStoreLeaseIsExclusiveUnderContention(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	var holders, maxHolders, acquiredCount atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				release, acquired, err := s.LockToken(ctx, testKey, time.Minute)
				if !assert.NoError(t, err) {
					return
				}
				if acquired {
					acquiredCount.Add(1)
					n := holders.Add(1)
					for {
						m := maxHolders.Load()
						if n <= m || maxHolders.CompareAndSwap(m, n) {
							break
						}
					}
					time.Sleep(time.Millisecond)
					holders.Add(-1)
					release()
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), maxHolders.Load(), "never two holders at once")
	assert.Positive(t, acquiredCount.Load())
}

func TestStoreReleaseLogsWhenRedisIsGone(t *testing.T) {
	var logs logBuffer
	s, r, _ := newTestStore(t, WithLogger(logs.Logger()), WithOpTimeout(300*time.Millisecond))
	r.Restartable(t)
	release, acquired, err := s.LockToken(context.Background(), testKey, time.Minute)
	require.NoError(t, err)
	require.True(t, acquired)
	r.Stop()
	release()
	assert.Equal(t, 1, logs.Count("releasing the token lease failed"))
}

func TestStoreErrorsWhileRedisIsDown(t *testing.T) {
	s, r, _ := newTestStore(t)
	r.Restartable(t)
	ctx := context.Background()
	tok := wecom.Token{Value: "secret-token-value", ExpiresAt: time.Now().Add(time.Hour)}
	require.NoError(t, s.SetToken(ctx, testKey, tok))

	r.Stop()
	checkErr := func(name string, err error) {
		t.Helper()
		if assert.Error(t, err, name) {
			assert.True(t, strings.HasPrefix(err.Error(), "wecomredis: "), err.Error())
			assert.NotContains(t, err.Error(), tok.Value)
		}
	}
	_, ok, err := s.GetToken(ctx, testKey)
	checkErr("GetToken", err)
	assert.False(t, ok)
	checkErr("SetToken", s.SetToken(ctx, testKey, tok))
	checkErr("DeleteToken", s.DeleteToken(ctx, testKey, tok.Value))
	_, acquired, err := s.LockToken(ctx, testKey, time.Second)
	checkErr("LockToken", err)
	assert.False(t, acquired)
	d, err := NewDedup(r.Client(t), WithPrefix(s.prefix))
	require.NoError(t, err)
	_, err = d.Claim(ctx, "ev", "A", time.Minute)
	checkErr("Claim", err)
	checkErr("Done", d.Done(ctx, "ev", "A", time.Hour))
	checkErr("Release", d.Release(ctx, "ev", "A"))

	// And it recovers when Redis is back (empty: it kept nothing on disk).
	r.Start()
	waitFor(t, 5*time.Second, "store to answer again", func() bool {
		_, _, err := s.GetToken(ctx, testKey)
		return err == nil
	})
	require.NoError(t, s.SetToken(ctx, testKey, tok))
	got, ok, err := s.GetToken(ctx, testKey)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, tok.Value, got.Value)
}
