package externalcontact

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// MaxContactListLimit is the largest page of contact_list, and its
// default.
const MaxContactListLimit = 1000

// ListContactsRequest asks for one page of the external contacts members
// serve.
type ListContactsRequest struct {
	Cursor string `json:"cursor,omitempty"`
	// Limit is at most 1000; 0 means WeCom's default, 1000.
	Limit int `json:"limit,omitempty"`
}

// Contact is one external contact a member serves: a customer or
// another external contact (a non-customer), with the member who added
// them or the group they are in. Only IsCustomer, TmpOpenID and AddTime
// are always present.
type Contact struct {
	// IsCustomer says whether the member marked them as a customer.
	IsCustomer bool `json:"is_customer"`
	// TmpOpenID is a temporary id (valid 4 hours) to tell duplicates
	// apart across pages.
	TmpOpenID string `json:"tmp_openid"`
	// ExternalUserID is set for customers only.
	ExternalUserID string `json:"external_userid,omitempty"`
	// Name is the contact's name (masked by WeCom), when given.
	Name string `json:"name,omitempty"`
	// FollowUserID is the member who added them, when added by a member.
	FollowUserID string `json:"follow_userid,omitempty"`
	// ChatID and ChatName name the group they are in, when listed for a
	// group.
	ChatID   string `json:"chat_id,omitempty"`
	ChatName string `json:"chat_name,omitempty"`
	// AddTime is when they were added (Unix seconds).
	AddTime int64 `json:"add_time"`
}

// AddAt returns AddTime as a time.Time (zero when 0).
func (c Contact) AddAt() time.Time { return wecom.UnixTime(c.AddTime) }

// ListContacts returns one page of every external contact the corp's
// members serve, customers and non-customers, with the next cursor (""
// after the last page). Self-built apps only (代开发 and third-party apps
// are not supported by WeCom). A cursor must not be stored for later.
//
// WeCom: POST /cgi-bin/externalcontact/contact_list
func (s *Service) ListContacts(ctx context.Context, req *ListContactsRequest, opts ...wecom.CallOption) ([]Contact, string, error) {
	r := deref(req)
	if err := checkLimit("list contacts", r.Limit, MaxContactListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		InfoList   []Contact `json:"info_list"`
		NextCursor string    `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/contact_list", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.InfoList, resp.NextCursor, nil
}

// AllContacts iterates over every external contact members serve,
// req.Limit a page (0: 1000, the maximum), from the first page
// (req.Cursor is ignored). A contact may show more than once (once per
// member or group); TmpOpenID tells them apart.
//
// WeCom: POST /cgi-bin/externalcontact/contact_list
func (s *Service) AllContacts(ctx context.Context, req *ListContactsRequest, opts ...wecom.CallOption) iter.Seq2[Contact, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxContactListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]Contact, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListContacts(ctx, &p, opts...)
	})
}
