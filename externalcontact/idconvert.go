package externalcontact

import (
	"context"
	"net/http"
	"strconv"

	"github.com/wecomkit/wecom"
)

// SubjectType is whose mini program or official account an openid comes
// from, for UnionIDToExternalUserID.
type SubjectType int

// Subject types.
const (
	SubjectTypeCorp     SubjectType = 0 // the corp's own (主体为企业)
	SubjectTypeProvider SubjectType = 1 // a service provider's (主体为服务商)
)

// String returns "corp", "provider" or the number.
func (t SubjectType) String() string {
	switch t {
	case SubjectTypeCorp:
		return "corp"
	case SubjectTypeProvider:
		return "provider"
	}
	return "SubjectType(" + strconv.Itoa(int(t)) + ")"
}

// UnionIDToExternalUserIDRequest identifies a WeChat user by unionid and an openid of
// the same user.
type UnionIDToExternalUserIDRequest struct {
	UnionID     string      `json:"unionid"`
	OpenID      string      `json:"openid"`
	SubjectType SubjectType `json:"subject_type"`
}

// ExternalUserIDInfo is a customer id in one corp.
type ExternalUserIDInfo struct {
	CorpID         string `json:"corpid"`
	ExternalUserID string `json:"external_userid"`
}

// UnionIDResult is what unionid_to_external_userid answers. WeCom has
// answered in two shapes (?): a list of ids per corp, and for some
// callers a single external_userid with a pending_id (the id the user
// will have once they add a member). Both are kept.
type UnionIDResult struct {
	ExternalUserIDInfo []ExternalUserIDInfo `json:"external_userid_info"`
	ExternalUserID     string               `json:"external_userid,omitempty"`
	PendingID          string               `json:"pending_id,omitempty"`
}

// UnionIDToExternalUserID converts a WeChat unionid (with an openid of the
// same user) into the user's external_userid.
//
// WeCom: POST /cgi-bin/externalcontact/unionid_to_external_userid
func (s *Service) UnionIDToExternalUserID(ctx context.Context, req *UnionIDToExternalUserIDRequest, opts ...wecom.CallOption) (*UnionIDResult, error) {
	r := deref(req)
	if r.UnionID == "" || r.OpenID == "" {
		return nil, wecom.InvalidArgument("externalcontact: unionid to external userid: unionid and openid are required")
	}
	return wecom.Call[UnionIDResult](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/unionid_to_external_userid", Body: &r, Idempotent: true}, opts...)
}

// ConvertToOpenID returns the openid of a customer who is a WeChat user,
// for WeChat Pay and official-account features.
//
// WeCom: POST /cgi-bin/externalcontact/convert_to_openid
func (s *Service) ConvertToOpenID(ctx context.Context, externalUserID string, opts ...wecom.CallOption) (string, error) {
	if externalUserID == "" {
		return "", wecom.InvalidArgument("externalcontact: convert to openid: external_userid is required")
	}
	resp, err := wecom.Call[struct {
		OpenID string `json:"openid"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/convert_to_openid", Body: externalUserIDBody{externalUserID}, Idempotent: true}, opts...)
	if err != nil {
		return "", err
	}
	return resp.OpenID, nil
}

// ToServiceExternalUserID converts a corp's external_userid into the one a
// service provider's app sees for the same customer (?: service-provider
// migration).
//
// WeCom: POST /cgi-bin/externalcontact/to_service_external_userid
func (s *Service) ToServiceExternalUserID(ctx context.Context, externalUserID string, opts ...wecom.CallOption) (string, error) {
	if externalUserID == "" {
		return "", wecom.InvalidArgument("externalcontact: to service external userid: external_userid is required")
	}
	resp, err := wecom.Call[externalUserIDBody](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/to_service_external_userid", Body: externalUserIDBody{externalUserID}, Idempotent: true}, opts...)
	if err != nil {
		return "", err
	}
	return resp.ExternalUserID, nil
}

// ExternalUserIDMapping pairs an old external_userid with the new one.
type ExternalUserIDMapping struct {
	ExternalUserID    string `json:"external_userid"`
	NewExternalUserID string `json:"new_external_userid"`
}

// MaxNewExternalUserIDs is the most ids GetNewExternalUserIDs converts
// in one call (?).
const MaxNewExternalUserIDs = 1000

// GetNewExternalUserIDs converts external_userids into the new ids of a
// service-provider migration (?). Ids WeCom does not know are left out of
// the answer.
//
// WeCom: POST /cgi-bin/externalcontact/get_new_external_userid
func (s *Service) GetNewExternalUserIDs(ctx context.Context, externalUserIDs []string, opts ...wecom.CallOption) ([]ExternalUserIDMapping, error) {
	if len(externalUserIDs) == 0 {
		return nil, wecom.InvalidArgument("externalcontact: get new external userids: no external_userid given")
	}
	if len(externalUserIDs) > MaxNewExternalUserIDs {
		return nil, wecom.InvalidArgument("externalcontact: get new external userids: %d ids, at most %d per call", len(externalUserIDs), MaxNewExternalUserIDs)
	}
	resp, err := wecom.Call[struct {
		Items []ExternalUserIDMapping `json:"items"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_new_external_userid", Body: struct {
		ExternalUserIDList []string `json:"external_userid_list"`
	}{externalUserIDs}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Items, nil
}

type externalUserIDBody struct {
	ExternalUserID string `json:"external_userid"`
}
