package provider_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

type countingTransport struct {
	n atomic.Int64
	t http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.t.RoundTrip(r)
}

type recordingLimiter struct {
	mu    sync.Mutex
	corps map[string]int
}

func (l *recordingLimiter) Wait(_ context.Context, corpID, _ string) error {
	l.mu.Lock()
	l.corps[corpID]++
	l.mu.Unlock()
	return nil
}

func TestTenantsShareTransportAndLimitPerCorp(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs})
	ctx := context.Background()
	w.pushTicket()
	for _, id := range tenantIDs {
		w.install(id)
	}
	ct := &countingTransport{t: http.DefaultTransport}
	lim := &recordingLimiter{corps: map[string]int{}}
	pool, err := provider.NewTenants(w.suite, w.codes, &provider.TenantsOptions{
		HTTPClient: &http.Client{Transport: ct}, Limiter: lim, MaxTenants: 2, VerifyTenant: true})
	require.NoError(t, err)
	for _, id := range tenantIDs {
		c, err := pool.Client(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, c.CorpID())
		_, err = externalcontact.New(c).ListFollowUsers(ctx)
		require.NoError(t, err)
	}
	// Each tenant's call went through the one transport, and was paced
	// under its own corp (get_corp_token goes through the suite's client).
	assert.Equal(t, int64(len(tenantIDs)), ct.n.Load())
	for _, id := range tenantIDs {
		assert.Equal(t, 1, lim.corps[id], "the limiter is asked per corp: %s", id)
	}
	assert.Equal(t, 2, pool.Len(), "bounded")
	assert.False(t, pool.Contains(tenantIDs[0]), "the least recently used left")
	assert.True(t, pool.Contains(tenantIDs[2]))

	c1, err := pool.Client(ctx, tenantIDs[2])
	require.NoError(t, err)
	c2, err := pool.Client(ctx, tenantIDs[2])
	require.NoError(t, err)
	assert.Same(t, c1, c2)

	_, err = pool.Client(ctx, "wwnotinstalled")
	require.Error(t, err)
	assert.True(t, errors.Is(err, provider.ErrUnknownTenant))
	_, err = pool.Client(ctx, "")
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))

	pool.Remove(ctx, tenantIDs[2])
	assert.False(t, pool.Contains(tenantIDs[2]))
}

func TestCustomizedTenantsUsePermanentCodeAsSecret(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], customized: true, demo: wecomtest.Demo{Users: 2, Customers: 3}})
	ctx := context.Background()
	w.pushTicket()
	corp := tenantIDs[0]
	a := w.install(corp)
	code := a.Authorization.PermanentCode
	assert.Equal(t, w.wc.PermanentCodeOf(w.ws.ID, corp), code)

	_, err := externalcontact.New(w.client(corp)).ListFollowUsers(ctx)
	require.NoError(t, err)
	gt := w.wc.Tenant(corp).RequestsTo("/cgi-bin/gettoken")
	require.Len(t, gt, 1)
	assert.Equal(t, corp, gt[0].Query.Get("corpid"))
	assert.Equal(t, code, gt[0].Query.Get("corpsecret"))
	assert.Empty(t, w.wc.RequestsTo("/cgi-bin/service/get_corp_token"))

	// The helper: same thing, for one corp.
	c, err := provider.CustomizedAppClient(corp, code, wecom.WithBaseURL(w.wc.URL))
	require.NoError(t, err)
	_, err = externalcontact.New(c).ListFollowUsers(ctx)
	require.NoError(t, err)

	// The provider resets the secret: a new auth code, a new permanent
	// code, the tenant leaves the pool and comes back with the new one.
	_, err = w.wc.ResetPermanentCode(w.ws.ID, corp)
	require.NoError(t, err)
	var ra *provider.Authorized
	select {
	case ra = <-w.authed:
	case <-time.After(5 * time.Second):
		t.Fatal("no reset_permanent_code")
	}
	assert.True(t, ra.Reset)
	assert.NotEqual(t, code, ra.Authorization.PermanentCode)
	assert.False(t, w.tenants.Contains(corp))
	_, err = externalcontact.New(w.client(corp)).ListFollowUsers(ctx)
	require.NoError(t, err)
	gt = w.wc.Tenant(corp).RequestsTo("/cgi-bin/gettoken")
	assert.Equal(t, ra.Authorization.PermanentCode, gt[len(gt)-1].Query.Get("corpsecret"))

	_, err = provider.CustomizedAppClient(corp, "")
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))
	assert.Zero(t, w.wc.WrongTokenCalls())
}

func TestLegacyPermanentCode(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], demo: wecomtest.Demo{Users: 2, Customers: 2},
		config: func(c *provider.InstructionConfig) {
			c.OnAuthorized = func(context.Context, *provider.Authorized) error { return nil }
		}})
	ctx := context.Background()
	w.pushTicket()
	// Install without the handler exchanging: take the code ourselves.
	require.NoError(t, w.wc.SetInstructionURL(w.ws.ID, ""))
	code, err := w.wc.Install(wecomtest.InstallRequest{SuiteID: w.ws.ID, CorpID: tenantIDs[0], State: "abc"})
	require.NoError(t, err)
	la, err := w.suite.PermanentCodeLegacy(ctx, code)
	require.NoError(t, err)
	assert.NotEmpty(t, la.AccessToken)
	assert.Equal(t, int64(7200), la.ExpiresIn)
	assert.Equal(t, w.wc.PermanentCodeOf(w.ws.ID, tenantIDs[0]), la.PermanentCode)
	assert.Equal(t, tenantIDs[0], la.AuthCorpInfo.CorpID)
	assert.Equal(t, "verified", la.AuthCorpInfo.CorpType)
	require.Len(t, la.AuthInfo.Agents, 1)
	assert.Equal(t, "Demo SaaS", la.AuthInfo.Agents[0].Name)
	require.NotNil(t, la.DealerCorpInfo)
	assert.Equal(t, "wwdealer01", la.DealerCorpInfo.CorpID)
	assert.Equal(t, "abc", la.State)
	assert.JSONEq(t, `{"auth_code":"`+code+`"}`, string(w.wc.RequestsTo("/cgi-bin/service/get_permanent_code")[0].Body))

	// Single use.
	_, err = w.suite.PermanentCode(ctx, code)
	require.Error(t, err)
	assert.Equal(t, provider.CodeInvalidAuthCode, wecom.ErrorCode(err))
	// Ten minutes.
	code2, err := w.wc.Install(wecomtest.InstallRequest{SuiteID: w.ws.ID, CorpID: tenantIDs[0]})
	require.NoError(t, err)
	w.wc.Advance(10*time.Minute + time.Second)
	_, err = w.suite.PermanentCode(ctx, code2)
	assert.Equal(t, provider.CodeInvalidAuthCode, wecom.ErrorCode(err))
}

func TestInstallURLAndArguments(t *testing.T) {
	s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: "wwsuite", SuiteSecret: "x"})
	require.NoError(t, err)
	u, err := s.InstallURL(&provider.InstallURLRequest{PreAuthCode: "pre code", RedirectURI: "https://saas.example.com/installed?x=1", State: "st1"})
	require.NoError(t, err)
	assert.Equal(t, "https://open.work.weixin.qq.com/3rdapp/install?suite_id=wwsuite&pre_auth_code=pre+code&redirect_uri=https%3A%2F%2Fsaas.example.com%2Finstalled%3Fx%3D1&state=st1", u)
	_, err = s.InstallURL(nil)
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))
	_, err = s.InstallURL(&provider.InstallURLRequest{PreAuthCode: "p"})
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))

	ctx := context.Background()
	for name, err := range map[string]error{
		"set session":  s.SetSessionInfo(ctx, nil),
		"perm":         second(s.PermanentCode(ctx, "")),
		"legacy":       second(s.PermanentCodeLegacy(ctx, "")),
		"auth info":    second(s.AuthInfo(ctx, &provider.AuthInfoRequest{AuthCorpID: "x"})),
		"admin list":   second(s.AdminList(ctx, &provider.AdminListRequest{AuthCorpID: "x"})),
		"corp token":   second(s.CorpToken(ctx, nil)),
		"userinfo":     second(s.GetUserInfo3rd(ctx, "")),
		"userdetail":   second(s.GetUserDetail3rd(ctx, "")),
		"unionid":      second(s.ExternalUserIDsOfUnionID(ctx, &provider.ExternalUserIDsOfUnionIDRequest{UnionID: "u"})),
		"open userids": second(provider.NewTenant(nil).OpenUserIDs(ctx, nil)),
		"userids":      second(provider.NewTenant(nil).UserIDs(ctx, &provider.UserIDsRequest{OpenUserIDs: []string{"a"}})),
	} {
		assert.True(t, errors.Is(err, wecom.ErrInvalidArgument), "%s: %v", name, err)
		assert.Contains(t, err.Error(), "provider: ", name)
	}
	_, err = provider.NewSuite(&provider.SuiteConfig{SuiteID: "x"})
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))
	_, err = provider.NewProvider(nil)
	assert.True(t, errors.Is(err, wecom.ErrInvalidArgument))
	assert.Equal(t, "test", provider.AuthTypeTest.String())
	assert.Equal(t, "external_userid", provider.OpenIDTypeExternalUserID.String())
}

func second[T any](_ T, err error) error { return err }
