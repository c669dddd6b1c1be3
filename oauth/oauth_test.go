package oauth_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/oauth"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestAuthorizeURL(t *testing.T) {
	got, err := oauth.AuthorizeURL(&oauth.AuthorizeRequest{
		AppID:       "ww5f3c9a1e2b7d4c60",
		RedirectURI: "https://sidebar.example.com/oauth/callback?next=/customer&x=a b",
		Scope:       oauth.ScopePrivateInfo,
		State:       "s7Xk2",
		AgentID:     1000002,
	})
	require.NoError(t, err)
	assert.Equal(t, "https://open.weixin.qq.com/connect/oauth2/authorize"+
		"?appid=ww5f3c9a1e2b7d4c60"+
		"&redirect_uri=https%3A%2F%2Fsidebar.example.com%2Foauth%2Fcallback%3Fnext%3D%2Fcustomer%26x%3Da+b"+
		"&response_type=code&scope=snsapi_privateinfo&state=s7Xk2&agentid=1000002#wechat_redirect", got)

	// The redirect URI survives the round trip exactly.
	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, "https://sidebar.example.com/oauth/callback?next=/customer&x=a b", u.Query().Get("redirect_uri"))
	assert.Equal(t, "wechat_redirect", u.Fragment)

	// Defaults: snsapi_base, empty state, no agentid.
	got, err = oauth.AuthorizeURL(&oauth.AuthorizeRequest{AppID: "wwcorp", RedirectURI: "http://127.0.0.1:8080/cb"})
	require.NoError(t, err)
	assert.Equal(t, "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwcorp&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb"+
		"&response_type=code&scope=snsapi_base&state=#wechat_redirect", got)

	// A state of exactly 128 letters and digits is fine.
	_, err = oauth.AuthorizeURL(&oauth.AuthorizeRequest{AppID: "a", RedirectURI: "https://x.example/", State: strings.Repeat("aZ9", 42) + "ab"})
	require.NoError(t, err)
}

func TestAuthorizeURLRefuses(t *testing.T) {
	ok := oauth.AuthorizeRequest{AppID: "wwcorp", RedirectURI: "https://x.example/cb"}
	for name, mod := range map[string]func(r *oauth.AuthorizeRequest){
		"no app id":            func(r *oauth.AuthorizeRequest) { r.AppID = "" },
		"no redirect":          func(r *oauth.AuthorizeRequest) { r.RedirectURI = "" },
		"relative redirect":    func(r *oauth.AuthorizeRequest) { r.RedirectURI = "/cb" },
		"javascript redirect":  func(r *oauth.AuthorizeRequest) { r.RedirectURI = "javascript:alert(1)" },
		"unknown scope":        func(r *oauth.AuthorizeRequest) { r.Scope = "snsapi_userinfo" },
		"privateinfo no agent": func(r *oauth.AuthorizeRequest) { r.Scope = oauth.ScopePrivateInfo },
		"state too long":       func(r *oauth.AuthorizeRequest) { r.State = strings.Repeat("a", 129) },
		"state with dash":      func(r *oauth.AuthorizeRequest) { r.State = "a-b" },
		"state with space":     func(r *oauth.AuthorizeRequest) { r.State = "a b" },
		"state with &":         func(r *oauth.AuthorizeRequest) { r.State = "a&scope=x" },
		"state non-ascii":      func(r *oauth.AuthorizeRequest) { r.State = "状态" },
	} {
		r := ok
		mod(&r)
		_, err := oauth.AuthorizeURL(&r)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
	}
	_, err := oauth.AuthorizeURL(nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
}

func newService(t *testing.T, opts ...wecomtest.Option) (*wecomtest.Server, *oauth.Service) {
	t.Helper()
	srv := wecomtest.Start(t, opts...)
	require.NoError(t, srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
	c, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	require.NoError(t, err)
	return srv, oauth.New(c)
}

func TestServiceAuthorizeURLFillsFromClient(t *testing.T) {
	srv, svc := newService(t)
	req := &oauth.AuthorizeRequest{RedirectURI: "https://x.example/cb", Scope: oauth.ScopePrivateInfo, State: "abc"}
	got, err := svc.AuthorizeURL(req)
	require.NoError(t, err)
	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, srv.CorpID, u.Query().Get("appid"))
	assert.Equal(t, "1000002", u.Query().Get("agentid"))
	assert.Equal(t, "abc", u.Query().Get("state"))
	assert.Empty(t, req.AppID, "the caller's request is not modified")
	assert.Zero(t, req.AgentID)
}

func TestGetUserInfoMember(t *testing.T) {
	srv, svc := newService(t)
	ctx := context.Background()
	code, err := srv.OAuthCode("zhangsan")
	require.NoError(t, err)

	id, err := svc.GetUserInfo(ctx, code)
	require.NoError(t, err)
	m, ok := id.(*oauth.Member)
	require.True(t, ok, "%T", id)
	assert.Equal(t, &oauth.Member{UserID: "zhangsan"}, m, "snsapi_base: no user_ticket")

	reqs := srv.RequestsTo("/cgi-bin/auth/getuserinfo")
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, url.Values{"code": {code}}, reqs[0].Query)

	// Single use.
	_, err = svc.GetUserInfo(ctx, code)
	assert.Equal(t, wecom.Code(40029), wecom.ErrorCode(err))
	assert.NotContains(t, err.Error(), code, "the code stays out of the error")
}

func TestGetUserInfoPrivateInfoAndDetail(t *testing.T) {
	srv, svc := newService(t)
	ctx := context.Background()
	code, err := srv.OAuthCodePrivate("zhangsan")
	require.NoError(t, err)
	id, err := svc.GetUserInfo(ctx, code)
	require.NoError(t, err)
	m, ok := id.(*oauth.Member)
	require.True(t, ok, "%T", id)
	assert.Equal(t, "zhangsan", m.UserID)
	require.NotEmpty(t, m.UserTicket)
	assert.Equal(t, int64(1800), m.ExpiresIn)

	d, err := svc.GetUserDetail(ctx, m.UserTicket)
	require.NoError(t, err)
	want := wecomtest.MemberDetail("zhangsan")
	assert.Equal(t, "zhangsan", d.UserID)
	assert.Equal(t, want.Gender, string('0'+rune(d.Gender)), "gender decoded from WeCom's string")
	assert.NotEqual(t, wecom.GenderUnknown, d.Gender)
	assert.Equal(t, want.Avatar, d.Avatar)
	assert.Equal(t, want.QRCode, d.QRCode)
	assert.Equal(t, want.Mobile, d.Mobile)
	assert.Equal(t, want.Email, d.Email)
	assert.Equal(t, want.BizMail, d.BizMail)
	assert.Equal(t, want.Address, d.Address)

	reqs := srv.RequestsTo("/cgi-bin/auth/getuserdetail")
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.JSONEq(t, `{"user_ticket":"`+m.UserTicket+`"}`, string(reqs[0].Body))

	// The ticket lives 1800 s.
	srv.Clock().Advance(1801 * time.Second)
	_, err = svc.GetUserDetail(ctx, m.UserTicket)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), m.UserTicket)
	_, err = svc.GetUserDetail(ctx, "")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
}

func TestGetUserInfoNonMember(t *testing.T) {
	srv, svc := newService(t)
	ext, err := srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	code, err := srv.OAuthCodeForCustomer(ext.ExternalUserID)
	require.NoError(t, err)
	id, err := svc.GetUserInfo(context.Background(), code)
	require.NoError(t, err)
	v, ok := id.(*oauth.NonMember)
	require.True(t, ok, "%T", id)
	assert.Equal(t, ext.ExternalUserID, v.ExternalUserID)
	assert.True(t, strings.HasPrefix(v.OpenID, "o"), v.OpenID)
}

func TestGetUserInfoCodeExpiresAfterFiveMinutes(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	srv, svc := newService(t, wecomtest.WithClock(wecomtest.NewManualClock(start)))
	ctx := context.Background()
	early, err := srv.OAuthCode("zhangsan")
	require.NoError(t, err)
	late, err := srv.OAuthCode("zhangsan")
	require.NoError(t, err)

	srv.Clock().Advance(5*time.Minute - time.Second)
	_, err = svc.GetUserInfo(ctx, early)
	require.NoError(t, err, "valid just inside 5 minutes")
	srv.Clock().Advance(time.Second)
	_, err = svc.GetUserInfo(ctx, late)
	assert.Equal(t, wecom.Code(40029), wecom.ErrorCode(err), "expired at 5 minutes")

	_, err = svc.GetUserInfo(ctx, "")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.GetUserInfo(ctx, "never-issued")
	assert.Equal(t, wecom.Code(40029), wecom.ErrorCode(err))
	_, err = srv.OAuthCode("nobody")
	assert.Error(t, err)
}

// RawUserInfo is what both the self-built and the service-provider
// endpoints decode into; Identity never guesses.
func TestRawUserInfoIdentity(t *testing.T) {
	for _, tc := range []struct {
		body string
		want oauth.Identity
	}{
		{`{"userid":"lisi","user_ticket":"T","expires_in":1800}`, &oauth.Member{UserID: "lisi", UserTicket: "T", ExpiresIn: 1800}},
		{`{"corpid":"wwc","userid":"lisi","open_userid":"woAJ","user_ticket":"T","expires_in":1800}`,
			&oauth.Member{UserID: "lisi", UserTicket: "T", ExpiresIn: 1800, CorpID: "wwc", OpenUserID: "woAJ"}},
		{`{"openid":"oX","external_userid":"wmY"}`, &oauth.NonMember{OpenID: "oX", ExternalUserID: "wmY"}},
		{`{"openid":"oX"}`, &oauth.NonMember{OpenID: "oX"}},
	} {
		var raw oauth.RawUserInfo
		require.NoError(t, json.Unmarshal([]byte(tc.body), &raw))
		got, err := raw.Identity()
		require.NoError(t, err, tc.body)
		assert.Equal(t, tc.want, got, tc.body)
	}
	for _, body := range []string{`{}`, `{"userid":"a","openid":"b"}`, `{"external_userid":"wm"}`} {
		var raw oauth.RawUserInfo
		require.NoError(t, json.Unmarshal([]byte(body), &raw))
		got, err := raw.Identity()
		assert.Error(t, err, body)
		assert.Nil(t, got)
	}
}

func TestGenderDecoding(t *testing.T) {
	for body, want := range map[string]wecom.Gender{
		`{"gender":"1"}`: wecom.GenderMale, `{"gender":"2"}`: wecom.GenderFemale, `{"gender":"0"}`: wecom.GenderUnknown,
		`{"gender":2}`: wecom.GenderFemale, `{"gender":""}`: wecom.GenderUnknown, `{"gender":null}`: wecom.GenderUnknown, `{}`: wecom.GenderUnknown,
	} {
		var d oauth.UserDetail
		require.NoError(t, json.Unmarshal([]byte(body), &d), body)
		assert.Equal(t, want, d.Gender, body)
	}
	var d oauth.UserDetail
	assert.Error(t, json.Unmarshal([]byte(`{"gender":"male"}`), &d))
	assert.Equal(t, "male", wecom.GenderMale.String())
	assert.Equal(t, "female", wecom.GenderFemale.String())
	assert.Equal(t, "unknown", wecom.GenderUnknown.String())
	assert.Equal(t, "Gender(9)", wecom.Gender(9).String())
	assert.Equal(t, "snsapi_base", oauth.ScopeBase.String())
}
