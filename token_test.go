package wecom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestColdCacheThousandCallersOneGettoken(t *testing.T) {
	f := newFake(t)
	f.tokenDelay = 50 * time.Millisecond // keep the refresh in flight while callers pile up
	c := f.client(t)
	hammer(t, 1000, func() error {
		return c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	})
	assert.Equal(t, int32(1), f.tokenCalls.Load())
	assert.Len(t, f.requests("/cgi-bin/x"), 1000)
}

func TestRevokedTokenRefreshedOnceUnderConcurrency(t *testing.T) {
	f := newFake(t)
	f.tokenDelay = 20 * time.Millisecond
	c := f.client(t)
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	first := f.requests("/cgi-bin/x")[0].Token
	f.revoke(first) // e.g. the secret was reset in the admin console

	hammer(t, 1000, func() error {
		return c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`)}, nil)
	})
	assert.Equal(t, int32(2), f.tokenCalls.Load(), "one refresh for all 1000 callers")
	ok := 0
	for _, r := range f.requests("/cgi-bin/x") {
		if r.Token != first {
			ok++
		}
	}
	assert.Equal(t, 1000, ok, "each caller's call went through once with the new token")
}

func TestRejectedTokenRepeatsTheCallOnlyOnce(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", errcode(42001, "access_token expired"))
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`)}, nil)
	assert.True(t, IsTokenInvalid(err))
	assert.Equal(t, CodeAccessTokenExpired, ErrorCode(err))
	reqs := f.requests("/cgi-bin/x")
	require.Len(t, reqs, 2, "repeated once, then the error is returned")
	assert.NotEqual(t, reqs[0].Token, reqs[1].Token, "the repeat carries a fresh token")
	assert.False(t, IsMaybeApplied(err))
	assert.Equal(t, int32(2), f.tokenCalls.Load())
}

func TestCustomTokenSourceIsInvalidated(t *testing.T) {
	f := newFake(t)
	ts := &staticTokens{tok: "not-a-valid-token"}
	c := f.client(t, WithTokenSource(ts))
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.Equal(t, CodeInvalidAccessToken, ErrorCode(err))
	assert.Equal(t, int32(1), ts.invalidated.Load())
	assert.Len(t, f.requests("/cgi-bin/x"), 2)
	assert.Equal(t, int32(0), f.tokenCalls.Load())
}

func TestEmptyTokenFromSourceIsAnError(t *testing.T) {
	f := newFake(t)
	c := f.client(t, WithTokenSource(&staticTokens{tok: ""}))
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.ErrorIs(t, err, errNoToken)
	assert.Empty(t, f.requests("/cgi-bin/x"))
}

func TestBadSecretSurfacesGettokenError(t *testing.T) {
	f := newFake(t)
	c, err := New(testCorpID, "wrong-secret-value-123", WithBaseURL(f.srv.URL), WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	require.Error(t, err)
	assert.True(t, IsCredentialError(err))
	assert.Equal(t, CodeInvalidSecret, ErrorCode(err))
	assert.Contains(t, err.Error(), "get access token")
	assert.Contains(t, err.Error(), "/cgi-bin/gettoken")
	assert.NotContains(t, err.Error(), "wrong-secret-value-123")
	assert.Equal(t, int32(1), f.tokenCalls.Load(), "a credential error is not retried")
	assert.Empty(t, f.requests("/cgi-bin/x"))
}

func TestAccessToken(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "TOKEN-0001-qwertyuiopasdfghjkl", tok)
}

func TestTokenIsRefreshedAheadOfExpiry(t *testing.T) {
	f := newFake(t)
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := f.client(t)
	setClock(c, clk)
	call := func() string {
		require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
		reqs := f.requests("/cgi-bin/x")
		return reqs[len(reqs)-1].Token
	}
	first := call()
	clk.Advance(7200*time.Second - 5*time.Minute - time.Second)
	assert.Equal(t, first, call(), "still outside the refresh margin")
	assert.Equal(t, int32(1), f.tokenCalls.Load())
	clk.Advance(2 * time.Second)
	second := call()
	assert.NotEqual(t, first, second, "refreshed five minutes ahead")
	assert.Equal(t, int32(2), f.tokenCalls.Load())
}

func TestFailedRefreshKeepsServingAValidToken(t *testing.T) {
	f := newFake(t)
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var buf syncBuffer
	c := f.client(t, WithLogger(captureLogs(&buf)))
	setClock(c, clk)
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cgi-bin/gettoken" {
			errcode(-1, "system busy")(w, r)
			return
		}
		f.serve(w, r)
	})
	clk.Advance(7200*time.Second - time.Minute) // inside the margin, not expired
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	assert.Contains(t, buf.String(), "access token refresh failed; using the current token")

	clk.Advance(2 * time.Minute) // expired now
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.True(t, IsBusy(err))
	assert.Contains(t, err.Error(), "get access token")
}

func TestShortLivedTokensUseHalfTheirLife(t *testing.T) {
	f := newFake(t)
	f.expiresIn = 60
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := f.client(t)
	setClock(c, clk)
	_, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	clk.Advance(29 * time.Second)
	_, _ = c.AccessToken(context.Background())
	assert.Equal(t, int32(1), f.tokenCalls.Load())
	clk.Advance(2 * time.Second)
	_, _ = c.AccessToken(context.Background())
	assert.Equal(t, int32(2), f.tokenCalls.Load())
}

func TestInvalidateKeepsANewerToken(t *testing.T) {
	var fetches atomic.Int32
	s := &cachingSource{
		key: "k",
		fetch: func(context.Context) (Token, error) {
			n := fetches.Add(1)
			return Token{Value: fmt.Sprint("T", n), ExpiresAt: time.Now().Add(time.Hour)}, nil
		},
		margin:       time.Minute,
		fetchTimeout: time.Second,
		lease:        time.Second,
		epoch:        time.Now(),
	}
	ctx := context.Background()
	a, err := s.Token(ctx)
	require.NoError(t, err)
	s.Invalidate(ctx, a)
	b, err := s.Token(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	s.Invalidate(ctx, a) // a straggler reporting the old token
	c, err := s.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, b, c)
	assert.Equal(t, int32(2), fetches.Load())
}

func TestWarmTokenReadDoesNotAllocate(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	_, err := c.tokens.Token(ctx)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() { _, _ = c.tokens.Token(ctx) })
	assert.Zero(t, allocs)
}

func TestSharedMemoryCacheSharesTheToken(t *testing.T) {
	f := newFake(t)
	cache := NewMemoryTokenCache()
	c1 := f.client(t, WithTokenCache(cache))
	c2 := f.client(t, WithTokenCache(cache))
	require.NoError(t, c1.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	require.NoError(t, c2.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	assert.Equal(t, int32(1), f.tokenCalls.Load())

	// c1 is told the token is bad: it must delete it from the cache and not
	// pick it up again; c2 then follows the shared new token after its own
	// rejection without another gettoken.
	tok := f.requests("/cgi-bin/x")[0].Token
	f.revoke(tok)
	require.NoError(t, c1.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	require.NoError(t, c2.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	assert.Equal(t, int32(2), f.tokenCalls.Load())
}

func TestMemoryTokenCache(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryTokenCache()
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	_, ok, err := c.GetToken(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, c.SetToken(ctx, "k", Token{Value: "A", ExpiresAt: now.Add(time.Minute)}))
	got, ok, _ := c.GetToken(ctx, "k")
	assert.True(t, ok)
	assert.Equal(t, "A", got.Value)
	require.NoError(t, c.DeleteToken(ctx, "k", "B"))
	_, ok, _ = c.GetToken(ctx, "k")
	assert.True(t, ok, "compare and delete: another value is kept")
	require.NoError(t, c.DeleteToken(ctx, "k", "A"))
	_, ok, _ = c.GetToken(ctx, "k")
	assert.False(t, ok)
	require.NoError(t, c.SetToken(ctx, "k", Token{Value: "A", ExpiresAt: now.Add(time.Minute)}))
	now = now.Add(time.Minute)
	_, ok, _ = c.GetToken(ctx, "k")
	assert.False(t, ok, "expired")
}

func TestTokenCacheKeyHidesTheSecret(t *testing.T) {
	k := TokenCacheKey("ww1", "my-secret")
	assert.True(t, strings.HasPrefix(k, "ww1:"))
	assert.NotContains(t, k, "my-secret")
	assert.Len(t, k, len("ww1:")+16)
	assert.NotEqual(t, k, TokenCacheKey("ww1", "other-secret"))
}

// leaseCache is a TokenCache + TokenLocker standing for a fleet-shared
// store, with the lease held by "another instance".
type leaseCache struct {
	*MemoryTokenCache
	held     atomic.Bool
	lockErr  error
	lockCall atomic.Int32
}

func (l *leaseCache) LockToken(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	l.lockCall.Add(1)
	if l.lockErr != nil {
		return nil, false, l.lockErr
	}
	if !l.held.CompareAndSwap(false, true) {
		return nil, false, nil
	}
	return func() { l.held.Store(false) }, true, nil
}

func TestFleetLeaseWaitsForTheHolder(t *testing.T) {
	f := newFake(t)
	lc := &leaseCache{MemoryTokenCache: NewMemoryTokenCache()}
	lc.held.Store(true) // another instance is refreshing
	c := f.client(t, WithTokenCache(lc))
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = lc.SetToken(context.Background(), TokenCacheKey(testCorpID, testSecret), Token{Value: "FROM-OTHER-INSTANCE", ExpiresAt: time.Now().Add(time.Hour)})
		lc.held.Store(false)
	}()
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "FROM-OTHER-INSTANCE", tok)
	assert.Equal(t, int32(0), f.tokenCalls.Load())
}

func TestFleetLeaseHolderDies(t *testing.T) {
	f := newFake(t)
	lc := &leaseCache{MemoryTokenCache: NewMemoryTokenCache()}
	lc.held.Store(true) // held by an instance that died; it never releases
	c := f.client(t, WithTokenCache(lc), WithTokenLease(100*time.Millisecond))
	start := time.Now()
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "TOKEN-0001-qwertyuiopasdfghjkl", tok)
	assert.Less(t, time.Since(start), time.Second, "stalled no longer than the lease (twice)")
	assert.Equal(t, int32(1), f.tokenCalls.Load())
	got, ok, _ := lc.GetToken(context.Background(), TokenCacheKey(testCorpID, testSecret))
	assert.True(t, ok)
	assert.Equal(t, tok, got.Value, "the fetched token is shared")
}

func TestFleetLeaseAcquiredAndStoreDown(t *testing.T) {
	f := newFake(t)
	lc := &leaseCache{MemoryTokenCache: NewMemoryTokenCache()}
	c := f.client(t, WithTokenCache(lc))
	_, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.False(t, lc.held.Load(), "lease released")
	assert.Equal(t, int32(1), lc.lockCall.Load())

	f2 := newFake(t)
	down := &leaseCache{MemoryTokenCache: NewMemoryTokenCache(), lockErr: errors.New("connection refused")}
	c2 := f2.client(t, WithTokenCache(down))
	_, err = c2.AccessToken(context.Background())
	require.NoError(t, err, "a broken shared store falls back to a local fetch")
	assert.Equal(t, int32(1), f2.tokenCalls.Load())
}

func TestTokenWaitRespectsCallerContext(t *testing.T) {
	f := newFake(t)
	f.tokenDelay = 300 * time.Millisecond
	c := f.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.AccessToken(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// The shared refresh was not killed by that caller: the next one gets it.
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, tok)
	assert.Equal(t, int32(1), f.tokenCalls.Load())
}

// A token read back from a shared cache inside its refresh margin is due
// for refresh, as it is for the instance that fetched it: the margin comes
// from the token's whole life, not from what is left of it.
func TestSharedCacheTokenIsRefreshedAhead(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	cache := NewMemoryTokenCache()
	cache.now = clk.Now
	var fetches atomic.Int32
	source := func() *cachingSource {
		return &cachingSource{
			key:   "k",
			cache: cache,
			fetch: func(context.Context) (Token, error) {
				n := fetches.Add(1)
				now := clk.Now()
				return Token{Value: fmt.Sprint("T", n), ExpiresAt: now.Add(2 * time.Hour), IssuedAt: now}, nil
			},
			margin: 5 * time.Minute, fetchTimeout: time.Second, lease: time.Second,
			epoch: clk.Now(), clock: clk.Now,
		}
	}
	ctx := context.Background()
	a := source()
	tok, err := a.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "T1", tok)

	clk.Advance(2*time.Hour - 4*time.Minute) // inside the 5-minute margin
	b := source()
	tok, err = b.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "T2", tok, "a token 4 minutes from expiry is not taken from the cache")
	tok, err = a.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "T2", tok, "the first instance picks up the refreshed token")
	assert.Equal(t, int32(2), fetches.Load())

	// Without IssuedAt (an older cache) the remaining life is all we know.
	got := a.marginFor(Token{Value: "x", ExpiresAt: clk.Now().Add(4 * time.Minute)}, clk.Now())
	assert.Equal(t, 2*time.Minute, got)
}

// expiringLease is a shared store whose lease expires like Redis's SET PX.
// A dead holder took the lease the moment the first waiter asks (so the
// waiter must wait, however slowly the test starts) and holds it for hold.
type expiringLease struct {
	*MemoryTokenCache
	hold     time.Duration
	mu       sync.Mutex
	until    time.Time
	refused  int
	acquired int
	ttls     []time.Duration
}

func (l *expiringLease) LockToken(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ttls = append(l.ttls, ttl)
	now := time.Now()
	if l.until.IsZero() && l.acquired == 0 && l.refused == 0 {
		l.until = now.Add(l.hold) // the dead holder's lease
	}
	if now.Before(l.until) {
		l.refused++
		return nil, false, nil
	}
	l.until = now.Add(ttl)
	l.acquired++
	return func() {
		l.mu.Lock()
		l.until = time.Time{}
		l.mu.Unlock()
	}, true, nil
}

// A waiter takes over the lease of a dead holder as soon as it runs out,
// not a whole lease after it started waiting.
func TestFleetLeaseTakenOverWhenItRunsOut(t *testing.T) {
	f := newFake(t)
	lc := &expiringLease{MemoryTokenCache: NewMemoryTokenCache(), hold: 30 * time.Millisecond}
	c := f.client(t, WithTokenCache(lc), WithTokenLease(time.Second))
	start := time.Now()
	_, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	waited := time.Since(start)
	assert.GreaterOrEqual(t, lc.refused, 1, "the waiter was refused while the dead holder's lease ran")
	assert.GreaterOrEqual(t, waited, 30*time.Millisecond, "it waited for the lease to run out")
	assert.Less(t, waited, 500*time.Millisecond, "taken over when the dead holder's lease ran out")
	assert.Equal(t, 1, lc.acquired, "fetched under the lease")
	assert.Equal(t, int32(1), f.tokenCalls.Load())
	for _, ttl := range lc.ttls {
		assert.Equal(t, time.Second, ttl, "the configured lease")
	}

	_, err = New("ww1", "s", WithTokenLease(0))
	assert.ErrorContains(t, err, "WithTokenLease")
}

// A rejected secret is remembered: 20 sequential calls make at most 2
// gettoken requests, every caller in the window gets the remembered error
// quickly and marked as such, and after the window one more try is made.
func TestFailedGettokenIsRemembered(t *testing.T) {
	f := newFake(t)
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c, err := New(testCorpID, "wrong-secret-value-123", WithBaseURL(f.srv.URL), WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	setClock(c, clk)
	for i := 0; i < 20; i++ {
		err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
		require.Error(t, err)
		assert.True(t, IsCredentialError(err), "call %d keeps the code: %v", i, err)
		if i > 0 {
			assert.Contains(t, err.Error(), "remembered failure", "call %d", i)
		}
	}
	assert.LessOrEqual(t, f.tokenCalls.Load(), int32(2))
	assert.Empty(t, f.requests("/cgi-bin/x"))
	before := f.tokenCalls.Load()

	clk.Advance(credentialBackoffBase + time.Millisecond) // the window is over
	err = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.True(t, IsCredentialError(err))
	assert.NotContains(t, err.Error(), "remembered failure", "a fresh answer")
	assert.Equal(t, before+1, f.tokenCalls.Load(), "one more try after the window")

	// The second failure doubles the window.
	clk.Advance(credentialBackoffBase + time.Millisecond)
	_ = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.Equal(t, before+1, f.tokenCalls.Load(), "still inside the doubled window")
	clk.Advance(credentialBackoffBase)
	_ = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.Equal(t, before+2, f.tokenCalls.Load())
}

// A transient gettoken failure is remembered briefly, and a success clears
// the memory.
func TestTransientGettokenFailureBacksOffBriefly(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	var fetches atomic.Int32
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s := NewCachedTokenSource("k", func(context.Context) (Token, error) {
		fetches.Add(1)
		if fail.Load() {
			return Token{}, &Error{Path: "/cgi-bin/gettoken", Code: CodeSystemBusy, Message: "system busy"}
		}
		return Token{Value: "T", ExpiresAt: clk.Now().Add(time.Hour)}, nil
	}, nil).(*cachingSource)
	s.clock, s.epoch = clk.Now, clk.Now()
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_, err := s.Token(ctx)
		assert.True(t, IsBusy(err))
	}
	assert.Equal(t, int32(1), fetches.Load())
	clk.Advance(transientBackoffBase)
	fail.Store(false)
	tok, err := s.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "T", tok)
	assert.Nil(t, s.failed.Load(), "a success clears the failure")
	assert.Equal(t, int32(2), fetches.Load())
}
