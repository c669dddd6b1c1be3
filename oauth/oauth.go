// Package oauth signs a visitor in to a web page opened inside WeCom (a
// sidebar, an app page) with WeCom's OAuth2 web authorization (网页授权登录):
// redirect to AuthorizeURL, take the code WeCom sends back to the redirect
// URI, and exchange it with Service.GetUserInfo for who the visitor is.
//
// A visitor is a member of the corp (*Member) or, for a page opened in
// WeChat, a non-member (*NonMember): GetUserInfo returns an Identity, which
// is exactly one of the two, and a caller finds out which with a type
// switch. A member's userid is never in reach of code that handles a
// non-member, and the other way round:
//
//	switch v := id.(type) {
//	case *oauth.Member:
//		// v.UserID, and v.UserTicket for snsapi_privateinfo
//	case *oauth.NonMember:
//		// v.OpenID, v.ExternalUserID
//	}
//
// The result types carry no client: the service-provider variants
// (getuserinfo3rd, getuserdetail3rd with the suite_access_token) return the
// same Member, NonMember and UserDetail, with the fields only they fill
// (CorpID, OpenUserID, Name) documented as such. RawUserInfo is the wire
// shape both variants decode into.
package oauth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wecomkit/wecom"
)

// AuthorizeEndpoint is where AuthorizeURL sends the browser.
const AuthorizeEndpoint = "https://open.weixin.qq.com/connect/oauth2/authorize"

// Scope is the scope of an authorization.
type Scope string

// The scopes WeCom knows.
const (
	// ScopeBase identifies the visitor silently (the default).
	ScopeBase Scope = "snsapi_base"
	// ScopePrivateInfo asks the member to agree to share their sensitive
	// fields (gender, avatar, QR code, mobile, email, address), read with
	// GetUserDetail. It needs AuthorizeRequest.AgentID; without one WeCom
	// falls back to snsapi_base.
	ScopePrivateInfo Scope = "snsapi_privateinfo"
)

// String returns the scope as WeCom spells it.
func (s Scope) String() string { return string(s) }

// MaxStateLength is the longest state WeCom carries back.
const MaxStateLength = 128

// AuthorizeRequest is the sign-in to start.
type AuthorizeRequest struct {
	// AppID is the corp id (a self-built or 代开发 app), or the suite id
	// of a third-party app. Service.AuthorizeURL fills it from the client.
	AppID string
	// RedirectURI is where WeCom sends the browser back with code and
	// state; its domain must be the app's trusted domain (else 50001). It
	// is URL-encoded into the authorize URL; give it as is.
	RedirectURI string
	// Scope defaults to ScopeBase.
	Scope Scope
	// State comes back unchanged with the code: letters and digits, at most
	// 128. Use it against CSRF: a random value tied to the visitor's
	// session.
	State string
	// AgentID is the app's agentid, required for ScopePrivateInfo.
	// Service.AuthorizeURL fills it from the client when 0.
	AgentID int
}

// AuthorizeURL returns the URL to send the browser to:
// https://open.weixin.qq.com/connect/oauth2/authorize?appid=...&redirect_uri=...
// &response_type=code&scope=...&state=...&agentid=...#wechat_redirect.
// It checks what WeCom would reject or silently drop: a missing app id or
// redirect URI, an unknown scope, a state that is not [a-zA-Z0-9]{0,128},
// snsapi_privateinfo without an agent id. The browser, not this process,
// opens the URL; WeCom then redirects it to RedirectURI with ?code=&state=.
//
// WeCom: GET https://open.weixin.qq.com/connect/oauth2/authorize (in the browser)
func AuthorizeURL(r *AuthorizeRequest) (string, error) {
	if r == nil {
		r = &AuthorizeRequest{}
	}
	if r.AppID == "" {
		return "", wecom.InvalidArgument("oauth: authorize URL: AppID is empty")
	}
	if r.RedirectURI == "" {
		return "", wecom.InvalidArgument("oauth: authorize URL: RedirectURI is empty")
	}
	if u, err := url.Parse(r.RedirectURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", wecom.InvalidArgument("oauth: authorize URL: RedirectURI %q is not an absolute http(s) URL", r.RedirectURI)
	}
	scope := r.Scope
	switch scope {
	case "":
		scope = ScopeBase
	case ScopeBase:
	case ScopePrivateInfo:
		if r.AgentID == 0 {
			return "", wecom.InvalidArgument("oauth: authorize URL: snsapi_privateinfo needs AgentID")
		}
	default:
		return "", wecom.InvalidArgument("oauth: authorize URL: unknown scope %q", string(scope))
	}
	if err := checkState(r.State); err != nil {
		return "", err
	}
	// The order is WeCom's documented one; url.Values would sort it.
	b := make([]byte, 0, 256)
	b = append(b, AuthorizeEndpoint...)
	b = append(b, "?appid="...)
	b = append(b, url.QueryEscape(r.AppID)...)
	b = append(b, "&redirect_uri="...)
	b = append(b, url.QueryEscape(r.RedirectURI)...)
	b = append(b, "&response_type=code&scope="...)
	b = append(b, scope...)
	b = append(b, "&state="...)
	b = append(b, r.State...)
	if r.AgentID != 0 {
		b = append(b, "&agentid="...)
		b = strconv.AppendInt(b, int64(r.AgentID), 10)
	}
	b = append(b, "#wechat_redirect"...)
	return string(b), nil
}

func checkState(s string) error {
	if len(s) > MaxStateLength {
		return wecom.InvalidArgument("oauth: authorize URL: state is %d bytes, at most %d", len(s), MaxStateLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return wecom.InvalidArgument("oauth: authorize URL: state may hold only letters and digits")
		}
	}
	return nil
}

// Service calls the sign-in endpoints of a self-built or 代开发 app. Create
// it with New(client).
type Service struct{ c *wecom.Client }

// New returns a Service for c.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// AuthorizeURL is the package's AuthorizeURL with AppID and (when 0)
// AgentID taken from the client. r is not modified.
//
// WeCom: GET https://open.weixin.qq.com/connect/oauth2/authorize (in the browser)
func (s *Service) AuthorizeURL(r *AuthorizeRequest) (string, error) {
	var cp AuthorizeRequest
	if r != nil {
		cp = *r
	}
	if cp.AppID == "" {
		cp.AppID = s.c.CorpID()
	}
	if cp.AgentID == 0 {
		cp.AgentID = s.c.AgentID()
	}
	return AuthorizeURL(&cp)
}

// Identity is who signed in: a *Member or a *NonMember, never anything
// else. Tell them apart with a type switch.
type Identity interface {
	// isIdentity seals the interface: only this package's two types
	// implement it.
	isIdentity()
}

// Member is a member of the corp who signed in.
type Member struct {
	// UserID is the member's userid in the corp. (Third-party apps get
	// the corp-scoped userid or, with id translation, an open one.)
	UserID string `json:"userid"`
	// UserTicket is set only for ScopePrivateInfo and a member in the
	// app's visible range: pass it to GetUserDetail within ExpiresIn
	// (1800 s). It is a credential: never log it or send it to a page.
	UserTicket string `json:"user_ticket,omitempty"`
	// ExpiresIn is UserTicket's life in seconds.
	ExpiresIn int64 `json:"expires_in,omitempty"`
	// CorpID is the member's corp; set by the service-provider variant
	// (getuserinfo3rd), empty here.
	CorpID string `json:"corpid,omitempty"`
	// OpenUserID is the member's id across a service provider's apps; set
	// by the service-provider variant only.
	OpenUserID string `json:"open_userid,omitempty"`
}

// LogValue keeps UserTicket out of logs.
func (m *Member) LogValue() slog.Value {
	return slog.GroupValue(slog.String("userid", m.UserID), slog.String("corpid", m.CorpID))
}

// NonMember is a visitor outside the corp (a WeChat user opening the
// corp's page).
type NonMember struct {
	// OpenID identifies the visitor to the corp.
	OpenID string `json:"openid"`
	// ExternalUserID is set only when the visitor is a customer of the
	// corp whose follower is in the app's visible range.
	ExternalUserID string `json:"external_userid,omitempty"`
}

func (*Member) isIdentity()    {}
func (*NonMember) isIdentity() {}

// RawUserInfo is the payload of getuserinfo and getuserinfo3rd as WeCom
// sends it. Identity turns it into a *Member or a *NonMember.
type RawUserInfo struct {
	UserID         string `json:"userid"`
	UserTicket     string `json:"user_ticket"`
	ExpiresIn      int64  `json:"expires_in"`
	CorpID         string `json:"corpid"`
	OpenUserID     string `json:"open_userid"`
	OpenID         string `json:"openid"`
	ExternalUserID string `json:"external_userid"`
}

// errNoIdentity is answered when WeCom names neither a member nor a
// non-member; errBothIdentities when it names both.
var (
	errNoIdentity     = errors.New("oauth: get user info: the answer names neither a member (userid) nor a non-member (openid)")
	errBothIdentities = errors.New("oauth: get user info: the answer names both a member (userid) and a non-member (openid)")
)

// Identity returns the member (userid set) or the non-member (openid set)
// r describes; an answer with both or neither is an error, never a guess.
func (r *RawUserInfo) Identity() (Identity, error) {
	switch {
	case r.UserID != "" && r.OpenID != "":
		return nil, errBothIdentities
	case r.UserID != "":
		return &Member{UserID: r.UserID, UserTicket: r.UserTicket, ExpiresIn: r.ExpiresIn, CorpID: r.CorpID, OpenUserID: r.OpenUserID}, nil
	case r.OpenID != "":
		return &NonMember{OpenID: r.OpenID, ExternalUserID: r.ExternalUserID}, nil
	}
	return nil, errNoIdentity
}

// GetUserInfo exchanges the code WeCom sent to the redirect URI for the
// visitor: a *Member or a *NonMember. A code works once and for 5 minutes;
// a used, expired or foreign code is errcode 40029. With a valid code the
// call is not frequency-limited.
//
// WeCom: GET /cgi-bin/auth/getuserinfo
func (s *Service) GetUserInfo(ctx context.Context, code string, opts ...wecom.CallOption) (Identity, error) {
	if code == "" {
		return nil, wecom.InvalidArgument("oauth: get user info: code is empty")
	}
	resp, err := wecom.Call[RawUserInfo](ctx, s.c, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/auth/getuserinfo",
		Query:  url.Values{"code": {code}},
		// A code is single use: a repeat after WeCom took it would fail
		// with 40029, so only a certainly-unsent call is repeated.
		Idempotent: false,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Identity()
}

// UserDetail is a member's sensitive profile. Real values come only after
// the member agreed to snsapi_privateinfo and the admin chose the fields in
// the app's settings; otherwise Gender is unknown, Avatar the default one
// and the rest empty. Third-party apps never get Mobile, Email, BizMail or
// Address.
type UserDetail struct {
	UserID  string       `json:"userid"`
	Gender  wecom.Gender `json:"gender"`
	Avatar  string       `json:"avatar"`
	QRCode  string       `json:"qr_code"`
	Mobile  string       `json:"mobile,omitempty"`
	Email   string       `json:"email,omitempty"`
	BizMail string       `json:"biz_mail,omitempty"`
	Address string       `json:"address,omitempty"`
	// CorpID is the member's corp, and OpenUserID the member's id across
	// a provider's apps; set by the service-provider variant
	// (getuserdetail3rd) only, which gets no mobile, email, biz_mail or
	// address.
	CorpID     string `json:"corpid,omitempty"`
	OpenUserID string `json:"open_userid,omitempty"`
	// Name is set by the service-provider variant only, and WeCom now
	// sends the userid there instead of the name.
	Name string `json:"name,omitempty"`
}

// GetUserDetail returns the sensitive profile of the member a user_ticket
// (Member.UserTicket, from a ScopePrivateInfo sign-in) stands for. The
// member must be in the app's visible range.
//
// WeCom: POST /cgi-bin/auth/getuserdetail
func (s *Service) GetUserDetail(ctx context.Context, userTicket string, opts ...wecom.CallOption) (*UserDetail, error) {
	if userTicket == "" {
		return nil, wecom.InvalidArgument("oauth: get user detail: user ticket is empty")
	}
	return wecom.Call[UserDetail](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/auth/getuserdetail",
		Body: struct {
			UserTicket string `json:"user_ticket"`
		}{userTicket},
		Idempotent: true,
	}, opts...)
}
