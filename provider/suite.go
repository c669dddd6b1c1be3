package provider

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// WeCom errcodes of the service-provider endpoints.
const (
	CodeInvalidAuthCode      wecom.Code = 40078 // invalid or used auth_code (临时授权码)
	CodeInvalidSuiteID       wecom.Code = 40083 // invalid suite_id
	CodeInvalidPermanentCode wecom.Code = 40084 // invalid permanent_code (the corp cancelled, or the code was reset)
	CodeInvalidSuiteTicket   wecom.Code = 40085 // invalid or expired suite_ticket
)

// ErrNoTicket is returned (wrapped) when a suite_access_token is needed
// and the TicketStore holds no ticket younger than TicketLife: no push has
// been received yet, or the last ones were missed. WeCom pushes one every
// 10 minutes; a push can be forced from the provider console.
var ErrNoTicket = wecom.NewSentinel("no valid suite ticket")

// SuiteConfig configures NewSuite.
type SuiteConfig struct {
	// SuiteID is the suite id (第三方应用 SuiteID, or the 代开发 template id,
	// which starts with "dk").
	SuiteID string
	// SuiteSecret is the suite's secret. Never logged.
	SuiteSecret string
	// Tickets keeps the pushed suite tickets (default: a
	// MemoryTicketStore). Share one between instances so that each need
	// not wait for its own push.
	Tickets TicketStore
	// TokenCache shares the suite_access_token and the corp tokens of
	// Tenants between instances; when it is a wecom.TokenLocker one
	// instance refreshes a token while the others wait. nil: memory only.
	TokenCache wecom.TokenCache
	// RefreshAhead is how long before expiry tokens are refreshed (default
	// 5 minutes).
	RefreshAhead time.Duration
	// Options configure the Client the suite calls through (base URL, HTTP
	// client, logger, retry policy, limiter). Token options are set by the
	// suite itself.
	Options []wecom.Option
}

// Suite calls the endpoints that take a suite_access_token: the install
// flow, the authorized corps' tokens and information, the OAuth of a
// third-party app and the unionid conversion. Only those: the corp APIs
// go through a tenant's *wecom.Client (Tenants), the provider APIs through
// a *Provider. A Suite is safe for concurrent use; create one per suite.
type Suite struct {
	id      string
	secret  string
	tickets TicketStore
	cache   wecom.TokenCache
	ahead   time.Duration
	opts    []wecom.Option
	// c is a Client whose token is the suite_access_token.
	c      *wecom.Client
	tokens wecom.TokenSource
}

// NewSuite returns a Suite. It makes no call: the suite_access_token is
// fetched with the newest ticket when a call first needs it.
func NewSuite(cfg *SuiteConfig) (*Suite, error) {
	if cfg == nil {
		cfg = &SuiteConfig{}
	}
	if cfg.SuiteID == "" {
		return nil, wecom.InvalidArgument("provider: new suite: SuiteID is required")
	}
	if cfg.SuiteSecret == "" {
		return nil, wecom.InvalidArgument("provider: new suite: SuiteSecret is required")
	}
	s := &Suite{id: cfg.SuiteID, secret: cfg.SuiteSecret, tickets: cfg.Tickets, cache: cfg.TokenCache, ahead: cfg.RefreshAhead}
	if s.tickets == nil {
		s.tickets = NewMemoryTicketStore()
	}
	s.opts = append([]wecom.Option(nil), cfg.Options...)
	s.tokens = wecom.NewCachedTokenSource(suiteTokenKey(cfg.SuiteID, cfg.SuiteSecret), s.fetchToken,
		&wecom.CachedTokenOptions{Cache: cfg.TokenCache, RefreshAhead: cfg.RefreshAhead})
	c, err := wecom.New(cfg.SuiteID, "", append(s.options(),
		wecom.WithTokenSource(s.tokens), wecom.WithTokenParam("suite_access_token"))...)
	if err != nil {
		return nil, fmt.Errorf("provider: new suite: %w", err)
	}
	s.c = c
	return s, nil
}

// options returns a copy of the configured client options.
func (s *Suite) options() []wecom.Option { return append([]wecom.Option(nil), s.opts...) }

// suiteTokenKey names a suite_access_token in a TokenCache: the kind, the
// suite id and a hash of the secret (a new secret gets a new key).
func suiteTokenKey(suiteID, secret string) string {
	return "suite:" + wecom.TokenCacheKey(suiteID, secret)
}

// ID returns the suite id.
func (s *Suite) ID() string { return s.id }

// Tickets returns the suite's TicketStore.
func (s *Suite) Tickets() TicketStore { return s.tickets }

// fetchToken calls get_suite_token with the newest ticket.
//
// WeCom: POST /cgi-bin/service/get_suite_token
func (s *Suite) fetchToken(ctx context.Context) (wecom.Token, error) {
	t, ok, err := s.tickets.Ticket(ctx, s.id)
	if err != nil {
		return wecom.Token{}, fmt.Errorf("provider: suite %s: read suite ticket: %w", s.id, err)
	}
	if !ok {
		return wecom.Token{}, fmt.Errorf("provider: suite %s: %w (none pushed in the last %s)", s.id, ErrNoTicket, TicketLife)
	}
	start := time.Now()
	var resp struct {
		Token     string `json:"suite_access_token"`
		ExpiresIn int64  `json:"expires_in"`
	}
	err = s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/get_suite_token",
		Body: struct {
			SuiteID     string `json:"suite_id"`
			SuiteSecret string `json:"suite_secret"`
			SuiteTicket string `json:"suite_ticket"`
		}{s.id, s.secret, t.Value},
		Idempotent: true,
		NoToken:    true,
	}, &resp)
	if err != nil {
		return wecom.Token{}, err
	}
	return newToken(resp.Token, resp.ExpiresIn, start, http.MethodPost, "/cgi-bin/service/get_suite_token")
}

// newToken builds a wecom.Token whose life counts from start, the moment
// before the request went out.
func newToken(value string, expiresIn int64, start time.Time, method, path string) (wecom.Token, error) {
	if value == "" {
		return wecom.Token{}, wecom.UnexpectedResponse(method, path, "response carries no token")
	}
	if expiresIn <= 0 {
		expiresIn = 7200
	}
	return wecom.Token{Value: value, ExpiresAt: start.Add(time.Duration(expiresIn) * time.Second), IssuedAt: start}, nil
}

// CorpTokenRequest asks for an authorized corp's access token.
type CorpTokenRequest struct {
	AuthCorpID    string `json:"auth_corpid"`
	PermanentCode string `json:"permanent_code"`
}

// CorpToken fetches an authorized corp's access token once, without
// caching. Most apps never call it: Tenants and CorpTokenSource cache the
// token and refresh it ahead of expiry.
//
// WeCom: POST /cgi-bin/service/get_corp_token
func (s *Suite) CorpToken(ctx context.Context, req *CorpTokenRequest, opts ...wecom.CallOption) (wecom.Token, error) {
	if req == nil || req.AuthCorpID == "" {
		return wecom.Token{}, wecom.InvalidArgument("provider: corp token: AuthCorpID is required")
	}
	if req.PermanentCode == "" {
		return wecom.Token{}, wecom.InvalidArgument("provider: corp token: PermanentCode is required")
	}
	start := time.Now()
	var resp struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/service/get_corp_token",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return wecom.Token{}, err
	}
	return newToken(resp.AccessToken, resp.ExpiresIn, start, http.MethodPost, "/cgi-bin/service/get_corp_token")
}

// corpTokenKey names an authorized corp's token in a TokenCache: one per
// suite and corp (a corp that installs two suites has two tokens).
func corpTokenKey(suiteID, corpID string) string { return "corp:" + suiteID + ":" + corpID }

// CorpTokenSource returns the token source of an authorized corp: its
// access token from get_corp_token, cached like a Client's own token (in
// memory, in the suite's TokenCache, one fetch at a time per fleet). The
// permanent code is asked from codes at each fetch and not kept.
func (s *Suite) CorpTokenSource(corpID string, codes PermanentCodes) wecom.TokenSource {
	fetch := func(ctx context.Context) (wecom.Token, error) {
		code, err := codes.PermanentCode(ctx, corpID)
		if err != nil {
			return wecom.Token{}, fmt.Errorf("provider: permanent code of %s: %w", corpID, err)
		}
		return s.CorpToken(ctx, &CorpTokenRequest{AuthCorpID: corpID, PermanentCode: code})
	}
	return wecom.NewCachedTokenSource(corpTokenKey(s.id, corpID), fetch,
		&wecom.CachedTokenOptions{Cache: s.cache, RefreshAhead: s.ahead})
}
