package wecom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/wecomkit/wecom/internal/backoff"
)

// Token is an access token and the time WeCom stops accepting it.
type Token struct {
	Value     string
	ExpiresAt time.Time
	// IssuedAt is when the token was issued (zero when unknown). A cache
	// that keeps it lets every reader refresh the token the same margin
	// ahead of its expiry; without it a token read back from a cache late
	// in its life looks like a short-lived one.
	IssuedAt time.Time
}

// TokenSource supplies the access token a Client puts on each call. The
// default source fetches the corp token with GET /cgi-bin/gettoken; plug in
// your own with WithTokenSource for a service-provider (suite) token or a
// token managed elsewhere.
//
// Implementations must be safe for concurrent use. Token is called on every
// request, so it should answer from memory when it can.
type TokenSource interface {
	// Token returns a token to use now.
	Token(ctx context.Context) (string, error)
	// Invalidate reports that WeCom rejected token (40014, 42001, 42009).
	// The source must drop it only if it is still the current token, so that
	// a newer token another goroutine already fetched survives.
	Invalidate(ctx context.Context, token string)
}

// TokenCache stores access tokens beyond one Client: across the Clients of a
// process, across restarts, or across a fleet of instances (see the Redis
// module). The default Client keeps its current token in memory and consults
// the cache only when that is missing or due for refresh, never per call.
//
// Keys are derived from the corp id and a hash of the secret, so one cache
// may hold the tokens of several corps and apps. Implementations must be
// safe for concurrent use.
type TokenCache interface {
	// GetToken returns the token stored under key; ok is false when there
	// is none or it has expired.
	GetToken(ctx context.Context, key string) (tok Token, ok bool, err error)
	// SetToken stores tok under key until tok.ExpiresAt.
	SetToken(ctx context.Context, key string, tok Token) error
	// DeleteToken removes the token stored under key, but only if its value
	// is still value (compare and delete).
	DeleteToken(ctx context.Context, key, value string) error
}

// TokenLocker may be implemented by a TokenCache that several processes
// share, so that one of them fetches a new token while the others wait for
// it instead of all calling gettoken.
type TokenLocker interface {
	// LockToken tries to take the lease to refresh the token under key for
	// at most ttl. acquired is false when another holder has it. release
	// gives the lease back, and only if it is still ours.
	LockToken(ctx context.Context, key string, ttl time.Duration) (release func(), acquired bool, err error)
}

// MemoryTokenCache is an in-process TokenCache. Share one between Clients of
// the same corp and app in a process so they share a token.
type MemoryTokenCache struct {
	mu  sync.Mutex
	m   map[string]Token
	now func() time.Time
}

// NewMemoryTokenCache returns an empty MemoryTokenCache.
func NewMemoryTokenCache() *MemoryTokenCache {
	return &MemoryTokenCache{m: make(map[string]Token), now: time.Now}
}

// GetToken implements TokenCache.
func (c *MemoryTokenCache) GetToken(_ context.Context, key string) (Token, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[key]
	if !ok {
		return Token{}, false, nil
	}
	if !c.now().Before(t.ExpiresAt) {
		delete(c.m, key)
		return Token{}, false, nil
	}
	return t, true, nil
}

// SetToken implements TokenCache.
func (c *MemoryTokenCache) SetToken(_ context.Context, key string, tok Token) error {
	c.mu.Lock()
	c.m[key] = tok
	c.mu.Unlock()
	return nil
}

// DeleteToken implements TokenCache.
func (c *MemoryTokenCache) DeleteToken(_ context.Context, key, value string) error {
	c.mu.Lock()
	if t, ok := c.m[key]; ok && t.Value == value {
		delete(c.m, key)
	}
	c.mu.Unlock()
	return nil
}

// TokenCacheKey returns the cache key the default token source uses for a
// corp and secret: the corp id and a short hash of the secret, so the secret
// itself is never stored.
func TokenCacheKey(corpID, secret string) string {
	sum := sha256.Sum256([]byte(corpID + "\x00" + secret))
	return corpID + ":" + hex.EncodeToString(sum[:8])
}

const (
	defaultRefreshMargin = 5 * time.Minute
	defaultLeaseTTL      = 10 * time.Second
	defaultFetchTimeout  = 30 * time.Second
)

// memToken is what the caching source keeps in memory: immutable once
// published, swapped atomically. Its deadlines are offsets on the source's
// monotonic clock: reading that clock costs half of time.Now, and wall
// clock jumps cannot make a token look fresh.
type memToken struct {
	value        string
	refreshAfter time.Duration // callers start refreshing
	expiresAfter time.Duration // WeCom stops accepting it
}

// cachingSource is the default TokenSource: the current token in an atomic
// pointer (warm reads take no lock and allocate nothing), one refresh at a
// time per source (singleflight), an optional shared TokenCache behind it
// and, when that cache is a TokenLocker, one refresh at a time per fleet.
type cachingSource struct {
	key          string
	fetch        func(ctx context.Context) (Token, error)
	cache        TokenCache  // nil: memory only
	locker       TokenLocker // nil unless cache implements it
	margin       time.Duration
	lease        time.Duration
	fetchTimeout time.Duration
	epoch        time.Time        // carries a monotonic reading
	clock        func() time.Time // nil: the real clock; tests set a fake
	log          *slog.Logger

	cur      atomic.Pointer[memToken]
	rejected atomic.Pointer[string] // the last token WeCom rejected: never taken from the cache again
	failed   atomic.Pointer[fetchFailure]
	sf       singleflight.Group
}

// fetchFailure is the last failed refresh, remembered so that callers do
// not each send gettoken with a secret WeCom just rejected: until retryAt
// (on the source's monotonic clock) they get the remembered error at once.
type fetchFailure struct {
	err     error
	n       int           // failures in a row
	at      time.Duration // when it failed
	retryAt time.Duration
}

// Backoff after a failed refresh. A credential WeCom rejected (40001,
// 40013) will not start working by itself: 1s, doubling to a minute. Any
// other failure (network, busy) has already been retried by the pipeline:
// a short pause, so that a burst of callers does not repeat it at once.
const (
	credentialBackoffBase = time.Second
	credentialBackoffMax  = time.Minute
	transientBackoffBase  = 100 * time.Millisecond
	transientBackoffMax   = 5 * time.Second
)

func failureBackoff(err error, n int) time.Duration {
	if IsCredentialError(err) {
		return backoff.Exp(credentialBackoffBase, credentialBackoffMax, n)
	}
	return backoff.Exp(transientBackoffBase, transientBackoffMax, n)
}

// rememberedError is what callers get while a failed credential refresh
// is remembered: the original failure (errors.As still finds its *Error
// and code) and when the source will try again.
type rememberedError struct {
	Err          error // the failure of the last refresh
	Ago, RetryIn time.Duration
}

func (e *rememberedError) Error() string {
	return fmt.Sprintf("remembered failure from %s ago, next try in %s: %v",
		e.Ago.Round(time.Millisecond), e.RetryIn.Round(time.Millisecond), e.Err)
}

func (e *rememberedError) Unwrap() error { return e.Err }

func (s *cachingSource) Token(ctx context.Context) (string, error) {
	if t := s.cur.Load(); t != nil && s.elapsed() < t.refreshAfter {
		return t.value, nil
	}
	return s.slowToken(ctx)
}

func (s *cachingSource) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// elapsed reads the source's monotonic clock.
func (s *cachingSource) elapsed() time.Duration {
	if s.clock != nil {
		return s.clock().Sub(s.epoch)
	}
	return time.Since(s.epoch)
}

func (s *cachingSource) slowToken(ctx context.Context) (string, error) {
	if f := s.failed.Load(); f != nil {
		if el := s.elapsed(); el < f.retryAt {
			if t := s.cur.Load(); t != nil && el < t.expiresAfter {
				return t.value, nil // due for refresh but still valid
			}
			return "", &rememberedError{Err: f.err, Ago: el - f.at, RetryIn: f.retryAt - el}
		}
	}
	// The refresh is shared by every caller waiting on it, so it must not
	// die with the first caller's context; each caller still stops waiting
	// when its own context ends.
	ch := s.sf.DoChan("token", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		return s.refresh(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (s *cachingSource) usable(t Token, now time.Time) bool {
	if t.Value == "" || !now.Before(t.ExpiresAt.Add(-s.marginFor(t, now))) {
		return false
	}
	if r := s.rejected.Load(); r != nil && *r == t.Value {
		return false
	}
	return true
}

// marginFor shrinks the refresh margin for short-lived tokens (test servers)
// so that a token is used for at least half its life. The life is the
// whole life when the token says when it was issued: measured from now, a
// token read back from a shared cache inside its margin would get a margin
// halved on every read and never be refreshed ahead of expiry.
func (s *cachingSource) marginFor(t Token, now time.Time) time.Duration {
	life := t.ExpiresAt.Sub(now)
	if !t.IssuedAt.IsZero() && t.IssuedAt.Before(t.ExpiresAt) {
		life = t.ExpiresAt.Sub(t.IssuedAt)
	}
	if m := s.margin; m < life/2 {
		return m
	}
	return life / 2
}

func (s *cachingSource) publish(t Token) string {
	now, el := s.now(), s.elapsed()
	life := t.ExpiresAt.Sub(now)
	s.cur.Store(&memToken{value: t.Value, refreshAfter: el + life - s.marginFor(t, now), expiresAfter: el + life})
	return t.Value
}

func (s *cachingSource) refresh(ctx context.Context) (string, error) {
	cur := s.cur.Load()
	if cur != nil && s.elapsed() < cur.refreshAfter {
		return cur.value, nil // another flight just finished
	}
	tok, err := s.obtain(ctx)
	if err != nil {
		s.rememberFailure(err)
		// A token in its refresh margin still works: keep serving it rather
		// than failing calls because gettoken hiccuped.
		if cur != nil && s.elapsed() < cur.expiresAfter {
			s.warn(ctx, "access token refresh failed; using the current token until it expires", err)
			return cur.value, nil
		}
		return "", err
	}
	s.failed.Store(nil)
	return s.publish(tok), nil
}

func (s *cachingSource) rememberFailure(err error) {
	n := 1
	if prev := s.failed.Load(); prev != nil {
		n = prev.n + 1
	}
	el := s.elapsed()
	s.failed.Store(&fetchFailure{err: err, n: n, at: el, retryAt: el + failureBackoff(err, n)})
}

// obtain gets a fresh token: from the shared cache when it has a usable
// one, else by fetching (under the fleet lease when the cache offers one).
func (s *cachingSource) obtain(ctx context.Context) (Token, error) {
	if t, ok := s.fromCache(ctx); ok {
		return t, nil
	}
	if s.locker == nil {
		return s.fetchAndStore(ctx)
	}
	// Another instance holds the lease: wait for the token it stores,
	// asking for the lease again between looks, so that a holder that died
	// is replaced as soon as its lease runs out. After two leases without
	// either, fetch regardless: a stuck store must not stall the calls.
	deadline := s.now().Add(2 * s.lease)
	for n := 1; ; n++ {
		release, acquired, err := s.locker.LockToken(ctx, s.key, s.lease)
		if err != nil {
			// The shared store is down: behave like a single instance.
			s.warn(ctx, "token lease unavailable; fetching locally", err)
			return s.fetchAndStore(ctx)
		}
		if acquired {
			defer release()
			if t, ok := s.fromCache(ctx); ok { // stored while we asked for the lease
				return t, nil
			}
			return s.fetchAndStore(ctx)
		}
		if !s.now().Before(deadline) {
			s.warn(ctx, "token lease holder did not deliver; fetching locally", errors.New("lease wait timed out"))
			return s.fetchAndStore(ctx)
		}
		if err := backoff.Sleep(ctx, backoff.Exp(10*time.Millisecond, 200*time.Millisecond, n)); err != nil {
			return Token{}, err
		}
		if t, ok := s.fromCache(ctx); ok {
			return t, nil
		}
	}
}

func (s *cachingSource) fromCache(ctx context.Context) (Token, bool) {
	if s.cache == nil {
		return Token{}, false
	}
	t, ok, err := s.cache.GetToken(ctx, s.key)
	if err != nil {
		s.warn(ctx, "token cache read failed", err)
		return Token{}, false
	}
	if !ok || !s.usable(t, s.now()) {
		return Token{}, false
	}
	return t, true
}

func (s *cachingSource) fetchAndStore(ctx context.Context) (Token, error) {
	t, err := s.fetch(ctx)
	if err != nil {
		return Token{}, err
	}
	if s.cache != nil {
		if err := s.cache.SetToken(ctx, s.key, t); err != nil {
			s.warn(ctx, "token cache write failed", err)
		}
	}
	return t, nil
}

func (s *cachingSource) Invalidate(ctx context.Context, token string) {
	if token == "" {
		return
	}
	s.rejected.Store(&token)
	cur := s.cur.Load()
	if cur == nil || cur.value != token || !s.cur.CompareAndSwap(cur, nil) {
		return // already replaced: a newer token must survive
	}
	if s.cache != nil {
		if err := s.cache.DeleteToken(ctx, s.key, token); err != nil {
			s.warn(ctx, "token cache delete failed", err)
		}
	}
}

func (s *cachingSource) warn(ctx context.Context, msg string, err error) {
	if s.log != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "wecom: "+msg, slog.String("error", err.Error()))
	}
}

// gettokenResponse is the payload of GET /cgi-bin/gettoken.
type gettokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

type gettokenQuery struct {
	CorpID     string `url:"corpid"`
	CorpSecret string `url:"corpsecret"`
}

// fetchCorpToken calls GET /cgi-bin/gettoken through the pipeline.
func (c *Client) fetchCorpToken(ctx context.Context) (Token, error) {
	start := c.now()
	var resp gettokenResponse
	err := c.Do(ctx, &Request{
		Method:     "GET",
		Path:       "/cgi-bin/gettoken",
		Query:      gettokenQuery{CorpID: c.corpID, CorpSecret: c.secret},
		Idempotent: true,
		NoToken:    true,
	}, &resp)
	if err != nil {
		return Token{}, err
	}
	if resp.AccessToken == "" {
		return Token{}, &Error{Method: "GET", Path: "/cgi-bin/gettoken", HTTPStatus: 200, Message: "response carries no access_token"}
	}
	if resp.ExpiresIn <= 0 {
		resp.ExpiresIn = 7200
	}
	// Count the lifetime from before the request went out, to stay on the
	// safe side of WeCom's clock.
	return Token{Value: resp.AccessToken, ExpiresAt: start.Add(time.Duration(resp.ExpiresIn) * time.Second), IssuedAt: start}, nil
}

// AccessToken returns the access token the client would use for its next
// call, fetching one if needed. Use it for the few WeCom features that need
// the token outside an API call; never log it.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("wecom: access token: %w", err)
	}
	return tok, nil
}

var errNoToken = errors.New("token source returned an empty token")

// CachedTokenOptions configures NewCachedTokenSource. The zero value keeps
// the credential in memory only, with the defaults of a Client.
type CachedTokenOptions struct {
	// Cache shares the credential beyond one process; when it is also a
	// TokenLocker, one instance of a fleet refreshes it while the others
	// wait. nil keeps it in memory.
	Cache TokenCache
	// RefreshAhead is how long before expiry the credential is refreshed
	// (default 5 minutes).
	RefreshAhead time.Duration
	// Lease bounds one instance's refresh lease (default 10 seconds).
	Lease time.Duration
	// Logger receives warnings (a failed refresh served by the current
	// credential, an unreachable cache). nil discards them.
	Logger *slog.Logger
}

// NewCachedTokenSource returns a TokenSource with the Client's own token
// machinery around fetch: a warm read from memory without locks or
// allocations, one fetch at a time however many goroutines ask, refresh
// ahead of expiry, the current credential kept when a refresh fails, the
// optional shared cache and fleet lease, and Invalidate that drops only a
// rejected credential. key names the credential in the cache and must
// differ between credentials (include the kind, the app and the corp; never
// a secret).
//
// It serves every credential WeCom issues with an expiry: service-provider
// suite and provider tokens, an authorized corp's token, JS-SDK tickets.
func NewCachedTokenSource(key string, fetch func(ctx context.Context) (Token, error), o *CachedTokenOptions) TokenSource {
	if o == nil {
		o = &CachedTokenOptions{}
	}
	cs := &cachingSource{
		key:          key,
		fetch:        fetch,
		cache:        o.Cache,
		margin:       o.RefreshAhead,
		lease:        o.Lease,
		fetchTimeout: defaultFetchTimeout,
		epoch:        time.Now(),
		log:          o.Logger,
	}
	if cs.margin <= 0 {
		cs.margin = defaultRefreshMargin
	}
	if cs.lease <= 0 {
		cs.lease = defaultLeaseTTL
	}
	if l, ok := o.Cache.(TokenLocker); ok {
		cs.locker = l
	}
	return cs
}
