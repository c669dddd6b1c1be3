package externalcontact

import (
	"context"
	"errors"
	"fmt"
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

// UnionIDRequest identifies a WeChat user by unionid and an openid of
// the same user.
type UnionIDRequest struct {
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
func (s *Service) UnionIDToExternalUserID(ctx context.Context, req *UnionIDRequest, opts ...wecom.CallOption) (*UnionIDResult, error) {
	if req == nil || req.UnionID == "" || req.OpenID == "" {
		return nil, errors.New("externalcontact: UnionIDToExternalUserID: unionid and openid are required")
	}
	var out UnionIDResult
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/unionid_to_external_userid",
		Body:       req,
		Idempotent: true,
	}, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ConvertToOpenID returns the openid of a customer who is a WeChat user,
// for WeChat Pay and official-account features.
//
// WeCom: POST /cgi-bin/externalcontact/convert_to_openid
func (s *Service) ConvertToOpenID(ctx context.Context, externalUserID string, opts ...wecom.CallOption) (string, error) {
	if externalUserID == "" {
		return "", errors.New("externalcontact: ConvertToOpenID: external_userid is empty")
	}
	var resp struct {
		OpenID string `json:"openid"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/convert_to_openid",
		Body: struct {
			ExternalUserID string `json:"external_userid"`
		}{externalUserID},
		Idempotent: true,
	}, &resp, opts...)
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
		return "", errors.New("externalcontact: ToServiceExternalUserID: external_userid is empty")
	}
	var resp struct {
		ExternalUserID string `json:"external_userid"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/to_service_external_userid",
		Body: struct {
			ExternalUserID string `json:"external_userid"`
		}{externalUserID},
		Idempotent: true,
	}, &resp, opts...)
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
		return nil, errors.New("externalcontact: GetNewExternalUserIDs: no ids")
	}
	if len(externalUserIDs) > MaxNewExternalUserIDs {
		return nil, fmt.Errorf("externalcontact: GetNewExternalUserIDs: %d ids, at most %d per call", len(externalUserIDs), MaxNewExternalUserIDs)
	}
	var resp struct {
		Items []ExternalUserIDMapping `json:"items"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_new_external_userid",
		Body: struct {
			ExternalUserIDList []string `json:"external_userid_list"`
		}{externalUserIDs},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Items, nil
}
