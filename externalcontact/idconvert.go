package externalcontact

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/wecomkit/wecom"
)

// SubjectType is whose mini program or official account an openid comes
// from, for ConvertUnionID.
type SubjectType int

// Subject types.
const (
	SubjectTypeCorp     SubjectType = 0 // the corp's own (主体为企业), WeCom's default
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

// UnionIDToExternalUserIDRequest identifies a WeChat user by unionid and
// an openid of the same user (of the corp's mini program), for
// UnionIDToExternalUserID.
type UnionIDToExternalUserIDRequest struct {
	UnionID string `json:"unionid"`
	// OpenID is the openid of the same user; whether WeCom requires it
	// here is not confirmed (?), so it is sent only when set.
	OpenID string `json:"openid,omitempty"`
}

// UnionIDToExternalUserID converts a WeChat unionid (with an openid of the
// same user) into the customer's external_userid, for a self-built or
// 代开发 app whose mini program the user opened. This endpoint takes no
// subject_type; for the third-party one with a pending_id see
// ConvertUnionID, for the upstream/downstream one
// CorpGroupUnionIDToExternalUserIDs.
//
// WeCom: POST /cgi-bin/externalcontact/unionid_to_external_userid
func (s *Service) UnionIDToExternalUserID(ctx context.Context, req *UnionIDToExternalUserIDRequest, opts ...wecom.CallOption) (string, error) {
	r := deref(req)
	if r.UnionID == "" {
		return "", wecom.InvalidArgument("externalcontact: unionid to external userid: unionid is required")
	}
	resp, err := wecom.Call[externalUserIDBody](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/unionid_to_external_userid", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return "", err
	}
	return resp.ExternalUserID, nil
}

// ConvertUnionIDRequest identifies a WeChat user for ConvertUnionID.
type ConvertUnionIDRequest struct {
	UnionID string `json:"unionid"`
	OpenID  string `json:"openid"`
	// SubjectType says whose mini program the ids come from; the zero
	// value, SubjectTypeCorp, is WeCom's default and is not sent.
	SubjectType SubjectType `json:"subject_type,omitempty"`
}

// ConvertUnionIDResult is what ConvertUnionID answers: the
// external_userid when the user is already a customer, and a pending_id
// (the id the user will be matched by once they add a member; it is not
// an external_userid).
type ConvertUnionIDResult struct {
	ExternalUserID string `json:"external_userid"`
	PendingID      string `json:"pending_id"`
}

// ConvertUnionID converts a unionid and openid (both required, from the
// same mini program) into an external_userid and a pending_id, for
// third-party and 代开发 apps with the authorising corp's token. WeCom
// limits it to 100,000 calls an hour, 480,000 a day and 7,500,000 a
// month (per corp when SubjectType is corp, per provider otherwise).
//
// WeCom: POST /cgi-bin/idconvert/unionid_to_external_userid
func (s *Service) ConvertUnionID(ctx context.Context, req *ConvertUnionIDRequest, opts ...wecom.CallOption) (*ConvertUnionIDResult, error) {
	r := deref(req)
	if r.UnionID == "" || r.OpenID == "" {
		return nil, wecom.InvalidArgument("externalcontact: convert unionid: unionid and openid are required")
	}
	return wecom.Call[ConvertUnionIDResult](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/idconvert/unionid_to_external_userid", Body: &r, Idempotent: true}, opts...)
}

// CorpGroupUnionIDToExternalUserIDsRequest identifies a WeChat user for the
// upstream/downstream (上下游) conversions.
type CorpGroupUnionIDToExternalUserIDsRequest struct {
	UnionID string `json:"unionid"`
	OpenID  string `json:"openid"`
	// CorpID limits the answer to one downstream corp; empty: all.
	CorpID string `json:"corpid,omitempty"`
	// MassCallTicket, when valid, lifts the frequency limit.
	MassCallTicket string `json:"mass_call_ticket,omitempty"`
}

// ExternalUserIDInfo is a customer id in one corp.
type ExternalUserIDInfo struct {
	CorpID         string `json:"corpid"`
	ExternalUserID string `json:"external_userid"`
}

// CorpGroupUnionIDToExternalUserIDs converts a unionid and openid (both
// required) into the user's external_userid in each corp of the
// upstream/downstream chain (or only in CorpID), for a self-built or
// 代开发 app shared along the chain.
//
// WeCom: POST /cgi-bin/corpgroup/unionid_to_external_userid
func (s *Service) CorpGroupUnionIDToExternalUserIDs(ctx context.Context, req *CorpGroupUnionIDToExternalUserIDsRequest, opts ...wecom.CallOption) ([]ExternalUserIDInfo, error) {
	r := deref(req)
	if r.UnionID == "" || r.OpenID == "" {
		return nil, wecom.InvalidArgument("externalcontact: corpgroup unionid to external userid: unionid and openid are required")
	}
	resp, err := wecom.Call[struct {
		ExternalUserIDInfo []ExternalUserIDInfo `json:"external_userid_info"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/corpgroup/unionid_to_external_userid", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.ExternalUserIDInfo, nil
}

// CorpGroupUnionIDToPendingIDRequest identifies a WeChat user for
// CorpGroupUnionIDToPendingID.
type CorpGroupUnionIDToPendingIDRequest struct {
	UnionID string `json:"unionid"`
	OpenID  string `json:"openid"`
}

// CorpGroupUnionIDToPendingID converts a unionid and openid into a
// pending_id (valid 90 days) on the upstream/downstream chain.
//
// WeCom: POST /cgi-bin/corpgroup/unionid_to_pending_id
func (s *Service) CorpGroupUnionIDToPendingID(ctx context.Context, req *CorpGroupUnionIDToPendingIDRequest, opts ...wecom.CallOption) (string, error) {
	r := deref(req)
	if r.UnionID == "" || r.OpenID == "" {
		return "", wecom.InvalidArgument("externalcontact: corpgroup unionid to pending id: unionid and openid are required")
	}
	resp, err := wecom.Call[struct {
		PendingID string `json:"pending_id"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/corpgroup/unionid_to_pending_id", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return "", err
	}
	return resp.PendingID, nil
}

// MaxPendingIDBatch is the most external_userids one pending-id batch
// converts.
const MaxPendingIDBatch = 100

// ExternalUserIDsToPendingIDsRequest asks for the pending_ids of
// customers.
type ExternalUserIDsToPendingIDsRequest struct {
	// ExternalUserIDs are the customers (at most 100).
	ExternalUserIDs []string `json:"external_userid"`
	// ChatID, when set, checks only the group owner's visibility and
	// ignores ids outside that group.
	ChatID string `json:"chat_id,omitempty"`
}

// CorpGroupExternalUserIDsToPendingIDsRequest asks for the pending_ids
// of customers of upstream or downstream corps; the fields are those of
// ExternalUserIDsToPendingIDsRequest.
type CorpGroupExternalUserIDsToPendingIDsRequest ExternalUserIDsToPendingIDsRequest

// PendingIDMapping pairs an external_userid with its pending_id.
type PendingIDMapping struct {
	ExternalUserID string `json:"external_userid"`
	PendingID      string `json:"pending_id"`
}

func (s *Service) pendingIDs(ctx context.Context, op, path string, r ExternalUserIDsToPendingIDsRequest, opts []wecom.CallOption) ([]PendingIDMapping, error) {
	switch {
	case len(r.ExternalUserIDs) == 0:
		return nil, wecom.InvalidArgument("externalcontact: %s: external_userid is required", op)
	case len(r.ExternalUserIDs) > MaxPendingIDBatch:
		return nil, wecom.InvalidArgument("externalcontact: %s: %d ids, at most %d per call", op, len(r.ExternalUserIDs), MaxPendingIDBatch)
	}
	resp, err := wecom.Call[struct {
		Result []PendingIDMapping `json:"result"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: path, Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Result, nil
}

// ExternalUserIDsToPendingIDs returns the pending_ids (valid 90 days) of
// up to 100 customers, for third-party and 代开发 apps.
//
// WeCom: POST /cgi-bin/idconvert/batch/external_userid_to_pending_id
func (s *Service) ExternalUserIDsToPendingIDs(ctx context.Context, req *ExternalUserIDsToPendingIDsRequest, opts ...wecom.CallOption) ([]PendingIDMapping, error) {
	return s.pendingIDs(ctx, "external userids to pending ids", "/cgi-bin/idconvert/batch/external_userid_to_pending_id", deref(req), opts)
}

// CorpGroupExternalUserIDsToPendingIDs returns the pending_ids of up to
// 100 customers of the upstream or downstream corps.
//
// WeCom: POST /cgi-bin/corpgroup/batch/external_userid_to_pending_id
func (s *Service) CorpGroupExternalUserIDsToPendingIDs(ctx context.Context, req *CorpGroupExternalUserIDsToPendingIDsRequest, opts ...wecom.CallOption) ([]PendingIDMapping, error) {
	return s.pendingIDs(ctx, "corpgroup external userids to pending ids", "/cgi-bin/corpgroup/batch/external_userid_to_pending_id", ExternalUserIDsToPendingIDsRequest(deref(req)), opts)
}

// TmpBusinessType is where a temporary external userid comes from.
type TmpBusinessType int

// Business types of convert_tmp_external_userid.
const (
	TmpBusinessMeeting TmpBusinessType = 1 // a meeting (会议)
	TmpBusinessForm    TmpBusinessType = 2 // a collection form (收集表)
)

// String returns "meeting", "form" or the number.
func (t TmpBusinessType) String() string {
	switch t {
	case TmpBusinessMeeting:
		return "meeting"
	case TmpBusinessForm:
		return "form"
	}
	return "TmpBusinessType(" + strconv.Itoa(int(t)) + ")"
}

// TmpUserType is who a temporary external userid stands for.
type TmpUserType int

// User types of convert_tmp_external_userid.
const (
	TmpUserCustomer   TmpUserType = 1 // a customer
	TmpUserCorpLink   TmpUserType = 2 // a member of a linked corp (企业互联)
	TmpUserCorpGroup  TmpUserType = 3 // a member of an upstream/downstream corp (上下游)
	TmpUserCorpCircle TmpUserType = 4 // a member of a corp circle (互联企业（圈子）)
)

// String returns the user type in words or the number.
func (t TmpUserType) String() string {
	switch t {
	case TmpUserCustomer:
		return "customer"
	case TmpUserCorpLink:
		return "linked corp"
	case TmpUserCorpGroup:
		return "corp group"
	case TmpUserCorpCircle:
		return "corp circle"
	}
	return "TmpUserType(" + strconv.Itoa(int(t)) + ")"
}

// ConvertTmpExternalUserIDsRequest asks to convert temporary external
// userids (from meetings or collection forms).
type ConvertTmpExternalUserIDsRequest struct {
	BusinessType       TmpBusinessType `json:"business_type"`
	UserType           TmpUserType     `json:"user_type"`
	TmpExternalUserIDs []string        `json:"tmp_external_userid_list"`
}

// TmpExternalUserIDResult is one converted temporary id: an
// external_userid for a customer, or a corpid and userid for a member of
// another corp.
type TmpExternalUserIDResult struct {
	TmpExternalUserID string `json:"tmp_external_userid"`
	ExternalUserID    string `json:"external_userid,omitempty"`
	CorpID            string `json:"corpid,omitempty"`
	UserID            string `json:"userid,omitempty"`
}

// ConvertTmpExternalUserIDsResult is what ConvertTmpExternalUserIDs
// answers.
type ConvertTmpExternalUserIDsResult struct {
	Results               []TmpExternalUserIDResult `json:"results"`
	InvalidTmpExternalIDs []string                  `json:"invalid_tmp_external_userid_list"`
}

// ConvertTmpExternalUserIDs converts temporary external userids into
// external_userids (or corpid + userid), for third-party and 代开发 apps.
//
// WeCom: POST /cgi-bin/idconvert/convert_tmp_external_userid
func (s *Service) ConvertTmpExternalUserIDs(ctx context.Context, req *ConvertTmpExternalUserIDsRequest, opts ...wecom.CallOption) (*ConvertTmpExternalUserIDsResult, error) {
	r := deref(req)
	switch {
	case r.BusinessType == 0 || r.UserType == 0:
		return nil, wecom.InvalidArgument("externalcontact: convert tmp external userids: business_type and user_type are required")
	case len(r.TmpExternalUserIDs) == 0:
		return nil, wecom.InvalidArgument("externalcontact: convert tmp external userids: tmp_external_userid_list is required")
	}
	return wecom.Call[ConvertTmpExternalUserIDsResult](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/idconvert/convert_tmp_external_userid", Body: &r, Idempotent: true}, opts...)
}

// MaxExternalTagIDs is the most tag ids ConvertExternalTagIDs takes.
const MaxExternalTagIDs = 1000

// ExternalTagIDMapping pairs a corp tag (or tag group) id with the id a
// service provider's app sees.
type ExternalTagIDMapping struct {
	ExternalTagID     string `json:"external_tagid"`
	OpenExternalTagID string `json:"open_external_tagid"`
}

// ExternalTagIDsResult is what ConvertExternalTagIDs answers.
type ExternalTagIDsResult struct {
	Items []ExternalTagIDMapping `json:"items"`
	// InvalidExternalTagIDs are the ids that did not convert. WeCom's doc
	// names the field invalid_external_tagid_list; some SDKs read
	// invalid_tagid_list, so both are accepted.
	InvalidExternalTagIDs []string `json:"invalid_external_tagid_list"`
}

// UnmarshalJSON accepts both names of the invalid list.
func (r *ExternalTagIDsResult) UnmarshalJSON(b []byte) error {
	var aux struct {
		Items   []ExternalTagIDMapping `json:"items"`
		Invalid []string               `json:"invalid_external_tagid_list"`
		Alt     []string               `json:"invalid_tagid_list"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.Items, r.InvalidExternalTagIDs = aux.Items, aux.Invalid
	if r.InvalidExternalTagIDs == nil {
		r.InvalidExternalTagIDs = aux.Alt
	}
	return nil
}

// ConvertExternalTagIDs converts up to 1000 corp tag or tag-group ids
// into the ids a service provider's app sees, for third-party and 代开发
// apps.
//
// WeCom: POST /cgi-bin/idconvert/external_tagid
func (s *Service) ConvertExternalTagIDs(ctx context.Context, tagIDs []string, opts ...wecom.CallOption) (*ExternalTagIDsResult, error) {
	switch {
	case len(tagIDs) == 0:
		return nil, wecom.InvalidArgument("externalcontact: convert external tag ids: no tag id given")
	case len(tagIDs) > MaxExternalTagIDs:
		return nil, wecom.InvalidArgument("externalcontact: convert external tag ids: %d ids, at most %d per call", len(tagIDs), MaxExternalTagIDs)
	}
	return wecom.Call[ExternalTagIDsResult](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/idconvert/external_tagid", Body: struct {
		ExternalTagIDList []string `json:"external_tagid_list"`
	}{tagIDs}, Idempotent: true}, opts...)
}

// FromServiceExternalUserIDRequest names a service provider's
// external_userid and the app that obtained it.
type FromServiceExternalUserIDRequest struct {
	// ExternalUserID is the id as the provider's app obtained it.
	ExternalUserID string `json:"external_userid"`
	// SourceAgentID is the agentid of the 代开发 or third-party app that
	// obtained it.
	SourceAgentID int `json:"source_agentid"`
}

// FromServiceExternalUserID converts a service provider's external_userid
// into the corp's own, for a self-built app.
//
// WeCom: POST /cgi-bin/externalcontact/from_service_external_userid
func (s *Service) FromServiceExternalUserID(ctx context.Context, req *FromServiceExternalUserIDRequest, opts ...wecom.CallOption) (string, error) {
	r := deref(req)
	if r.ExternalUserID == "" || r.SourceAgentID == 0 {
		return "", wecom.InvalidArgument("externalcontact: from service external userid: external_userid and source_agentid are required")
	}
	resp, err := wecom.Call[externalUserIDBody](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/from_service_external_userid", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return "", err
	}
	return resp.ExternalUserID, nil
}

// GetGroupNewExternalUserIDsRequest asks for the new ids of group members
// who are not the corp's customers.
type GetGroupNewExternalUserIDsRequest struct {
	// ChatID is the group (required). WeCom's doc says chat_id; some SDKs
	// send chatid.
	ChatID string `json:"chat_id"`
	// ExternalUserIDs are at most 1000 ids (WeCom advises 200).
	ExternalUserIDs []string `json:"external_userid_list"`
}

// GetGroupNewExternalUserIDs converts the external_userids of group
// members who are not friends into the new ids of the 2022 upgrade (the
// plain GetNewExternalUserIDs does not cover them). The token must be a
// 代开发 or third-party app's and the group owner visible to it; an id
// that is already new comes back unchanged.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/get_new_external_userid
func (s *Service) GetGroupNewExternalUserIDs(ctx context.Context, req *GetGroupNewExternalUserIDsRequest, opts ...wecom.CallOption) ([]ExternalUserIDMapping, error) {
	r := deref(req)
	switch {
	case r.ChatID == "":
		return nil, wecom.InvalidArgument("externalcontact: get group new external userids: chat_id is required")
	case len(r.ExternalUserIDs) == 0:
		return nil, wecom.InvalidArgument("externalcontact: get group new external userids: no external_userid given")
	case len(r.ExternalUserIDs) > MaxNewExternalUserIDs:
		return nil, wecom.InvalidArgument("externalcontact: get group new external userids: %d ids, at most %d per call", len(r.ExternalUserIDs), MaxNewExternalUserIDs)
	}
	resp, err := wecom.Call[struct {
		Items []ExternalUserIDMapping `json:"items"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/groupchat/get_new_external_userid", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Items, nil
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
