package externalcontact

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
)

// Limits of customer-acquisition links (获客助手), checked before any call.
const (
	MaxAcquisitionLinkNameLength = 30   // characters of link_name
	MaxAcquisitionRangeUsers     = 500  // members of a link's range
	MaxAcquisitionListLimit      = 100  // page size of list_link
	MaxAcquisitionCustomerPage   = 1000 // page size of customer
	// MaxAcquisitionStatSpan is the longest range of statistic.
	MaxAcquisitionStatSpan = 30 * 24 * time.Hour
)

// AcquisitionRange is the members and departments a link assigns
// customers to.
type AcquisitionRange struct {
	UserList       []string `json:"user_list,omitempty"`
	DepartmentList []int    `json:"department_list,omitempty"`
}

// AcquisitionPriorityType says which members get a returning customer
// first.
type AcquisitionPriorityType int

// Priority of members who already have the customer.
const (
	// AcquisitionPriorityCorp prefers, across the corp, a member who
	// already has the customer.
	AcquisitionPriorityCorp AcquisitionPriorityType = 1
	// AcquisitionPriorityListed prefers the listed members who already
	// have the customer.
	AcquisitionPriorityListed AcquisitionPriorityType = 2
)

// String returns the priority in words.
func (t AcquisitionPriorityType) String() string {
	switch t {
	case AcquisitionPriorityCorp:
		return "corp"
	case AcquisitionPriorityListed:
		return "listed members"
	}
	return "AcquisitionPriorityType(" + strconv.Itoa(int(t)) + ")"
}

// AcquisitionPriorityOption is a link's priority assignment.
type AcquisitionPriorityOption struct {
	PriorityType       AcquisitionPriorityType `json:"priority_type"`
	PriorityUserIDList []string                `json:"priority_userid_list,omitempty"` // for AcquisitionPriorityListed
}

// CreateAcquisitionLinkRequest creates a customer-acquisition link.
type CreateAcquisitionLinkRequest struct {
	LinkName string           `json:"link_name"` // at most 30 characters
	Range    AcquisitionRange `json:"range"`
	// SkipVerify adds customers without the member's confirmation; nil
	// leaves WeCom's default (true).
	SkipVerify     *bool                      `json:"skip_verify,omitempty"`
	PriorityOption *AcquisitionPriorityOption `json:"priority_option,omitempty"`
	// MarkSource marks customers as coming from this app's link; nil
	// leaves WeCom's default (true).
	MarkSource *bool `json:"mark_source,omitempty"`
}

// UpdateAcquisitionLinkRequest changes a link: unset fields stay as they
// are, and Range, when set, replaces the range.
type UpdateAcquisitionLinkRequest struct {
	LinkID         string                     `json:"link_id"`
	LinkName       string                     `json:"link_name,omitempty"`
	Range          *AcquisitionRange          `json:"range,omitempty"`
	SkipVerify     *bool                      `json:"skip_verify,omitempty"`
	PriorityOption *AcquisitionPriorityOption `json:"priority_option,omitempty"`
	MarkSource     *bool                      `json:"mark_source,omitempty"`
}

// AcquisitionLink is a customer-acquisition link.
type AcquisitionLink struct {
	LinkID     string `json:"link_id"`
	LinkName   string `json:"link_name"`
	URL        string `json:"url"`
	CreateTime int64  `json:"create_time"`
	SkipVerify bool   `json:"skip_verify"`
	// Range and PriorityOption are set by GetAcquisitionLink.
	Range          AcquisitionRange           `json:"-"`
	PriorityOption *AcquisitionPriorityOption `json:"-"`
	// Raw is the payload WeCom sent, for fields the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (l AcquisitionLink) CreateAt() time.Time { return wecom.UnixTime(l.CreateTime) }

// AcquisitionChatStatus says whether a customer has written to the member
// since adding them.
type AcquisitionChatStatus int

// Chat states of a customer acquired by link.
const (
	AcquisitionNotChatted     AcquisitionChatStatus = 0 // the customer has not written yet
	AcquisitionChatted        AcquisitionChatStatus = 1 // the customer has written
	AcquisitionChatStatusLost AcquisitionChatStatus = 2 // unknown: added before the status was recorded
)

// String returns the status in words.
func (s AcquisitionChatStatus) String() string {
	switch s {
	case AcquisitionNotChatted:
		return "not chatted"
	case AcquisitionChatted:
		return "chatted"
	case AcquisitionChatStatusLost:
		return "unknown"
	}
	return "AcquisitionChatStatus(" + strconv.Itoa(int(s)) + ")"
}

// AcquisitionCustomer is a customer who came through a link.
type AcquisitionCustomer struct {
	ExternalUserID string                `json:"external_userid"`
	UserID         string                `json:"userid"`
	ChatStatus     AcquisitionChatStatus `json:"chat_status"`
	// State is the customer_channel the link URL carried.
	State string `json:"state"`
}

// AcquisitionQuota is the corp's remaining link usage.
type AcquisitionQuota struct {
	Total     int64                  `json:"total"`
	Balance   int64                  `json:"balance"`
	QuotaList []AcquisitionQuotaItem `json:"quota_list"`
	Raw       json.RawMessage        `json:"-"`
}

// AcquisitionQuotaItem is a batch of quota that expires together.
type AcquisitionQuotaItem struct {
	ExpireDate int64 `json:"expire_date"` // Unix seconds
	Balance    int64 `json:"balance"`
}

// AcquisitionStats is a link's usage over a range of days.
type AcquisitionStats struct {
	ClickLinkCustomerCnt int64           `json:"click_link_customer_cnt"`
	NewCustomerCnt       int64           `json:"new_customer_cnt"`
	Raw                  json.RawMessage `json:"-"`
}

func checkAcquisitionFields(op, name string, rng *AcquisitionRange, prio *AcquisitionPriorityOption, create bool) error {
	if create && name == "" {
		return wecom.InvalidArgument("externalcontact: %s: link_name is required", op)
	}
	if n := utf8.RuneCountInString(name); n > MaxAcquisitionLinkNameLength {
		return wecom.InvalidArgument("externalcontact: %s: link_name has %d characters, at most %d", op, n, MaxAcquisitionLinkNameLength)
	}
	if create && (rng == nil || len(rng.UserList)+len(rng.DepartmentList) == 0) {
		return wecom.InvalidArgument("externalcontact: %s: the range has no member or department", op)
	}
	if rng != nil && len(rng.UserList) > MaxAcquisitionRangeUsers {
		return wecom.InvalidArgument("externalcontact: %s: %d members in the range, at most %d", op, len(rng.UserList), MaxAcquisitionRangeUsers)
	}
	if prio != nil {
		switch prio.PriorityType {
		case AcquisitionPriorityCorp:
		case AcquisitionPriorityListed:
			if len(prio.PriorityUserIDList) == 0 {
				return wecom.InvalidArgument("externalcontact: %s: priority type 2 needs priority_userid_list", op)
			}
		default:
			return wecom.InvalidArgument("externalcontact: %s: priority type %d is not 1 or 2", op, prio.PriorityType)
		}
	}
	return nil
}

func checkLinkID(op, linkID string) error {
	if linkID == "" {
		return wecom.InvalidArgument("externalcontact: %s: link_id is required", op)
	}
	return nil
}

type linkIDBody struct {
	LinkID string `json:"link_id"`
}

// CreateAcquisitionLink creates a customer-acquisition link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/create_link
func (s *Service) CreateAcquisitionLink(ctx context.Context, req *CreateAcquisitionLinkRequest, opts ...wecom.CallOption) (*AcquisitionLink, error) {
	r := deref(req)
	if err := checkAcquisitionFields("create acquisition link", r.LinkName, &r.Range, r.PriorityOption, true); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	resp, err := wecom.Call[struct {
		Link AcquisitionLink `json:"link"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/create_link", Body: &r}, withRaw(opts, &raw)...)
	if err != nil {
		return nil, err
	}
	l := resp.Link
	l.Range, l.PriorityOption, l.Raw = r.Range, r.PriorityOption, raw
	return &l, nil
}

// GetAcquisitionLink returns a link with its range and priority option.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/get
func (s *Service) GetAcquisitionLink(ctx context.Context, linkID string, opts ...wecom.CallOption) (*AcquisitionLink, error) {
	if err := checkLinkID("get acquisition link", linkID); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	resp, err := wecom.Call[struct {
		Link           AcquisitionLink            `json:"link"`
		Range          AcquisitionRange           `json:"range"`
		PriorityOption *AcquisitionPriorityOption `json:"priority_option"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/get", Body: linkIDBody{linkID}, Idempotent: true}, withRaw(opts, &raw)...)
	if err != nil {
		return nil, err
	}
	l := resp.Link
	if l.LinkID == "" {
		l.LinkID = linkID // WeCom's answer leaves it out
	}
	l.Range, l.PriorityOption, l.Raw = resp.Range, resp.PriorityOption, raw
	return &l, nil
}

// ListAcquisitionLinkIDsRequest selects a page of list_link.
type ListAcquisitionLinkIDsRequest struct {
	// Limit is 1..100; 0 means WeCom's default (the iterator asks for 100).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListAcquisitionLinkIDs returns one page of the corp's link ids and the
// next cursor ("" after the last page).
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/list_link
func (s *Service) ListAcquisitionLinkIDs(ctx context.Context, req *ListAcquisitionLinkIDsRequest, opts ...wecom.CallOption) ([]string, string, error) {
	r := deref(req)
	if err := checkLimit("list acquisition link ids", r.Limit, MaxAcquisitionListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		LinkIDList []string `json:"link_id_list"`
		NextCursor string   `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/list_link", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.LinkIDList, resp.NextCursor, nil
}

// AllAcquisitionLinkIDs iterates over the ids of every link, req.Limit a
// page (0: 100, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/list_link
func (s *Service) AllAcquisitionLinkIDs(ctx context.Context, req *ListAcquisitionLinkIDsRequest, opts ...wecom.CallOption) iter.Seq2[string, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxAcquisitionListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]string, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListAcquisitionLinkIDs(ctx, &p, opts...)
	})
}

// UpdateAcquisitionLink changes a link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/update_link
func (s *Service) UpdateAcquisitionLink(ctx context.Context, req *UpdateAcquisitionLinkRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if err := checkLinkID("update acquisition link", r.LinkID); err != nil {
		return err
	}
	if err := checkAcquisitionFields("update acquisition link", r.LinkName, r.Range, r.PriorityOption, false); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/customer_acquisition/update_link",
		Body:       &r,
		Idempotent: true, // set semantics
	}, nil, opts...)
}

// DeleteAcquisitionLink deletes a link; its URL stops working.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/delete_link
func (s *Service) DeleteAcquisitionLink(ctx context.Context, linkID string, opts ...wecom.CallOption) error {
	if err := checkLinkID("delete acquisition link", linkID); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/delete_link", Body: linkIDBody{linkID}}, nil, opts...)
}

// ListAcquisitionCustomersRequest selects a page of the customers who
// came through a link.
type ListAcquisitionCustomersRequest struct {
	LinkID string `json:"link_id"` // required
	// Limit is 1..1000; 0 means WeCom's default (the iterator asks for
	// 1000).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListAcquisitionCustomers returns one page of the customers who came
// through a link and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/customer
func (s *Service) ListAcquisitionCustomers(ctx context.Context, req *ListAcquisitionCustomersRequest, opts ...wecom.CallOption) ([]AcquisitionCustomer, string, error) {
	r := deref(req)
	if err := checkLinkID("list acquisition customers", r.LinkID); err != nil {
		return nil, "", err
	}
	if err := checkLimit("list acquisition customers", r.Limit, MaxAcquisitionCustomerPage); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		CustomerList []AcquisitionCustomer `json:"customer_list"`
		NextCursor   string                `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/customer", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllAcquisitionCustomers iterates over every customer who came through a
// link, req.Limit a page (0: 1000, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/customer
func (s *Service) AllAcquisitionCustomers(ctx context.Context, req *ListAcquisitionCustomersRequest, opts ...wecom.CallOption) iter.Seq2[AcquisitionCustomer, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxAcquisitionCustomerPage
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]AcquisitionCustomer, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListAcquisitionCustomers(ctx, &p, opts...)
	})
}

// GetAcquisitionQuota returns the corp's remaining link usage. Public
// SDKs disagree on the method (most use GET, which this uses).
//
// WeCom: GET /cgi-bin/externalcontact/customer_acquisition_quota
func (s *Service) GetAcquisitionQuota(ctx context.Context, opts ...wecom.CallOption) (*AcquisitionQuota, error) {
	var raw json.RawMessage
	q, err := wecom.Call[AcquisitionQuota](ctx, s.c, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/externalcontact/customer_acquisition_quota", Idempotent: true}, withRaw(opts, &raw)...)
	if err != nil {
		return nil, err
	}
	q.Raw = raw
	return q, nil
}

// GetAcquisitionStatsRequest selects a link and whole days (Beijing time)
// from StartTime to EndTime (Unix seconds), at most 30 days apart and
// within the last 180 days.
type GetAcquisitionStatsRequest struct {
	LinkID    string `json:"link_id"`
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
}

// GetAcquisitionStats returns a link's clicks and new customers over the
// days req selects.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/statistic
func (s *Service) GetAcquisitionStats(ctx context.Context, req *GetAcquisitionStatsRequest, opts ...wecom.CallOption) (*AcquisitionStats, error) {
	const op = "get acquisition stats"
	r := deref(req)
	if err := checkLinkID(op, r.LinkID); err != nil {
		return nil, err
	}
	switch {
	case r.StartTime <= 0 || r.EndTime < r.StartTime:
		return nil, wecom.InvalidArgument("externalcontact: %s: time range %d..%d is empty or unset", op, r.StartTime, r.EndTime)
	case time.Duration(r.EndTime-r.StartTime)*time.Second > MaxAcquisitionStatSpan:
		return nil, wecom.InvalidArgument("externalcontact: %s: time range longer than 30 days", op)
	}
	var raw json.RawMessage
	st, err := wecom.Call[AcquisitionStats](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/statistic", Body: &r, Idempotent: true}, withRaw(opts, &raw)...)
	if err != nil {
		return nil, err
	}
	st.Raw = raw
	return st, nil
}

// AcquisitionChatInfo is what GetAcquisitionChatInfo answers: the member
// and customer of a chat that began through an acquisition link.
type AcquisitionChatInfo struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
	ChatInfo       struct {
		// RecvMsgCnt is how many messages the member received from the
		// customer.
		RecvMsgCnt int    `json:"recv_msg_cnt"`
		LinkID     string `json:"link_id"`
		State      string `json:"state"`
	} `json:"chat_info"`
}

// GetAcquisitionChatInfo returns the details of a member receiving
// messages from a customer through an acquisition link (获取成员多次收消息
// 详情). chatKey is the ChatKey of a customer_acquisition
// message_from_customer callback, valid 30 minutes after it; since
// 2024-12-19 that event no longer carries UserID and ExternalUserID, so
// this is the way to read them.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/get_chat_info
func (s *Service) GetAcquisitionChatInfo(ctx context.Context, chatKey string, opts ...wecom.CallOption) (*AcquisitionChatInfo, error) {
	if chatKey == "" {
		return nil, wecom.InvalidArgument("externalcontact: get acquisition chat info: chat_key is required")
	}
	return wecom.Call[AcquisitionChatInfo](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_acquisition/get_chat_info", Body: struct {
		ChatKey string `json:"chat_key"`
	}{chatKey}, Idempotent: true}, opts...)
}

// AcquisitionAppPermit is the range of members a third-party 营销获客
// (customer-acquisition) app may connect customers with. The element
// types of the lists are not confirmed (?): users are userids,
// departments and tags numeric ids.
type AcquisitionAppPermit struct {
	UserList       []string `json:"user_list"`
	DepartmentList []int    `json:"department_list"`
	TagList        []int    `json:"tag_list"`
	// Raw is the answer as WeCom sent it, for fields this SDK does not
	// know.
	Raw json.RawMessage `json:"-"`
}

// GetAcquisitionAppPermit returns the members, departments and tags a
// third-party customer-acquisition app may connect customers with.
//
// WeCom: GET /cgi-bin/externalcontact/customer_acquisition_app/get_permit
func (s *Service) GetAcquisitionAppPermit(ctx context.Context, opts ...wecom.CallOption) (*AcquisitionAppPermit, error) {
	var raw json.RawMessage
	p, err := wecom.Call[AcquisitionAppPermit](ctx, s.c, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/externalcontact/customer_acquisition_app/get_permit", Idempotent: true}, withRaw(opts, &raw)...)
	if err != nil {
		return nil, err
	}
	p.Raw = raw
	return p, nil
}
