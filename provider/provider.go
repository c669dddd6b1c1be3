package provider

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// ProviderConfig configures NewProvider.
type ProviderConfig struct {
	// CorpID is the service provider's own corp id.
	CorpID string
	// ProviderSecret is the provider secret (服务商 Secret). Never logged.
	ProviderSecret string
	// TokenCache shares the provider_access_token between instances. nil:
	// memory only.
	TokenCache wecom.TokenCache
	// RefreshAhead is how long before expiry the token is refreshed
	// (default 5 minutes).
	RefreshAhead time.Duration
	// Options configure the Client the provider calls through (base URL,
	// HTTP client, logger, retry policy). Token options are set here.
	Options []wecom.Option
}

// Provider calls the endpoints that take a provider_access_token: the
// corpid conversion and the ID-migration switches (and, later, login,
// registration and licences). Only those: see Suite and Tenants for the
// others. A Provider is safe for concurrent use.
type Provider struct {
	corpID string
	secret string
	// c is a Client whose token is the provider_access_token: it refreshes
	// one WeCom rejects (40082) and repeats the call once, like any token.
	c *wecom.Client
}

// NewProvider returns a Provider. It makes no call.
func NewProvider(cfg *ProviderConfig) (*Provider, error) {
	if cfg == nil {
		cfg = &ProviderConfig{}
	}
	if cfg.CorpID == "" {
		return nil, wecom.InvalidArgument("provider: new provider: CorpID is required")
	}
	if cfg.ProviderSecret == "" {
		return nil, wecom.InvalidArgument("provider: new provider: ProviderSecret is required")
	}
	p := &Provider{corpID: cfg.CorpID, secret: cfg.ProviderSecret}
	ts := wecom.NewCachedTokenSource("provider:"+wecom.TokenCacheKey(cfg.CorpID, cfg.ProviderSecret), p.fetchToken,
		&wecom.CachedTokenOptions{Cache: cfg.TokenCache, RefreshAhead: cfg.RefreshAhead})
	opts := append(append([]wecom.Option(nil), cfg.Options...),
		wecom.WithTokenSource(ts), wecom.WithTokenParam("provider_access_token"))
	c, err := wecom.New(cfg.CorpID, "", opts...)
	if err != nil {
		return nil, fmt.Errorf("provider: new provider: %w", err)
	}
	p.c = c
	return p, nil
}

// CorpID returns the provider's corp id.
func (p *Provider) CorpID() string { return p.corpID }

// fetchToken calls get_provider_token.
//
// WeCom: POST /cgi-bin/service/get_provider_token
func (p *Provider) fetchToken(ctx context.Context) (wecom.Token, error) {
	start := time.Now()
	var resp struct {
		Token     string `json:"provider_access_token"`
		ExpiresIn int64  `json:"expires_in"`
	}
	err := p.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/get_provider_token",
		Body: struct {
			CorpID         string `json:"corpid"`
			ProviderSecret string `json:"provider_secret"`
		}{p.corpID, p.secret},
		Idempotent: true,
		NoToken:    true,
	}, &resp)
	if err != nil {
		return wecom.Token{}, err
	}
	return newToken(resp.Token, resp.ExpiresIn, start, http.MethodPost, "/cgi-bin/service/get_provider_token")
}

// OpenCorpID converts a corp's plain corpid into the encrypted corpid the
// provider's apps see (case-sensitive).
//
// WeCom: POST /cgi-bin/service/corpid_to_opencorpid
func (p *Provider) OpenCorpID(ctx context.Context, corpID string, opts ...wecom.CallOption) (string, error) {
	if corpID == "" {
		return "", wecom.InvalidArgument("provider: open corpid: corp id is required")
	}
	resp, err := wecom.Call[struct {
		OpenCorpID string `json:"open_corpid"`
	}](ctx, p.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/corpid_to_opencorpid",
		Body: struct {
			CorpID string `json:"corpid"`
		}{corpID},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return "", err
	}
	return resp.OpenCorpID, nil
}

// OpenIDType is a kind of ID the 2022 upgrade encrypts.
type OpenIDType int

// Kinds of FinishOpenIDMigrationRequest.OpenIDTypes.
const (
	OpenIDTypeUserID         OpenIDType = 1 // userid and corpid
	OpenIDTypeExternalUserID OpenIDType = 3 // external_userid, external_tagid, kfid, msgid
)

// String returns a name for t.
func (t OpenIDType) String() string {
	switch t {
	case OpenIDTypeUserID:
		return "userid"
	case OpenIDTypeExternalUserID:
		return "external_userid"
	}
	return "OpenIDType(" + itoa(int(t)) + ")"
}

// FinishOpenIDMigrationRequest switches a corp to the upgraded IDs.
type FinishOpenIDMigrationRequest struct {
	CorpID string `json:"corpid"`
	// AgentID is the 代开发 app; 0 sets the state for all the provider's
	// third-party apps in the corp.
	AgentID     int          `json:"agentid,omitempty"`
	OpenIDTypes []OpenIDType `json:"openid_type"`
}

// FinishOpenIDMigration tells WeCom the provider has converted a corp's
// IDs of the given kinds: the apps then see only the new IDs.
//
// WeCom: POST /cgi-bin/service/finish_openid_migration
func (p *Provider) FinishOpenIDMigration(ctx context.Context, req *FinishOpenIDMigrationRequest, opts ...wecom.CallOption) error {
	if req == nil || req.CorpID == "" {
		return wecom.InvalidArgument("provider: finish openid migration: CorpID is required")
	}
	if len(req.OpenIDTypes) == 0 {
		return wecom.InvalidArgument("provider: finish openid migration: OpenIDTypes is required")
	}
	return p.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/service/finish_openid_migration",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// FinishExternalUserIDMigration tells WeCom the provider has converted a
// corp's external_userids: get_new_external_userid is refused afterwards.
//
// WeCom: POST /cgi-bin/service/externalcontact/finish_external_userid_migration
func (p *Provider) FinishExternalUserIDMigration(ctx context.Context, corpID string, opts ...wecom.CallOption) error {
	if corpID == "" {
		return wecom.InvalidArgument("provider: finish external_userid migration: corp id is required")
	}
	return p.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/externalcontact/finish_external_userid_migration",
		Body: struct {
			CorpID string `json:"corpid"`
		}{corpID},
		Idempotent: true,
	}, nil, opts...)
}
