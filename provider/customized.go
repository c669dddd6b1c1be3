package provider

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// CustomizedAppClient returns the client of a 代开发 (customized) app
// installed in corpID. For such an app the permanent code IS the app
// secret: the client fetches its token with the ordinary GET
// /cgi-bin/gettoken?corpid=corpID&corpsecret=permanentCode, and every
// self-built endpoint (external contact, OAuth, JS-SDK) works on it. The
// permanent code changes when the provider resets the secret
// (reset_permanent_code): create a new client then.
func CustomizedAppClient(corpID, permanentCode string, opts ...wecom.Option) (*wecom.Client, error) {
	if corpID == "" {
		return nil, wecom.InvalidArgument("provider: customized app client: corp id is required")
	}
	if permanentCode == "" {
		return nil, wecom.InvalidArgument("provider: customized app client: permanent code is required")
	}
	return wecom.New(corpID, permanentCode, opts...)
}

// NewCustomizedTenants returns the pool of a 代开发 template's authorized
// corps. Each client fetches its token with GET /cgi-bin/gettoken and the
// permanent code as corpsecret (see CustomizedAppClient), asking codes for
// it at each fetch instead of keeping it. baseOptions start every client's
// options (base URL, logger); o.TokenCache shares the tokens.
func NewCustomizedTenants(codes PermanentCodes, o *TenantsOptions, baseOptions ...wecom.Option) (*Tenants, error) {
	if codes == nil {
		return nil, wecom.InvalidArgument("provider: new customized tenants: PermanentCodes is required")
	}
	o = o.orDefault()
	base := o.clientOptions(baseOptions)
	t := &Tenants{max: o.MaxTenants, m: map[string]*list.Element{}, cache: o.TokenCache, cacheKey: customizedTokenKey}
	cache := o.TokenCache
	t.newClient = func(corpID string) (*wecom.Client, error) {
		var c *wecom.Client
		fetch := func(ctx context.Context) (wecom.Token, error) {
			code, err := codes.PermanentCode(ctx, corpID)
			if err != nil {
				return wecom.Token{}, fmt.Errorf("provider: permanent code of %s: %w", corpID, err)
			}
			return fetchGettoken(ctx, c, corpID, code)
		}
		ts := wecom.NewCachedTokenSource(customizedTokenKey(corpID), fetch, &wecom.CachedTokenOptions{Cache: cache})
		var err error
		c, err = wecom.New(corpID, "", append(base[:len(base):len(base)], wecom.WithTokenSource(ts))...)
		return c, err
	}
	if o.VerifyTenant {
		t.verify = func(ctx context.Context, corpID string) error {
			_, err := codes.PermanentCode(ctx, corpID)
			return err
		}
	}
	return t, nil
}

// customizedTokenKey names a 代开发 app's token in a TokenCache.
func customizedTokenKey(corpID string) string { return "customized:" + corpID }

// fetchGettoken calls gettoken with the permanent code as the secret.
//
// WeCom: GET /cgi-bin/gettoken
func fetchGettoken(ctx context.Context, c *wecom.Client, corpID, code string) (wecom.Token, error) {
	start := time.Now()
	var resp struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	err := c.Do(ctx, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/gettoken",
		Query: struct {
			CorpID     string `url:"corpid"`
			CorpSecret string `url:"corpsecret"`
		}{corpID, code},
		Idempotent: true,
		NoToken:    true,
	}, &resp)
	if err != nil {
		return wecom.Token{}, err
	}
	return newToken(resp.AccessToken, resp.ExpiresIn, start, http.MethodGet, "/cgi-bin/gettoken")
}
