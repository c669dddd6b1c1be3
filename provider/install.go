package provider

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/wecomkit/wecom"
)

// PreAuthCode is a pre-authorization code (预授权码), which starts an
// install through the install URL.
type PreAuthCode struct {
	PreAuthCode string `json:"pre_auth_code"`
	ExpiresIn   int64  `json:"expires_in"` // seconds (1200)
}

// PreAuthCode returns a new pre-authorization code, valid 20 minutes.
//
// WeCom: GET /cgi-bin/service/get_pre_auth_code
func (s *Suite) PreAuthCode(ctx context.Context, opts ...wecom.CallOption) (*PreAuthCode, error) {
	return wecom.Call[PreAuthCode](ctx, s.c, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/service/get_pre_auth_code",
	}, opts...)
}

// AuthType says whether an install is a formal or a test one.
type AuthType int

// Install kinds of SetSessionInfo.
const (
	AuthTypeFormal AuthType = 0 // 正式授权 (the default)
	AuthTypeTest   AuthType = 1 // 测试授权: an install in a test corp before the app is online
)

// String returns the WeCom name of t.
func (t AuthType) String() string {
	switch t {
	case AuthTypeFormal:
		return "formal"
	case AuthTypeTest:
		return "test"
	}
	return "AuthType(" + itoa(int(t)) + ")"
}

// SetSessionInfoRequest configures the install a pre-authorization code
// starts.
type SetSessionInfoRequest struct {
	PreAuthCode string `json:"pre_auth_code"`
	// AppIDs limits the install to some apps of an old multi-app suite;
	// leave it empty otherwise.
	AppIDs []int `json:"-"`
	// AuthType marks a test install (AuthTypeTest).
	AuthType AuthType `json:"-"`
}

// SetSessionInfo configures the install started with a pre-authorization
// code, such as a test install (AuthTypeTest) for a suite not yet online.
//
// WeCom: POST /cgi-bin/service/set_session_info
func (s *Suite) SetSessionInfo(ctx context.Context, req *SetSessionInfoRequest, opts ...wecom.CallOption) error {
	if req == nil || req.PreAuthCode == "" {
		return wecom.InvalidArgument("provider: set session info: PreAuthCode is required")
	}
	type sessionInfo struct {
		AppID    []int    `json:"appid,omitempty"`
		AuthType AuthType `json:"auth_type"`
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/set_session_info",
		Body: struct {
			PreAuthCode string      `json:"pre_auth_code"`
			SessionInfo sessionInfo `json:"session_info"`
		}{req.PreAuthCode, sessionInfo{req.AppIDs, req.AuthType}},
		Idempotent: true,
	}, nil, opts...)
}

// InstallURLBase is the page where a corp admin installs a suite.
const InstallURLBase = "https://open.work.weixin.qq.com/3rdapp/install"

// InstallURLRequest describes an install link.
type InstallURLRequest struct {
	// PreAuthCode comes from Suite.PreAuthCode. Required.
	PreAuthCode string
	// RedirectURI receives redirect_uri?auth_code=…&expires_in=600&state=…
	// after the install; its domain must be the suite's install callback
	// domain. Required.
	RedirectURI string
	// State comes back unchanged on the redirect (a-zA-Z0-9, ≤128 bytes).
	State string
}

// InstallURL returns the link that installs the suite in a corp:
// https://open.work.weixin.qq.com/3rdapp/install?suite_id=…&pre_auth_code=…&redirect_uri=…&state=….
// WeCom opens it only when the referrer is the install callback domain.
func (s *Suite) InstallURL(req *InstallURLRequest) (string, error) {
	if req == nil || req.PreAuthCode == "" {
		return "", wecom.InvalidArgument("provider: install url: PreAuthCode is required")
	}
	if req.RedirectURI == "" {
		return "", wecom.InvalidArgument("provider: install url: RedirectURI is required")
	}
	q := "suite_id=" + url.QueryEscape(s.id) +
		"&pre_auth_code=" + url.QueryEscape(req.PreAuthCode) +
		"&redirect_uri=" + url.QueryEscape(req.RedirectURI) +
		"&state=" + url.QueryEscape(req.State)
	return InstallURLBase + "?" + q, nil
}

// AuthCorpInfo describes the authorizing corp. The v2 permanent-code call
// fills CorpID and CorpName only; AuthInfo fills the rest.
type AuthCorpInfo struct {
	CorpID            string `json:"corpid"`
	CorpName          string `json:"corp_name"`
	CorpType          string `json:"corp_type,omitempty"` // "verified", "unverified"
	CorpSquareLogoURL string `json:"corp_square_logo_url,omitempty"`
	CorpUserMax       int    `json:"corp_user_max,omitempty"`
	CorpFullName      string `json:"corp_full_name,omitempty"`
	VerifiedEndTime   int64  `json:"verified_end_time,omitempty"` // Unix seconds
	SubjectType       int    `json:"subject_type,omitempty"`      // 1 corp, 2 government, 3 other, 4 group, 5 individual
	CorpWxQRCode      string `json:"corp_wxqrcode,omitempty"`
	CorpScale         string `json:"corp_scale,omitempty"`
	CorpIndustry      string `json:"corp_industry,omitempty"`
	CorpSubIndustry   string `json:"corp_sub_industry,omitempty"`
	Location          string `json:"location,omitempty"`
}

// VerifiedEndAt returns VerifiedEndTime as a time (zero for 0).
func (i *AuthCorpInfo) VerifiedEndAt() time.Time { return wecom.UnixTime(i.VerifiedEndTime) }

// AuthInfo lists the apps of the suite the corp installed.
type AuthInfo struct {
	Agents []AuthAgent `json:"agent"`
}

// AuthAgent is one installed app of the suite.
type AuthAgent struct {
	AgentID       int    `json:"agentid"`
	Name          string `json:"name,omitempty"`
	RoundLogoURL  string `json:"round_logo_url,omitempty"`
	SquareLogoURL string `json:"square_logo_url,omitempty"`
	AppID         int    `json:"appid,omitempty"` // old multi-app suites
	// AuthMode is 0 for an install by an admin, 1 for one by a member
	// (成员授权).
	AuthMode int `json:"auth_mode"`
	// IsCustomizedApp is true for a 代开发 app: its permanent code is the
	// app secret (see CustomizedAppClient).
	IsCustomizedApp bool            `json:"is_customized_app"`
	Privilege       *AgentPrivilege `json:"privilege,omitempty"`
	SharedFrom      *SharedFrom     `json:"shared_from,omitempty"`
}

// AgentPrivilege is an installed app's visibility.
type AgentPrivilege struct {
	Level      int      `json:"level,omitempty"` // 1 read-only address book, 2 read, 3 read-write (legacy)
	AllowParty []int    `json:"allow_party,omitempty"`
	AllowUser  []string `json:"allow_user,omitempty"`
	AllowTag   []int    `json:"allow_tag,omitempty"`
	ExtraParty []int    `json:"extra_party,omitempty"`
	ExtraUser  []string `json:"extra_user,omitempty"`
	ExtraTag   []int    `json:"extra_tag,omitempty"`
}

// SharedFrom names the upstream corp an app was shared from.
type SharedFrom struct {
	CorpID    string `json:"corpid"`
	ShareType int    `json:"share_type"` // 0 enterprise interconnection, 1 upstream-downstream
}

// AuthUserInfo is the admin or member who installed the suite.
type AuthUserInfo struct {
	UserID     string `json:"userid"`
	OpenUserID string `json:"open_userid,omitempty"`
	Name       string `json:"name,omitempty"`
	Avatar     string `json:"avatar,omitempty"`
}

// DealerCorpInfo is the reseller (代理服务商) that sold the install, if any.
type DealerCorpInfo struct {
	CorpID   string `json:"corpid"`
	CorpName string `json:"corp_name"`
}

// RegisterCodeInfo is set when the corp registered through a registration
// code of the provider.
type RegisterCodeInfo struct {
	RegisterCode string `json:"register_code"`
	TemplateID   string `json:"template_id"`
	State        string `json:"state"`
}

// EditionInfo is the paid edition of each installed app.
type EditionInfo struct {
	Agents []EditionAgent `json:"agent"`
}

// EditionAgent is one app's edition.
type EditionAgent struct {
	AgentID               int    `json:"agentid"`
	EditionID             string `json:"edition_id"`
	EditionName           string `json:"edition_name"`
	AppStatus             int    `json:"app_status"` // 1 trial, 2 trial expired, 3 paid, 4 paid expired, 5 extended trial
	UserLimit             int    `json:"user_limit"`
	ExpiredTime           int64  `json:"expired_time"` // Unix seconds
	IsVirtualVersion      bool   `json:"is_virtual_version"`
	IsSharedFromOtherCorp bool   `json:"is_shared_from_other_corp"`
}

// ExpiredAt returns ExpiredTime as a time (zero for 0).
func (a *EditionAgent) ExpiredAt() time.Time { return wecom.UnixTime(a.ExpiredTime) }

// Authorization is the result of exchanging an auth code (v2): the
// permanent code, which the app must store (it is the app's data, needed
// for every later corp token; for a 代开发 app it is the app secret), and
// who installed. Call AuthInfo for the apps and privileges.
type Authorization struct {
	// PermanentCode is the corp's permanent code. Store it safely; never
	// log it.
	PermanentCode    string            `json:"permanent_code"`
	AuthCorpInfo     AuthCorpInfo      `json:"auth_corp_info"`
	AuthUserInfo     *AuthUserInfo     `json:"auth_user_info,omitempty"`
	RegisterCodeInfo *RegisterCodeInfo `json:"register_code_info,omitempty"`
	// State is the state of the install link or registration code.
	State string `json:"state,omitempty"`
}

// PermanentCode exchanges an auth code (from the create_auth or
// reset_permanent_code callback, or the install redirect; single use,
// valid 10 minutes) for the corp's permanent code. This is the current
// (v2) call, which answers fast and returns less; AuthInfo returns the
// rest.
//
// WeCom: POST /cgi-bin/service/v2/get_permanent_code
func (s *Suite) PermanentCode(ctx context.Context, authCode string, opts ...wecom.CallOption) (*Authorization, error) {
	if authCode == "" {
		return nil, wecom.InvalidArgument("provider: permanent code: auth code is required")
	}
	return wecom.Call[Authorization](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/v2/get_permanent_code",
		Body: struct {
			AuthCode string `json:"auth_code"`
		}{authCode},
	}, opts...)
}

// LegacyAuthorization is the result of the legacy permanent-code call:
// everything at once, and a first corp token (absent for 代开发 apps).
type LegacyAuthorization struct {
	// AccessToken is a first corp token; never log it. Empty for 代开发.
	AccessToken      string            `json:"access_token,omitempty"`
	ExpiresIn        int64             `json:"expires_in,omitempty"`
	PermanentCode    string            `json:"permanent_code"`
	AuthCorpInfo     AuthCorpInfo      `json:"auth_corp_info"`
	AuthInfo         AuthInfo          `json:"auth_info"`
	AuthUserInfo     *AuthUserInfo     `json:"auth_user_info,omitempty"`
	DealerCorpInfo   *DealerCorpInfo   `json:"dealer_corp_info,omitempty"`
	RegisterCodeInfo *RegisterCodeInfo `json:"register_code_info,omitempty"`
	EditionInfo      *EditionInfo      `json:"edition_info,omitempty"`
	State            string            `json:"state,omitempty"`
}

// PermanentCodeLegacy is the legacy form of PermanentCode, which WeCom
// answers slowly; prefer PermanentCode and AuthInfo.
//
// WeCom: POST /cgi-bin/service/get_permanent_code
func (s *Suite) PermanentCodeLegacy(ctx context.Context, authCode string, opts ...wecom.CallOption) (*LegacyAuthorization, error) {
	if authCode == "" {
		return nil, wecom.InvalidArgument("provider: permanent code (legacy): auth code is required")
	}
	return wecom.Call[LegacyAuthorization](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/get_permanent_code",
		Body: struct {
			AuthCode string `json:"auth_code"`
		}{authCode},
	}, opts...)
}

// AuthInfoRequest names an authorized corp and its permanent code.
type AuthInfoRequest struct {
	AuthCorpID    string `json:"auth_corpid"`
	PermanentCode string `json:"permanent_code"`
}

// CorpAuthInfo is what AuthInfo returns.
type CorpAuthInfo struct {
	AuthCorpInfo   AuthCorpInfo    `json:"auth_corp_info"`
	AuthInfo       AuthInfo        `json:"auth_info"`
	DealerCorpInfo *DealerCorpInfo `json:"dealer_corp_info,omitempty"`
	EditionInfo    *EditionInfo    `json:"edition_info,omitempty"`
}

// AuthInfo returns an authorized corp's details and installed apps.
//
// WeCom: POST /cgi-bin/service/v2/get_auth_info
func (s *Suite) AuthInfo(ctx context.Context, req *AuthInfoRequest, opts ...wecom.CallOption) (*CorpAuthInfo, error) {
	if req == nil || req.AuthCorpID == "" {
		return nil, wecom.InvalidArgument("provider: auth info: AuthCorpID is required")
	}
	if req.PermanentCode == "" {
		return nil, wecom.InvalidArgument("provider: auth info: PermanentCode is required")
	}
	return wecom.Call[CorpAuthInfo](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/service/v2/get_auth_info",
		Body:       req,
		Idempotent: true,
	}, opts...)
}

// AdminListRequest names an installed app.
type AdminListRequest struct {
	AuthCorpID string `json:"auth_corpid"`
	AgentID    int    `json:"agentid"`
}

// Admin is an admin of an installed app.
type Admin struct {
	UserID     string `json:"userid"`
	OpenUserID string `json:"open_userid,omitempty"`
	// AuthType is 0 for the right to send messages, 1 for the right to
	// manage the app.
	AuthType int `json:"auth_type"`
}

// AdminList returns the admins of an installed app (external admins
// excluded; under member authorization, no system admins). WeCom no
// longer maintains this suite-token form; prefer Tenant.AppAdmins on the
// corp token.
//
// WeCom: POST /cgi-bin/service/get_admin_list
func (s *Suite) AdminList(ctx context.Context, req *AdminListRequest, opts ...wecom.CallOption) ([]Admin, error) {
	if req == nil || req.AuthCorpID == "" {
		return nil, wecom.InvalidArgument("provider: admin list: AuthCorpID is required")
	}
	if req.AgentID <= 0 {
		return nil, wecom.InvalidArgument("provider: admin list: AgentID is required")
	}
	resp, err := wecom.Call[struct {
		Admin []Admin `json:"admin"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/service/get_admin_list",
		Body:       req,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Admin, nil
}
