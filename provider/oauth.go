package provider

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
)

// UserInfo3rd is who opened a third-party app's OAuth2 link. A member of
// an authorizing corp has CorpID and UserID (and OpenUserID, and a
// UserTicket for UserDetail3rd under snsapi_privateinfo); anyone else has
// OpenID only (and ExternalUserID when WeCom sends it).
type UserInfo3rd struct {
	CorpID     string `json:"corpid,omitempty"`
	UserID     string `json:"userid,omitempty"`
	OpenUserID string `json:"open_userid,omitempty"`
	// UserTicket is valid ExpiresIn seconds (1800); never log it.
	UserTicket     string `json:"user_ticket,omitempty"`
	ExpiresIn      int64  `json:"expires_in,omitempty"`
	OpenID         string `json:"openid,omitempty"`
	ExternalUserID string `json:"external_userid,omitempty"`
}

// IsMember reports whether the visitor is a member of an authorizing corp.
func (u *UserInfo3rd) IsMember() bool { return u.UserID != "" }

// UserInfo3rd resolves an OAuth2 code (single use, 5 minutes) of a
// third-party app. Not for 代开发 apps, which use the self-built OAuth on
// their tenant client.
//
// WeCom: GET /cgi-bin/service/auth/getuserinfo3rd
func (s *Suite) UserInfo3rd(ctx context.Context, code string, opts ...wecom.CallOption) (*UserInfo3rd, error) {
	if code == "" {
		return nil, wecom.InvalidArgument("provider: user info 3rd: code is required")
	}
	return call[UserInfo3rd](ctx, s.tc, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/service/auth/getuserinfo3rd",
		Query: struct {
			Code string `url:"code"`
		}{code},
	}, opts...)
}

// UserDetail3rd is a member's details from a user ticket. Third-party apps
// get no mobile, email, biz_mail or address.
type UserDetail3rd struct {
	CorpID     string       `json:"corpid"`
	UserID     string       `json:"userid"`
	OpenUserID string       `json:"open_userid,omitempty"`
	Name       string       `json:"name,omitempty"`
	Gender     wecom.Gender `json:"gender"`
	Avatar     string       `json:"avatar,omitempty"`
	QRCode     string       `json:"qr_code,omitempty"`
}

// UserDetail3rd returns a member's details for the user ticket of
// UserInfo3rd (snsapi_privateinfo).
//
// WeCom: POST /cgi-bin/service/auth/getuserdetail3rd
func (s *Suite) UserDetail3rd(ctx context.Context, userTicket string, opts ...wecom.CallOption) (*UserDetail3rd, error) {
	if userTicket == "" {
		return nil, wecom.InvalidArgument("provider: user detail 3rd: user ticket is required")
	}
	return call[UserDetail3rd](ctx, s.tc, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/service/auth/getuserdetail3rd",
		Body: struct {
			UserTicket string `json:"user_ticket"`
		}{userTicket},
		Idempotent: true,
	}, opts...)
}

// ExternalUserIDsOfUnionIDRequest asks for the external_userids of a WeChat user.
type ExternalUserIDsOfUnionIDRequest struct {
	UnionID string `json:"unionid"`
	OpenID  string `json:"openid"`
	// CorpID limits the answer to one authorizing corp; empty: all of them.
	CorpID string `json:"corpid,omitempty"`
}

// CorpExternalUserID is a WeChat user's external_userid in one corp.
type CorpExternalUserID struct {
	CorpID         string `json:"corpid"`
	ExternalUserID string `json:"external_userid"`
}

// ExternalUserIDsOfUnionID converts a WeChat user's unionid (with the
// openid of the same mini program or official account) into their
// external_userid in each authorizing corp where they are a customer.
// WeCom limits it (about 50,000 an hour) and forbids bulk conversion.
//
// WeCom: POST /cgi-bin/service/externalcontact/unionid_to_external_userid_3rd
func (s *Suite) ExternalUserIDsOfUnionID(ctx context.Context, req *ExternalUserIDsOfUnionIDRequest, opts ...wecom.CallOption) ([]CorpExternalUserID, error) {
	if req == nil || req.UnionID == "" {
		return nil, wecom.InvalidArgument("provider: unionid to external_userid: UnionID is required")
	}
	if req.OpenID == "" {
		return nil, wecom.InvalidArgument("provider: unionid to external_userid: OpenID is required")
	}
	resp, err := call[struct {
		Info []CorpExternalUserID `json:"external_userid_info"`
	}](ctx, s.tc, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/service/externalcontact/unionid_to_external_userid_3rd",
		Body:       req,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Info, nil
}
