package externalcontact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
)

// Limits of customer-acquisition links (获客助手), checked before any call.
const (
	MaxAcquisitionLinkNameLen  = 30   // characters of link_name
	MaxAcquisitionRangeUsers   = 500  // members of a link's range
	MaxAcquisitionListLimit    = 100  // page size of list_link
	MaxAcquisitionCustomerPage = 1000 // page size of customer
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

// AcquisitionLinkRequest creates a customer-acquisition link.
type AcquisitionLinkRequest struct {
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

// AcquisitionLinkUpdate changes a link: unset fields stay as they are, and
// Range, when set, replaces the range.
type AcquisitionLinkUpdate struct {
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

// CreatedAt returns CreateTime as a time.Time.
func (l AcquisitionLink) CreatedAt() time.Time { return unixOrZero(l.CreateTime) }

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

func checkAcquisitionFields(name string, rng *AcquisitionRange, prio *AcquisitionPriorityOption, create bool) error {
	if create && name == "" {
		return errors.New("externalcontact: acquisition link name is empty")
	}
	if n := utf8.RuneCountInString(name); n > MaxAcquisitionLinkNameLen {
		return fmt.Errorf("externalcontact: acquisition link name has %d characters, more than %d", n, MaxAcquisitionLinkNameLen)
	}
	if create && (rng == nil || len(rng.UserList)+len(rng.DepartmentList) == 0) {
		return errors.New("externalcontact: acquisition link range has no member or department")
	}
	if rng != nil && len(rng.UserList) > MaxAcquisitionRangeUsers {
		return fmt.Errorf("externalcontact: %d members in an acquisition link range, more than %d", len(rng.UserList), MaxAcquisitionRangeUsers)
	}
	if prio != nil {
		switch prio.PriorityType {
		case AcquisitionPriorityCorp:
		case AcquisitionPriorityListed:
			if len(prio.PriorityUserIDList) == 0 {
				return errors.New("externalcontact: priority type 2 needs priority_userid_list")
			}
		default:
			return fmt.Errorf("externalcontact: priority type %d is not 1 or 2", prio.PriorityType)
		}
	}
	return nil
}

// CreateAcquisitionLink creates a customer-acquisition link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/create_link
func (s *Service) CreateAcquisitionLink(ctx context.Context, req *AcquisitionLinkRequest, opts ...wecom.CallOption) (*AcquisitionLink, error) {
	if req == nil {
		return nil, errors.New("externalcontact: nil AcquisitionLinkRequest")
	}
	if err := checkAcquisitionFields(req.LinkName, &req.Range, req.PriorityOption, true); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/create_link",
		Body:   req,
	}, &raw, opts...)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Link AcquisitionLink `json:"link"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, decodeError(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/create_link", err)
	}
	resp.Link.Range = req.Range
	resp.Link.PriorityOption = req.PriorityOption
	resp.Link.Raw = raw
	return &resp.Link, nil
}

// GetAcquisitionLink returns a link with its range and priority option.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/get
func (s *Service) GetAcquisitionLink(ctx context.Context, linkID string, opts ...wecom.CallOption) (*AcquisitionLink, error) {
	if linkID == "" {
		return nil, errors.New("externalcontact: link_id is empty")
	}
	var raw json.RawMessage
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/get",
		Body: struct {
			LinkID string `json:"link_id"`
		}{linkID},
		Idempotent: true,
	}, &raw, opts...)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Link           AcquisitionLink            `json:"link"`
		Range          AcquisitionRange           `json:"range"`
		PriorityOption *AcquisitionPriorityOption `json:"priority_option"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, decodeError(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/get", err)
	}
	l := resp.Link
	if l.LinkID == "" {
		l.LinkID = linkID // WeCom's answer leaves it out
	}
	l.Range, l.PriorityOption, l.Raw = resp.Range, resp.PriorityOption, raw
	return &l, nil
}

// ListAcquisitionLinkIDs returns one page of the corp's link ids (limit
// 1..100, 0: WeCom's default) and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/list_link
func (s *Service) ListAcquisitionLinkIDs(ctx context.Context, cursor string, limit int, opts ...wecom.CallOption) ([]string, string, error) {
	if limit < 0 || limit > MaxAcquisitionListLimit {
		return nil, "", fmt.Errorf("externalcontact: limit %d is not in 0..%d", limit, MaxAcquisitionListLimit)
	}
	var resp struct {
		LinkIDList []string `json:"link_id_list"`
		NextCursor string   `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/list_link",
		Body: struct {
			Limit  int    `json:"limit,omitempty"`
			Cursor string `json:"cursor,omitempty"`
		}{limit, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.LinkIDList, resp.NextCursor, nil
}

// AllAcquisitionLinkIDs iterates over the ids of every link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/list_link
func (s *Service) AllAcquisitionLinkIDs(ctx context.Context, limit int, opts ...wecom.CallOption) iter.Seq2[string, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]string, string, error) {
		return s.ListAcquisitionLinkIDs(ctx, cursor, limit, opts...)
	})
}

// UpdateAcquisitionLink changes a link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/update_link
func (s *Service) UpdateAcquisitionLink(ctx context.Context, u *AcquisitionLinkUpdate, opts ...wecom.CallOption) error {
	if u == nil || u.LinkID == "" {
		return errors.New("externalcontact: acquisition link update without link_id")
	}
	if err := checkAcquisitionFields(u.LinkName, u.Range, u.PriorityOption, false); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/customer_acquisition/update_link",
		Body:       u,
		Idempotent: true, // set semantics
	}, nil, opts...)
}

// DeleteAcquisitionLink deletes a link; its URL stops working.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/delete_link
func (s *Service) DeleteAcquisitionLink(ctx context.Context, linkID string, opts ...wecom.CallOption) error {
	if linkID == "" {
		return errors.New("externalcontact: link_id is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/delete_link",
		Body: struct {
			LinkID string `json:"link_id"`
		}{linkID},
	}, nil, opts...)
}

// ListAcquisitionCustomers returns one page of the customers who came through
// a link (limit 1..1000, 0: WeCom's default) and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/customer
func (s *Service) ListAcquisitionCustomers(ctx context.Context, linkID, cursor string, limit int, opts ...wecom.CallOption) ([]AcquisitionCustomer, string, error) {
	if linkID == "" {
		return nil, "", errors.New("externalcontact: link_id is empty")
	}
	if limit < 0 || limit > MaxAcquisitionCustomerPage {
		return nil, "", fmt.Errorf("externalcontact: limit %d is not in 0..%d", limit, MaxAcquisitionCustomerPage)
	}
	var resp struct {
		CustomerList []AcquisitionCustomer `json:"customer_list"`
		NextCursor   string                `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/customer",
		Body: struct {
			LinkID string `json:"link_id"`
			Limit  int    `json:"limit,omitempty"`
			Cursor string `json:"cursor,omitempty"`
		}{linkID, limit, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllAcquisitionCustomers iterates over every customer who came through a
// link.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/customer
func (s *Service) AllAcquisitionCustomers(ctx context.Context, linkID string, limit int, opts ...wecom.CallOption) iter.Seq2[AcquisitionCustomer, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]AcquisitionCustomer, string, error) {
		return s.ListAcquisitionCustomers(ctx, linkID, cursor, limit, opts...)
	})
}

// GetAcquisitionQuota returns the corp's remaining link usage. Public
// SDKs disagree on the method (most use GET, which this uses).
//
// WeCom: GET /cgi-bin/externalcontact/customer_acquisition_quota
func (s *Service) GetAcquisitionQuota(ctx context.Context, opts ...wecom.CallOption) (*AcquisitionQuota, error) {
	var raw json.RawMessage
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/externalcontact/customer_acquisition_quota",
		Idempotent: true,
	}, &raw, opts...)
	if err != nil {
		return nil, err
	}
	var q AcquisitionQuota
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, decodeError(http.MethodGet, "/cgi-bin/externalcontact/customer_acquisition_quota", err)
	}
	q.Raw = raw
	return &q, nil
}

// AcquisitionStatistic returns a link's clicks and new customers over
// whole days (Beijing time) from start to end, at most 30 days apart and
// within the last 180 days.
//
// WeCom: POST /cgi-bin/externalcontact/customer_acquisition/statistic
func (s *Service) AcquisitionStatistic(ctx context.Context, linkID string, startTime, endTime int64, opts ...wecom.CallOption) (*AcquisitionStats, error) {
	switch {
	case linkID == "":
		return nil, errors.New("externalcontact: link_id is empty")
	case startTime <= 0 || endTime < startTime:
		return nil, fmt.Errorf("externalcontact: time range %d..%d is empty or unset", startTime, endTime)
	case time.Duration(endTime-startTime)*time.Second > MaxAcquisitionStatSpan:
		return nil, errors.New("externalcontact: acquisition statistic range longer than 30 days")
	}
	var raw json.RawMessage
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_acquisition/statistic",
		Body: struct {
			LinkID    string `json:"link_id"`
			StartTime int64  `json:"start_time"`
			EndTime   int64  `json:"end_time"`
		}{linkID, startTime, endTime},
		Idempotent: true,
	}, &raw, opts...)
	if err != nil {
		return nil, err
	}
	var st AcquisitionStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, decodeError(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/statistic", err)
	}
	st.Raw = raw
	return &st, nil
}

// decodeError reports a payload the pipeline accepted but this package
// could not decode, as the pipeline's own decode failures are reported.
func decodeError(method, path string, err error) error {
	return &wecom.Error{Method: method, Path: path, Message: "decode response", Err: err}
}
