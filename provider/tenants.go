package provider

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/wecomkit/wecom"
)

// PermanentCodes is where the app keeps the permanent codes of the corps
// that installed its suite (its database, a secrets manager). The SDK asks
// for a code each time it needs a new corp token and keeps none of them.
// Implementations must be safe for concurrent use.
type PermanentCodes interface {
	// PermanentCode returns the permanent code of corpID. For a corp that
	// has not installed the suite (or cancelled), return an error that
	// wraps ErrUnknownTenant.
	PermanentCode(ctx context.Context, corpID string) (string, error)
}

// PermanentCodesFunc adapts a function to PermanentCodes.
type PermanentCodesFunc func(ctx context.Context, corpID string) (string, error)

// PermanentCode implements PermanentCodes.
//
// WeCom: POST /cgi-bin/service/get_corp_token (takes the code returned)
func (f PermanentCodesFunc) PermanentCode(ctx context.Context, corpID string) (string, error) {
	return f(ctx, corpID)
}

// ErrUnknownTenant reports a corp that has not installed the suite (or has
// cancelled). PermanentCodes implementations wrap it.
var ErrUnknownTenant = wecom.NewSentinel("corp has not authorized the suite")

// DefaultMaxTenants is the default bound of a Tenants pool.
const DefaultMaxTenants = 10000

// TenantsOptions configures a Tenants pool. The zero value is usable.
type TenantsOptions struct {
	// MaxTenants bounds the clients kept (default DefaultMaxTenants); the
	// least recently used one is dropped beyond it and recreated (its
	// token read back from the TokenCache, if any) when next needed.
	MaxTenants int
	// Limiter paces every tenant's calls. WeCom's limits are per corp and
	// the Limiter is asked with the tenant's corp id, so a busy tenant
	// waits on its own budget, not the others'. contrib/redis's Limiter
	// keys its budgets by corp too.
	Limiter wecom.Limiter
	// HTTPClient is shared by every tenant client (one transport, one
	// connection pool); it replaces a wecom.WithHTTPClient of the suite's
	// Options. Default: one created for the pool.
	HTTPClient *http.Client
	// ClientOptions are added to every tenant client (logger, observer,
	// retry policy, base URL). The suite's own Options are used first.
	ClientOptions []wecom.Option
	// TokenCache shares the tokens of a NewCustomizedTenants pool between
	// instances (NewTenants uses the Suite's TokenCache).
	TokenCache wecom.TokenCache
	// VerifyTenant asks PermanentCodes once when a tenant is first needed,
	// so that an unknown corp fails at Client rather than at its first
	// call. The code is not kept.
	VerifyTenant bool
}

// Tenants is a bounded pool of the clients of authorized corps, filled
// lazily: Client returns an ordinary *wecom.Client for a corp, whose token
// source fetches the corp token with get_corp_token (third-party apps) or
// gettoken with the permanent code as secret (代开发, NewCustomizedTenants).
// Every client shares one HTTP transport. A Tenants is safe for
// concurrent use.
type Tenants struct {
	newClient func(corpID string) (*wecom.Client, error)
	verify    func(ctx context.Context, corpID string) error
	cache     wecom.TokenCache
	cacheKey  func(corpID string) string
	max       int

	mu    sync.Mutex
	m     map[string]*list.Element // corpID → *tenantEntry
	lru   list.List                // front: most recently used
	fills int64
}

type tenantEntry struct {
	corpID string
	c      *wecom.Client
}

func (o *TenantsOptions) orDefault() *TenantsOptions {
	if o == nil {
		o = &TenantsOptions{}
	}
	v := *o
	if v.MaxTenants <= 0 {
		v.MaxTenants = DefaultMaxTenants
	}
	if v.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		v.HTTPClient = &http.Client{Transport: t}
	}
	return &v
}

func (o *TenantsOptions) clientOptions(base []wecom.Option) []wecom.Option {
	opts := append(append([]wecom.Option(nil), base...), o.ClientOptions...)
	opts = append(opts, wecom.WithHTTPClient(o.HTTPClient))
	if o.Limiter != nil {
		opts = append(opts, wecom.WithLimiter(o.Limiter))
	}
	return opts
}

// NewTenants returns the pool of a third-party suite's authorized corps.
// codes supplies their permanent codes.
func NewTenants(s *Suite, codes PermanentCodes, o *TenantsOptions) (*Tenants, error) {
	if s == nil || codes == nil {
		return nil, wecom.InvalidArgument("provider: new tenants: a Suite and PermanentCodes are required")
	}
	o = o.orDefault()
	base := o.clientOptions(s.options())
	t := &Tenants{max: o.MaxTenants, m: map[string]*list.Element{}, cache: s.cache,
		cacheKey: func(corpID string) string { return corpTokenKey(s.id, corpID) }}
	t.newClient = func(corpID string) (*wecom.Client, error) {
		return wecom.New(corpID, "", append(base[:len(base):len(base)], wecom.WithTokenSource(s.CorpTokenSource(corpID, codes)))...)
	}
	if o.VerifyTenant {
		t.verify = func(ctx context.Context, corpID string) error {
			_, err := codes.PermanentCode(ctx, corpID)
			return err
		}
	}
	return t, nil
}

// Client returns the client of an authorized corp: from the pool when it
// is there (no allocation), else created (no call is made until it is
// used; with VerifyTenant the permanent code is asked once). The client
// gets its token when it first needs one:
//
// WeCom: POST /cgi-bin/service/get_corp_token
func (t *Tenants) Client(ctx context.Context, corpID string) (*wecom.Client, error) {
	t.mu.Lock()
	if e, ok := t.m[corpID]; ok {
		t.lru.MoveToFront(e)
		c := e.Value.(*tenantEntry).c
		t.mu.Unlock()
		return c, nil
	}
	t.mu.Unlock()
	if corpID == "" {
		return nil, wecom.InvalidArgument("provider: tenant client: corp id is required")
	}
	if t.verify != nil {
		if err := t.verify(ctx, corpID); err != nil {
			return nil, fmt.Errorf("provider: tenant %s: %w", corpID, err)
		}
	}
	c, err := t.newClient(corpID)
	if err != nil {
		return nil, fmt.Errorf("provider: tenant %s: %w", corpID, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.m[corpID]; ok { // another goroutine filled it meanwhile
		t.lru.MoveToFront(e)
		return e.Value.(*tenantEntry).c, nil
	}
	t.m[corpID] = t.lru.PushFront(&tenantEntry{corpID: corpID, c: c})
	t.fills++
	for t.lru.Len() > t.max {
		old := t.lru.Back()
		t.lru.Remove(old)
		delete(t.m, old.Value.(*tenantEntry).corpID)
	}
	return c, nil
}

// Remove drops a corp from the pool, as when it cancels the authorization
// (cancel_auth): its client is forgotten and its token removed from the
// shared TokenCache, so no instance that reads the cache uses it again.
// Clients already handed out keep working until WeCom rejects them.
//
// WeCom: POST /cgi-bin/service/get_corp_token (its token leaves the cache)
func (t *Tenants) Remove(ctx context.Context, corpID string) {
	t.mu.Lock()
	if e, ok := t.m[corpID]; ok {
		t.lru.Remove(e)
		delete(t.m, corpID)
	}
	t.mu.Unlock()
	if t.cache != nil {
		key := t.cacheKey(corpID)
		if tok, ok, err := t.cache.GetToken(ctx, key); err == nil && ok {
			_ = t.cache.DeleteToken(ctx, key, tok.Value)
		}
	}
}

// Len returns the number of clients in the pool.
func (t *Tenants) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// Contains reports whether corpID's client is in the pool.
func (t *Tenants) Contains(corpID string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.m[corpID]
	return ok
}
