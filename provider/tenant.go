package provider

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
)

// Tenant calls the corp-token endpoints of the ID upgrade and app admin
// list on an authorized corp's client (from Tenants, or
// CustomizedAppClient). Create it with NewTenant(client).
type Tenant struct{ c *wecom.Client }

// NewTenant returns the service for c.
func NewTenant(c *wecom.Client) *Tenant { return &Tenant{c: c} }

// MaxIDConversion is the most IDs one conversion call takes.
const MaxIDConversion = 1000

// UserIDPair is a member's userid and open_userid.
type UserIDPair struct {
	UserID     string `json:"userid"`
	OpenUserID string `json:"open_userid"`
}

// OpenUserIDs is the answer of OpenUserIDs.
type OpenUserIDs struct {
	Pairs []UserIDPair `json:"open_userid_list"`
	// Invalid lists the userids WeCom did not know. Many of them can block
	// the call for a day.
	Invalid []string `json:"invalid_userid_list"`
}

// OpenUserIDs converts up to MaxIDConversion userids of the corp into the
// open_userids of the provider.
//
// WeCom: POST /cgi-bin/batch/userid_to_openuserid
func (t *Tenant) OpenUserIDs(ctx context.Context, userIDs []string, opts ...wecom.CallOption) (*OpenUserIDs, error) {
	if len(userIDs) == 0 || len(userIDs) > MaxIDConversion {
		return nil, wecom.InvalidArgument("provider: userid to open_userid: %d userids (1..%d)", len(userIDs), MaxIDConversion)
	}
	return wecom.Call[OpenUserIDs](ctx, t.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/batch/userid_to_openuserid",
		Body: struct {
			UserIDList []string `json:"userid_list"`
		}{userIDs},
		Idempotent: true,
	}, opts...)
}

// UserIDsRequest converts open_userids back into userids.
type UserIDsRequest struct {
	// OpenUserIDs are open_userids the app with SourceAgentID obtained
	// (1..MaxIDConversion).
	OpenUserIDs   []string `json:"open_userid_list"`
	SourceAgentID int      `json:"source_agentid"`
}

// UserIDs is the answer of UserIDs.
type UserIDs struct {
	Pairs []UserIDPair `json:"userid_list"`
	// Invalid lists the open_userids WeCom did not know (it answers
	// invalid_open_userid_list; invalid_userid_list is read too).
	Invalid []string `json:"invalid_open_userid_list"`
}

// UserIDs converts open_userids obtained by another app of the corp into
// userids.
//
// WeCom: POST /cgi-bin/batch/openuserid_to_userid
func (t *Tenant) UserIDs(ctx context.Context, req *UserIDsRequest, opts ...wecom.CallOption) (*UserIDs, error) {
	if req == nil || len(req.OpenUserIDs) == 0 || len(req.OpenUserIDs) > MaxIDConversion {
		n := 0
		if req != nil {
			n = len(req.OpenUserIDs)
		}
		return nil, wecom.InvalidArgument("provider: open_userid to userid: %d open_userids (1..%d)", n, MaxIDConversion)
	}
	if req.SourceAgentID <= 0 {
		return nil, wecom.InvalidArgument("provider: open_userid to userid: SourceAgentID is required")
	}
	resp, err := wecom.Call[struct {
		UserIDs
		InvalidAlt []string `json:"invalid_userid_list"`
	}](ctx, t.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/batch/openuserid_to_userid",
		Body:       req,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	out := resp.UserIDs
	if out.Invalid == nil {
		out.Invalid = resp.InvalidAlt
	}
	return &out, nil
}

// AppAdmins returns the admins of the app whose token the client holds
// (external admins excluded; under member authorization, none).
//
// WeCom: POST /cgi-bin/agent/get_admin_list
func (t *Tenant) AppAdmins(ctx context.Context, opts ...wecom.CallOption) ([]Admin, error) {
	resp, err := wecom.Call[struct {
		Admin []Admin `json:"admin"`
	}](ctx, t.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/agent/get_admin_list",
		Body:       struct{}{},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Admin, nil
}
