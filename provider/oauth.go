package provider

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/oauth"
)

// GetUserInfo3rd resolves an OAuth2 code (single use, 5 minutes) of a
// third-party app into the visitor: an *oauth.Member of an authorizing
// corp (with CorpID and OpenUserID, and a UserTicket for GetUserDetail3rd
// under snsapi_privateinfo) or an *oauth.NonMember, the same types the
// self-built sign-in (oauth.Service.GetUserInfo) returns. Not for 代开发
// apps, which use package oauth on their tenant client.
//
// WeCom: GET /cgi-bin/service/auth/getuserinfo3rd
func (s *Suite) GetUserInfo3rd(ctx context.Context, code string, opts ...wecom.CallOption) (oauth.Identity, error) {
	if code == "" {
		return nil, wecom.InvalidArgument("provider: get user info 3rd: code is required")
	}
	raw, err := wecom.Call[oauth.RawUserInfo](ctx, s.c, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/service/auth/getuserinfo3rd",
		Query: struct {
			Code string `url:"code"`
		}{code},
	}, opts...)
	if err != nil {
		return nil, err
	}
	return raw.Identity()
}

// GetUserDetail3rd returns a member's details for the user ticket of
// GetUserInfo3rd (snsapi_privateinfo): oauth.UserDetail with CorpID,
// OpenUserID and Name set; third-party apps get no mobile, email,
// biz_mail or address.
//
// WeCom: POST /cgi-bin/service/auth/getuserdetail3rd
func (s *Suite) GetUserDetail3rd(ctx context.Context, userTicket string, opts ...wecom.CallOption) (*oauth.UserDetail, error) {
	if userTicket == "" {
		return nil, wecom.InvalidArgument("provider: get user detail 3rd: user ticket is required")
	}
	return wecom.Call[oauth.UserDetail](ctx, s.c, &wecom.Request{
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
	resp, err := wecom.Call[struct {
		Info []CorpExternalUserID `json:"external_userid_info"`
	}](ctx, s.c, &wecom.Request{
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
