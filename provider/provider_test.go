package provider_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/oauth"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

var tenantIDs = []string{"wwtenant000000000a01", "wwtenant000000000a02", "wwtenant000000000a03"}

func TestInstallFlowServesEachTenant(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs, demo: wecomtest.Demo{Users: 3, Customers: 6}})
	ctx := context.Background()
	tk := w.pushTicket()
	stored, ok, err := w.suite.Tickets().Ticket(ctx, w.ws.ID)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, tk, stored.Value)

	for _, id := range tenantIDs {
		a := w.install(id)
		assert.Equal(t, w.wc.PermanentCodeOf(w.ws.ID, id), a.Authorization.PermanentCode)
		assert.Equal(t, "Corp "+id, a.Authorization.AuthCorpInfo.CorpName)
		assert.Equal(t, "s"+id[len(id)-2:], a.State)
		require.NotNil(t, a.Authorization.AuthUserInfo)
		assert.NotEmpty(t, a.Authorization.AuthUserInfo.UserID)
		assert.Equal(t, "create_auth", a.InfoType)
	}
	for _, id := range tenantIDs {
		users, err := externalcontact.New(w.client(id)).ListFollowUsers(ctx)
		require.NoError(t, err)
		var want []string
		for _, u := range w.wc.Tenant(id).Users() {
			if u.CustomerContact && !u.Resigned {
				want = append(want, u.UserID)
			}
		}
		assert.ElementsMatch(t, want, users, id)
		// The tenant's own server saw the call, with a token it issued
		// through get_corp_token.
		assert.NotEmpty(t, w.wc.Tenant(id).RequestsTo("/cgi-bin/externalcontact/get_follow_user_list"))
		assert.Equal(t, 1, w.wc.CorpTokensIssued(w.ws.ID, id))
	}
	assert.Equal(t, 1, w.wc.SuiteTokensIssued(w.ws.ID))
	assert.Zero(t, w.wc.WrongTokenCalls())

	// get_corp_token got the right corp and code, in the body, with the
	// suite token in the query.
	reqs := w.wc.RequestsTo("/cgi-bin/service/get_corp_token")
	require.Len(t, reqs, len(tenantIDs))
	for i, r := range reqs {
		assert.Equal(t, "suite_access_token", r.TokenParam)
		assert.JSONEq(t, `{"auth_corpid":"`+tenantIDs[i]+`","permanent_code":"`+w.codes.get(tenantIDs[i])+`"}`, string(r.Body))
	}
	sr := w.wc.RequestsTo("/cgi-bin/service/get_suite_token")
	require.Len(t, sr, 1)
	assert.Empty(t, sr[0].TokenParam)
	assert.JSONEq(t, `{"suite_id":"`+w.ws.ID+`","suite_secret":"`+w.ws.Secret+`","suite_ticket":"`+tk+`"}`, string(sr[0].Body))
	v2 := w.wc.RequestsTo("/cgi-bin/service/v2/get_permanent_code")
	require.Len(t, v2, len(tenantIDs))
	assert.Equal(t, "suite_access_token", v2[0].TokenParam)
}

func TestEndpointsSendTheirTokenKind(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], demo: wecomtest.Demo{Users: 2, Customers: 3}})
	ctx := context.Background()
	w.pushTicket()
	corp := tenantIDs[0]
	w.install(corp)
	code := w.codes.get(corp)

	prov, err := provider.NewProvider(&provider.ProviderConfig{CorpID: w.wc.CorpID, ProviderSecret: w.wc.Secret,
		Options: []wecom.Option{wecom.WithBaseURL(w.wc.URL)}})
	require.NoError(t, err)

	pre, err := w.suite.PreAuthCode(ctx)
	require.NoError(t, err)
	assert.Len(t, pre.PreAuthCode, 64)
	assert.Equal(t, int64(1200), pre.ExpiresIn)
	require.NoError(t, w.suite.SetSessionInfo(ctx, &provider.SetSessionInfoRequest{PreAuthCode: pre.PreAuthCode, AuthType: provider.AuthTypeTest}))
	info, err := w.suite.AuthInfo(ctx, &provider.AuthInfoRequest{AuthCorpID: corp, PermanentCode: code})
	require.NoError(t, err)
	assert.Equal(t, corp, info.AuthCorpInfo.CorpID)
	assert.Equal(t, "verified", info.AuthCorpInfo.CorpType)
	assert.Equal(t, int64(1893456000), info.AuthCorpInfo.VerifiedEndTime)
	require.Len(t, info.AuthInfo.Agents, 1)
	assert.Equal(t, w.ws.AgentID, info.AuthInfo.Agents[0].AgentID)
	assert.False(t, info.AuthInfo.Agents[0].IsCustomizedApp)
	require.NotNil(t, info.AuthInfo.Agents[0].Privilege)
	assert.Equal(t, []int{1}, info.AuthInfo.Agents[0].Privilege.AllowParty)
	require.NotNil(t, info.DealerCorpInfo)
	require.NotNil(t, info.EditionInfo)
	require.Len(t, info.EditionInfo.Agents, 1)
	assert.Equal(t, "RLS65535", info.EditionInfo.Agents[0].EditionID)
	assert.Equal(t, time.Unix(1893456000, 0), info.EditionInfo.Agents[0].ExpiredAt())

	admins, err := w.suite.AdminList(ctx, &provider.AdminListRequest{AuthCorpID: corp, AgentID: w.ws.AgentID})
	require.NoError(t, err)
	require.Len(t, admins, 1)
	assert.Equal(t, 1, admins[0].AuthType)

	u := w.wc.Tenant(corp).Users()[0]
	id, err := w.suite.GetUserInfo3rd(ctx, w.wc.OAuthCode(w.ws.ID, corp, u.UserID))
	require.NoError(t, err)
	ui, ok := id.(*oauth.Member)
	require.True(t, ok, "a member: %T", id)
	assert.Equal(t, corp, ui.CorpID)
	assert.Equal(t, u.UserID, ui.UserID)
	assert.Equal(t, int64(1800), ui.ExpiresIn)
	ud, err := w.suite.GetUserDetail3rd(ctx, ui.UserTicket)
	require.NoError(t, err)
	assert.Equal(t, u.Name, ud.Name)
	assert.Equal(t, ui.OpenUserID, ud.OpenUserID)
	assert.Equal(t, wecom.GenderUnknown, ud.Gender)

	open, err := prov.OpenCorpID(ctx, corp)
	require.NoError(t, err)
	assert.Regexp(t, `^wp[0-9a-f]{30}$`, open)
	require.NoError(t, prov.FinishOpenIDMigration(ctx, &provider.FinishOpenIDMigrationRequest{CorpID: corp,
		OpenIDTypes: []provider.OpenIDType{provider.OpenIDTypeUserID, provider.OpenIDTypeExternalUserID}}))
	require.NoError(t, prov.FinishExternalUserIDMigration(ctx, corp))
	assert.Equal(t, []int{1, 3, 3}, w.wc.Migrated(corp))

	tn := provider.NewTenant(w.client(corp))
	ids, err := tn.OpenUserIDs(ctx, []string{u.UserID, "nobody"})
	require.NoError(t, err)
	require.Len(t, ids.Pairs, 1)
	assert.Equal(t, u.UserID, ids.Pairs[0].UserID)
	assert.Equal(t, ui.OpenUserID, ids.Pairs[0].OpenUserID)
	assert.Equal(t, []string{"nobody"}, ids.Invalid)
	back, err := tn.UserIDs(ctx, &provider.UserIDsRequest{OpenUserIDs: []string{ids.Pairs[0].OpenUserID, "woXX"}, SourceAgentID: w.ws.AgentID})
	require.NoError(t, err)
	require.Len(t, back.Pairs, 1)
	assert.Equal(t, u.UserID, back.Pairs[0].UserID)
	assert.Equal(t, []string{"woXX"}, back.Invalid)
	appAdmins, err := tn.AppAdmins(ctx)
	require.NoError(t, err)
	assert.Len(t, appAdmins, 1)

	var unionID, ext string
	for _, id := range w.wc.Tenant(corp).CustomerIDs() {
		c, _, _ := w.wc.Tenant(corp).Customer(id)
		if c.UnionID != "" {
			unionID, ext = c.UnionID, c.ExternalUserID
			break
		}
	}
	require.NotEmpty(t, unionID)
	got, err := w.suite.ExternalUserIDsOfUnionID(ctx, &provider.ExternalUserIDsOfUnionIDRequest{UnionID: unionID, OpenID: "oOpenID"})
	require.NoError(t, err)
	assert.Equal(t, []provider.CorpExternalUserID{{CorpID: corp, ExternalUserID: ext}}, got)

	want := map[string]string{
		"/cgi-bin/service/get_suite_token":                                  "",
		"/cgi-bin/service/get_provider_token":                               "",
		"/cgi-bin/service/get_pre_auth_code":                                "suite_access_token",
		"/cgi-bin/service/set_session_info":                                 "suite_access_token",
		"/cgi-bin/service/v2/get_permanent_code":                            "suite_access_token",
		"/cgi-bin/service/v2/get_auth_info":                                 "suite_access_token",
		"/cgi-bin/service/get_corp_token":                                   "suite_access_token",
		"/cgi-bin/service/get_admin_list":                                   "suite_access_token",
		"/cgi-bin/service/auth/getuserinfo3rd":                              "suite_access_token",
		"/cgi-bin/service/auth/getuserdetail3rd":                            "suite_access_token",
		"/cgi-bin/service/externalcontact/unionid_to_external_userid_3rd":   "suite_access_token",
		"/cgi-bin/service/corpid_to_opencorpid":                             "provider_access_token",
		"/cgi-bin/service/finish_openid_migration":                          "provider_access_token",
		"/cgi-bin/service/externalcontact/finish_external_userid_migration": "provider_access_token",
	}
	for path, param := range want {
		reqs := w.wc.RequestsTo(path)
		if assert.NotEmpty(t, reqs, path) {
			for _, r := range reqs {
				assert.Equal(t, param, r.TokenParam, path)
				assert.Zero(t, r.ErrCode, path)
			}
		}
	}
	// The corp-token ones reached the tenant, routed by its corp token.
	for _, path := range []string{"/cgi-bin/batch/userid_to_openuserid", "/cgi-bin/batch/openuserid_to_userid", "/cgi-bin/agent/get_admin_list"} {
		reqs := w.wc.Tenant(corp).RequestsTo(path)
		if assert.Len(t, reqs, 1, path) {
			assert.Zero(t, reqs[0].ErrCode, path)
		}
		assert.Empty(t, w.wc.RequestsTo(path), path)
	}
	assert.JSONEq(t, `{"pre_auth_code":"`+pre.PreAuthCode+`","session_info":{"auth_type":1}}`,
		string(w.wc.RequestsTo("/cgi-bin/service/set_session_info")[0].Body))
	assert.Equal(t, "code="+w.wc.RequestsTo("/cgi-bin/service/auth/getuserinfo3rd")[0].Query.Get("code"),
		w.wc.RequestsTo("/cgi-bin/service/auth/getuserinfo3rd")[0].Query.Encode())
	assert.JSONEq(t, `{"corpid":"`+corp+`","openid_type":[1,3]}`, string(w.wc.RequestsTo("/cgi-bin/service/finish_openid_migration")[0].Body))
	assert.Zero(t, w.wc.WrongTokenCalls())
	assert.Equal(t, 1, w.wc.ProviderTokensIssued())
}

func TestWrongTokenKindIsRefusedAndCounted(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1]})
	w.pushTicket()
	ctx := context.Background()
	// A suite token sent where a corp token belongs: the only way to do it
	// is by hand, through the suite's token.
	c, err := wecom.New(w.ws.ID, "x", wecom.WithBaseURL(w.wc.URL),
		wecom.WithTokenSource(staticToken(mustSuiteToken(t, w))), wecom.WithTokenParam("suite_access_token"))
	require.NoError(t, err)
	_, err = externalcontact.New(c).ListFollowUsers(ctx)
	require.Error(t, err)
	assert.Equal(t, wecom.CodeAccessTokenMissing, wecom.ErrorCode(err))
	assert.Equal(t, 1, w.wc.WrongTokenCalls())
}

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
func (staticToken) Invalidate(context.Context, string)      {}

// mustSuiteToken fetches a suite token the way an app never should need
// to: by a raw call.
func mustSuiteToken(t *testing.T, w *world) string {
	t.Helper()
	c, err := wecom.New("x", "x", wecom.WithBaseURL(w.wc.URL))
	require.NoError(t, err)
	var resp struct {
		Token string `json:"suite_access_token"`
	}
	require.NoError(t, c.Do(context.Background(), &wecom.Request{Method: "POST", Path: "/cgi-bin/service/get_suite_token", NoToken: true,
		Body: map[string]string{"suite_id": w.ws.ID, "suite_secret": w.ws.Secret, "suite_ticket": w.wc.Ticket(w.ws.ID)}}, &resp))
	return resp.Token
}

func TestTicketSurvivesTwoMissedPushesNotThree(t *testing.T) {
	w := newWorld(t, worldOptions{})
	ctx := context.Background()
	first := w.pushTicket()
	w.wc.MissTicketPushes(w.ws.ID, 3)
	w.wc.Advance(25 * time.Minute) // two pushes missed
	w.wait()
	assert.Equal(t, first, w.wc.Ticket(w.ws.ID), "no new ticket")

	// A fresh instance (no token yet) still gets a suite token with the
	// old ticket...
	fresh := func() *provider.Suite {
		s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: w.ws.ID, SuiteSecret: w.ws.Secret,
			Tickets: w.suite.Tickets(), Options: []wecom.Option{wecom.WithBaseURL(w.wc.URL)}})
		require.NoError(t, err)
		return s
	}
	_, err := fresh().PreAuthCode(ctx)
	require.NoError(t, err)

	// ...until 30 minutes after its push: WeCom answers 40085.
	w.wc.Advance(6 * time.Minute)
	w.wait()
	_, err = fresh().PreAuthCode(ctx)
	require.Error(t, err)
	assert.Equal(t, provider.CodeInvalidSuiteTicket, wecom.ErrorCode(err))
	assert.NotContains(t, err.Error(), first, "the ticket must not leak into errors")
	assert.NotContains(t, err.Error(), w.ws.Secret)

	// The next push heals it (the miss count is used up).
	w.wc.Advance(10 * time.Minute)
	w.wait()
	assert.NotEqual(t, first, w.wc.Ticket(w.ws.ID))
	_, err = fresh().PreAuthCode(ctx)
	require.NoError(t, err)
}

func TestNoTicketYet(t *testing.T) {
	w := newWorld(t, worldOptions{})
	_, err := w.suite.PreAuthCode(context.Background())
	require.Error(t, err)
	assert.True(t, provider.IsNoTicket(err), err)
	assert.Empty(t, w.wc.RequestsTo("/cgi-bin/service/get_suite_token"), "no call without a ticket")
}

func TestCancelAuthMidExport(t *testing.T) {
	// Enough relations for several pages of batch/get_by_user (100 each).
	w := newWorld(t, worldOptions{tenants: tenantIDs[:2], demo: wecomtest.Demo{Users: 4, Customers: 300}})
	ctx := context.Background()
	w.pushTicket()
	corp, other := tenantIDs[0], tenantIDs[1]
	w.install(corp)
	w.install(other)
	svc := externalcontact.New(w.client(corp))
	w.client(other)
	users, err := svc.ListFollowUsers(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, users)

	w.wc.CancelAuthAfter(w.ws.ID, corp, 1)
	n := 0
	var exportErr error
	for _, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: users}) {
		if err != nil {
			exportErr = err
			break
		}
		n++
	}
	require.Error(t, exportErr, "the export must fail once the corp cancelled")
	assert.Equal(t, 100, n, "the first page arrived, the second did not")
	// Depending on whether the app has deleted the code yet: WeCom refuses
	// the old code, or the app has none.
	assert.True(t, wecom.ErrorCode(exportErr) == provider.CodeInvalidPermanentCode || provider.IsUnknownTenant(exportErr), "%v", exportErr)
	select {
	case got := <-w.cancelled:
		assert.Equal(t, corp, got)
	case <-time.After(10 * time.Second):
		t.Fatal("no cancel_auth")
	}
	assert.False(t, w.tenants.Contains(corp), "the cancelled tenant left the pool")
	assert.True(t, w.tenants.Contains(other))
	assert.Empty(t, w.codes.get(corp), "the app deleted the code")
	_, err = w.tenants.Client(ctx, corp)
	require.NoError(t, err, "without VerifyTenant the client is made lazily")
	_, err = externalcontact.New(w.client(corp)).ListFollowUsers(ctx)
	require.Error(t, err)
	assert.True(t, provider.IsUnknownTenant(err), err)
	// The other tenant is untouched.
	_, err = externalcontact.New(w.client(other)).ListFollowUsers(ctx)
	require.NoError(t, err)
	assert.Zero(t, w.wc.WrongTokenCalls())
}

func TestRevokedTokensAreRefreshed(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], demo: wecomtest.Demo{Users: 2, Customers: 2}})
	ctx := context.Background()
	w.pushTicket()
	corp := tenantIDs[0]
	w.install(corp)

	// A suite token WeCom no longer accepts (40082): fetched again, the
	// call repeated once.
	w.wc.RevokeSuiteTokens(w.ws.ID)
	_, err := w.suite.PreAuthCode(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, w.wc.SuiteTokensIssued(w.ws.ID))
	pre := w.wc.RequestsTo("/cgi-bin/service/get_pre_auth_code")
	require.Len(t, pre, 2)
	assert.Equal(t, int(wecom.CodeInvalidSuiteToken), pre[0].ErrCode)
	assert.Zero(t, pre[1].ErrCode)

	// A revoked corp token (40014): the tenant client gets a new one from
	// get_corp_token.
	c := w.client(corp)
	_, err = externalcontact.New(c).ListFollowUsers(ctx)
	require.NoError(t, err)
	w.wc.Tenant(corp).RevokeTokens()
	_, err = externalcontact.New(c).ListFollowUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, w.wc.CorpTokensIssued(w.ws.ID, corp))
	assert.Zero(t, w.wc.WrongTokenCalls())
}
