package moments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/internal/wire"
	"github.com/wecomkit/wecom/message"
)

// Page sizes and limits of the moment read endpoints.
const (
	// MaxMomentListLimit is the largest page of get_moment_list (also its
	// default).
	MaxMomentListLimit = 20
	// MaxMomentListSpan is the longest time range of one get_moment_list
	// query. WeCom says "one month"; the SDK allows 31 days.
	MaxMomentListSpan = 31 * 24 * time.Hour
	// MaxMomentTaskLimit is the largest page of get_moment_task and
	// get_moment_customer_list.
	MaxMomentTaskLimit = 1000
	// MaxMomentSendResultLimit is the largest page of get_moment_send_result.
	MaxMomentSendResultLimit = 5000
)

// FilterType selects moments by who created them in ListMoments.
type FilterType int

// Filter types.
const (
	FilterTypeCorp     FilterType = 0 // published by the corp (add_moment_task or the admin console)
	FilterTypePersonal FilterType = 1 // created by members themselves
	FilterTypeAll      FilterType = 2 // both; WeCom's default
)

// String returns "corp", "personal", "all", or "FilterType(n)".
func (f FilterType) String() string {
	switch f {
	case FilterTypeCorp:
		return "corp"
	case FilterTypePersonal:
		return "personal"
	case FilterTypeAll:
		return "all"
	}
	return "FilterType(" + strconv.Itoa(int(f)) + ")"
}

// Ptr returns a pointer to f, for ListMomentsRequest.FilterType.
func (f FilterType) Ptr() *FilterType { return &f }

// CreateType says who created a moment.
type CreateType int

// Create types.
const (
	CreateTypeCorp     CreateType = 0
	CreateTypePersonal CreateType = 1
)

// String returns "corp", "personal", or "CreateType(n)".
func (c CreateType) String() string {
	switch c {
	case CreateTypeCorp:
		return "corp"
	case CreateTypePersonal:
		return "personal"
	}
	return "CreateType(" + strconv.Itoa(int(c)) + ")"
}

// VisibleType says who can see a moment.
type VisibleType int

// Visible types.
const (
	VisibleTypePartial VisibleType = 0 // some customers (a tag filter or a chosen list)
	VisibleTypePublic  VisibleType = 1 // all of the sender's customers
)

// String returns "partial", "public", or "VisibleType(n)".
func (v VisibleType) String() string {
	switch v {
	case VisibleTypePartial:
		return "partial"
	case VisibleTypePublic:
		return "public"
	}
	return "VisibleType(" + strconv.Itoa(int(v)) + ")"
}

// ListMomentsRequest selects moments by creation time (both ends
// required, at most MaxMomentListSpan apart), creator and type.
type ListMomentsRequest struct {
	StartTime int64 `json:"start_time"`
	EndTime   int64 `json:"end_time"`
	// Creator keeps the moments of one member.
	Creator string `json:"creator,omitempty"`
	// FilterType selects corp or personal moments; nil means all (WeCom's
	// default). Use FilterTypeCorp.Ptr().
	FilterType *FilterType `json:"filter_type,omitempty"`
	// Cursor is the page to fetch ("" for the first); the All* iterators
	// ignore it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..20; 0 means WeCom's default (20).
	Limit int `json:"limit,omitempty"`
}

func (r *ListMomentsRequest) validate() error {
	switch {
	case r.StartTime <= 0 || r.EndTime <= 0:
		return errors.New("moments: list moments: start time and end time are required")
	case r.EndTime < r.StartTime:
		return errors.New("moments: list moments: end time is before start time")
	case time.Duration(r.EndTime-r.StartTime)*time.Second > MaxMomentListSpan:
		return fmt.Errorf("moments: list moments: time range %s is longer than %s", time.Duration(r.EndTime-r.StartTime)*time.Second, MaxMomentListSpan)
	case r.Limit < 0 || r.Limit > MaxMomentListLimit:
		return fmt.Errorf("moments: list moments: limit %d is not in 0..%d", r.Limit, MaxMomentListLimit)
	case r.FilterType != nil && (*r.FilterType < FilterTypeCorp || *r.FilterType > FilterTypeAll):
		return fmt.Errorf("moments: list moments: unknown filter type %d", int(*r.FilterType))
	}
	return nil
}

// Moment is a customer moment. Only the content it carries is set: Text,
// and one of Image, Video or Link; Location when the sender added one.
type Moment struct {
	MomentID string `json:"moment_id"`
	// Creator is the member who created a personal moment.
	Creator string `json:"creator"`
	// CreateTime is Unix seconds (WeCom's samples send it as a string;
	// both forms are accepted).
	CreateTime  int64         `json:"create_time"`
	CreateType  CreateType    `json:"create_type"`
	VisibleType VisibleType   `json:"visible_type"`
	Text        *message.Text `json:"text,omitempty"`
	Image       []MomentImage `json:"image,omitempty"`
	Video       *MomentVideo  `json:"video,omitempty"`
	Link        *MomentLink   `json:"link,omitempty"`
	Location    *Location     `json:"location,omitempty"`
	raw         json.RawMessage
}

// Time returns CreateTime as a time.Time.
func (m *Moment) Time() time.Time { return time.Unix(m.CreateTime, 0) }

// Raw returns the moment's JSON as WeCom sent it, for fields the SDK does
// not model yet.
func (m *Moment) Raw() json.RawMessage { return m.raw }

// UnmarshalJSON accepts create_time as a number or a numeric string and
// keeps the raw JSON.
func (m *Moment) UnmarshalJSON(b []byte) error {
	type plain Moment
	aux := struct {
		*plain
		CreateTime flex.Int `json:"create_time"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.CreateTime = int64(aux.CreateTime)
	m.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MomentImage is one image of a moment.
type MomentImage struct {
	MediaID string `json:"media_id"`
}

// MomentVideo is a moment's video and its cover.
type MomentVideo struct {
	MediaID      string `json:"media_id"`
	ThumbMediaID string `json:"thumb_media_id"`
}

// MomentLink is a moment's link.
type MomentLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Location is where a moment was published. WeCom sends the coordinates
// as decimal strings; a bare number is accepted too.
type Location struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
	Name      string `json:"name"`
}

// UnmarshalJSON accepts the coordinates as strings or numbers.
func (l *Location) UnmarshalJSON(b []byte) error {
	var aux struct {
		Latitude  flex.String `json:"latitude"`
		Longitude flex.String `json:"longitude"`
		Name      string      `json:"name"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*l = Location{Latitude: string(aux.Latitude), Longitude: string(aux.Longitude), Name: aux.Name}
	return nil
}

// ListMoments returns one page of the moments created in a time range and
// the cursor of the next page ("" after the last). Moments sent by the
// corp and those members created themselves are both listed unless
// FilterType says otherwise.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_list
func (s *Service) ListMoments(ctx context.Context, in *ListMomentsRequest, opts ...wecom.CallOption) ([]Moment, string, error) {
	req := wire.Deref(in)
	if err := req.validate(); err != nil {
		return nil, "", err
	}
	var resp struct {
		NextCursor string   `json:"next_cursor"`
		MomentList []Moment `json:"moment_list"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_list",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.MomentList, resp.NextCursor, nil
}

// AllMoments iterates over every moment ListMoments selects, fetching
// pages of req.Limit as the loop goes; req.Cursor is ignored.
func (s *Service) AllMoments(ctx context.Context, in *ListMomentsRequest, opts ...wecom.CallOption) iter.Seq2[Moment, error] {
	req := wire.Deref(in)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]Moment, string, error) {
		req.Cursor = cursor
		return s.ListMoments(ctx, &req, opts...)
	})
}

// PublishStatus says whether a member has published their copy of a
// corp moment.
type PublishStatus int

// Publish statuses.
const (
	PublishStatusPending   PublishStatus = 0
	PublishStatusPublished PublishStatus = 1
)

// String returns "pending", "published", or "PublishStatus(n)".
func (p PublishStatus) String() string {
	switch p {
	case PublishStatusPending:
		return "pending"
	case PublishStatusPublished:
		return "published"
	}
	return "PublishStatus(" + strconv.Itoa(int(p)) + ")"
}

// MomentTask is one member asked to publish a corp moment.
type MomentTask struct {
	UserID        string        `json:"userid"`
	PublishStatus PublishStatus `json:"publish_status"`
}

// MomentTasksRequest pages through the members of a moment's task.
type MomentTasksRequest struct {
	MomentID string `json:"moment_id"`
	Cursor   string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default (500).
	Limit int `json:"limit,omitempty"`
}

// ListMomentTasks returns one page of the members asked to publish a
// moment, with whether each has, and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_task
func (s *Service) ListMomentTasks(ctx context.Context, in *MomentTasksRequest, opts ...wecom.CallOption) ([]MomentTask, string, error) {
	req := wire.Deref(in)
	if req.MomentID == "" {
		return nil, "", errors.New("moments: list moment tasks: empty moment id")
	}
	if err := checkLimit("list moment tasks", req.Limit, MaxMomentTaskLimit); err != nil {
		return nil, "", err
	}
	var resp struct {
		NextCursor string       `json:"next_cursor"`
		TaskList   []MomentTask `json:"task_list"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_task",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.TaskList, resp.NextCursor, nil
}

// AllMomentTasks iterates over every member of a moment's task, a page of
// req.Limit at a time; req.Cursor is ignored.
func (s *Service) AllMomentTasks(ctx context.Context, in *MomentTasksRequest, opts ...wecom.CallOption) iter.Seq2[MomentTask, error] {
	req := wire.Deref(in)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentTask, string, error) {
		req.Cursor = cursor
		return s.ListMomentTasks(ctx, &req, opts...)
	})
}

// MomentAudienceRequest names a moment and one of its senders, for the
// customer list and the send result.
type MomentAudienceRequest struct {
	MomentID string `json:"moment_id"`
	// UserID is the sender: a member of the task of a corp moment, or
	// the creator of a personal one.
	UserID string `json:"userid"`
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size: up to 1000 for ListMomentCustomers (default
	// 500), up to 5000 for ListMomentSendResults (default 3000); 0 means
	// the default.
	Limit int `json:"limit,omitempty"`
}

func (r *MomentAudienceRequest) validate(op string, max int) error {
	switch {
	case r.MomentID == "":
		return fmt.Errorf("moments: %s: empty moment id", op)
	case r.UserID == "":
		return fmt.Errorf("moments: %s: empty userid", op)
	}
	return checkLimit(op, r.Limit, max)
}

func checkLimit(op string, limit, max int) error {
	if limit < 0 || limit > max {
		return fmt.Errorf("moments: %s: limit %d is not in 0..%d", op, limit, max)
	}
	return nil
}

// MomentCustomer is a customer in a sender's visible range of a moment.
type MomentCustomer struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
}

// ListMomentCustomers returns one page of the customers a sender chose to
// show a moment to (the visible range when it was published) and the
// next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_customer_list
func (s *Service) ListMomentCustomers(ctx context.Context, in *MomentAudienceRequest, opts ...wecom.CallOption) ([]MomentCustomer, string, error) {
	req := wire.Deref(in)
	if err := req.validate("list moment customers", MaxMomentTaskLimit); err != nil {
		return nil, "", err
	}
	var resp struct {
		NextCursor   string           `json:"next_cursor"`
		CustomerList []MomentCustomer `json:"customer_list"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_customer_list",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllMomentCustomers iterates over every customer in a sender's visible
// range of a moment, a page of req.Limit at a time; req.Cursor is ignored.
func (s *Service) AllMomentCustomers(ctx context.Context, in *MomentAudienceRequest, opts ...wecom.CallOption) iter.Seq2[MomentCustomer, error] {
	req := wire.Deref(in)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentCustomer, string, error) {
		req.Cursor = cursor
		return s.ListMomentCustomers(ctx, &req, opts...)
	})
}

// MomentRecipient is a customer who can see a sender's published moment.
type MomentRecipient struct {
	ExternalUserID string `json:"external_userid"`
}

// ListMomentSendResults returns one page of the customers who can see a
// sender's moment now that it is published, and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_send_result
func (s *Service) ListMomentSendResults(ctx context.Context, in *MomentAudienceRequest, opts ...wecom.CallOption) ([]MomentRecipient, string, error) {
	req := wire.Deref(in)
	if err := req.validate("list moment send results", MaxMomentSendResultLimit); err != nil {
		return nil, "", err
	}
	var resp struct {
		NextCursor   string            `json:"next_cursor"`
		CustomerList []MomentRecipient `json:"customer_list"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_send_result",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllMomentSendResults iterates over every customer who can see a
// sender's published moment, a page of req.Limit at a time; req.Cursor is
// ignored.
func (s *Service) AllMomentSendResults(ctx context.Context, in *MomentAudienceRequest, opts ...wecom.CallOption) iter.Seq2[MomentRecipient, error] {
	req := wire.Deref(in)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentRecipient, string, error) {
		req.Cursor = cursor
		return s.ListMomentSendResults(ctx, &req, opts...)
	})
}

// MomentInteraction is a comment or a like on a sender's moment, by one
// of their customers (ExternalUserID) or by a colleague (UserID).
type MomentInteraction struct {
	ExternalUserID string `json:"external_userid,omitempty"`
	UserID         string `json:"userid,omitempty"`
	CreateTime     int64  `json:"create_time"`
}

// Time returns CreateTime as a time.Time.
func (i MomentInteraction) Time() time.Time { return time.Unix(i.CreateTime, 0) }

// UnmarshalJSON accepts create_time as a number or a numeric string.
func (i *MomentInteraction) UnmarshalJSON(b []byte) error {
	type plain MomentInteraction
	aux := struct {
		*plain
		CreateTime flex.Int `json:"create_time"`
	}{plain: (*plain)(i)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	i.CreateTime = int64(aux.CreateTime)
	return nil
}

// MomentComments are the comments and likes on a sender's moment.
type MomentComments struct {
	CommentList []MomentInteraction `json:"comment_list"`
	LikeList    []MomentInteraction `json:"like_list"`
}

// GetMomentComments returns the comments and likes on a sender's copy of
// a moment.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_comments
func (s *Service) GetMomentComments(ctx context.Context, momentID, userID string, opts ...wecom.CallOption) (*MomentComments, error) {
	switch {
	case momentID == "":
		return nil, errors.New("moments: get moment comments: empty moment id")
	case userID == "":
		return nil, errors.New("moments: get moment comments: empty userid")
	}
	var resp MomentComments
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_moment_comments",
		Body: struct {
			MomentID string `json:"moment_id"`
			UserID   string `json:"userid"`
		}{momentID, userID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp, nil
}
