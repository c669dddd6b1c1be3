package moments

import (
	"context"
	"encoding/json"
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
	// default, and the page AllMoments uses when Limit is 0).
	MaxMomentListLimit = 20
	// MaxMomentListSpan is the longest time range of one get_moment_list
	// query. WeCom says "one month"; the SDK allows 31 days.
	MaxMomentListSpan = 31 * 24 * time.Hour
	// MaxMomentTaskLimit is the largest page of get_moment_task and
	// get_moment_customer_list, and the page their iterators use when
	// Limit is 0.
	MaxMomentTaskLimit = 1000
	// MaxMomentSendResultLimit is the largest page of get_moment_send_result,
	// and the page AllMomentSendResults uses when Limit is 0.
	MaxMomentSendResultLimit = 5000
)

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
// required, at most MaxMomentListSpan apart), creator and type, for
// ListMoments and AllMoments.
type ListMomentsRequest struct {
	StartTime int64 `json:"start_time"`
	EndTime   int64 `json:"end_time"`
	// Creator keeps the moments of one member.
	Creator string `json:"creator,omitempty"`
	// FilterType selects corp or personal moments; nil means all (WeCom's
	// default). Use message.FilterCorp.Ptr().
	FilterType *message.FilterType `json:"filter_type,omitempty"`
	// Cursor is the page to fetch ("" for the first); AllMoments ignores
	// it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..20; 0 means 20 (WeCom's default and the
	// maximum).
	Limit int `json:"limit,omitempty"`
}

func (r *ListMomentsRequest) validate() error {
	const op = "moments: list moments"
	switch {
	case r.StartTime <= 0 || r.EndTime <= 0:
		return wecom.InvalidArgument("%s: start time and end time are required", op)
	case r.EndTime < r.StartTime:
		return wecom.InvalidArgument("%s: end time is before start time", op)
	case time.Duration(r.EndTime-r.StartTime)*time.Second > MaxMomentListSpan:
		return wecom.InvalidArgument("%s: time range %s is longer than %s", op, time.Duration(r.EndTime-r.StartTime)*time.Second, MaxMomentListSpan)
	case r.FilterType != nil && (*r.FilterType < message.FilterCorp || *r.FilterType > message.FilterAll):
		return wecom.InvalidArgument("%s: unknown filter type %d", op, int(*r.FilterType))
	}
	return checkLimit("list moments", r.Limit, MaxMomentListLimit)
}

// Moment is a customer moment. Only the content it carries is set: Text,
// and one of Image, Video or Link; Location when the sender added one.
type Moment struct {
	MomentID string `json:"moment_id"`
	// Creator is the member who created a personal moment.
	Creator string `json:"creator"`
	// CreateTime is Unix seconds (WeCom's samples send it as a string;
	// both forms are accepted).
	CreateTime  int64              `json:"create_time"`
	CreateType  message.CreateType `json:"create_type"`
	VisibleType VisibleType        `json:"visible_type"`
	Text        *message.Text      `json:"text,omitempty"`
	Image       []MomentImage      `json:"image,omitempty"`
	Video       *MomentVideo       `json:"video,omitempty"`
	Link        *MomentLink        `json:"link,omitempty"`
	Location    *Location          `json:"location,omitempty"`
	raw         json.RawMessage
}

// CreateAt returns CreateTime as a time.Time (the zero time when unset).
func (m *Moment) CreateAt() time.Time { return wecom.UnixTime(m.CreateTime) }

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
// the cursor of the next page ("" after the last) (WeCom: 获取企业全部的发表
// 列表). Moments sent by the corp and those members created themselves are
// both listed unless FilterType says otherwise.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_list
func (s *Service) ListMoments(ctx context.Context, req *ListMomentsRequest, opts ...wecom.CallOption) ([]Moment, string, error) {
	r := wire.Deref(req)
	if err := r.validate(); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		NextCursor string   `json:"next_cursor"`
		MomentList []Moment `json:"moment_list"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_list",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.MomentList, resp.NextCursor, nil
}

// AllMoments iterates over every moment ListMoments selects, with pages of
// req.Limit (0: MaxMomentListLimit); req.Cursor is ignored and req is not
// changed.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_list
func (s *Service) AllMoments(ctx context.Context, req *ListMomentsRequest, opts ...wecom.CallOption) iter.Seq2[Moment, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxMomentListLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]Moment, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMoments(ctx, &r, opts...)
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

// ListMomentTasksRequest pages through the members of a moment's task,
// for ListMomentTasks and AllMomentTasks.
type ListMomentTasksRequest struct {
	// MomentID is the moment, required.
	MomentID string `json:"moment_id"`
	// Cursor is the page to fetch ("" for the first); AllMomentTasks
	// ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default (500) for
	// ListMomentTasks and MaxMomentTaskLimit for AllMomentTasks.
	Limit int `json:"limit,omitempty"`
}

// ListMomentTasks returns one page of the members asked to publish a
// moment, with whether each has, and the next cursor (WeCom: 获取客户朋友圈
// 企业发表的列表).
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_task
func (s *Service) ListMomentTasks(ctx context.Context, req *ListMomentTasksRequest, opts ...wecom.CallOption) ([]MomentTask, string, error) {
	r := wire.Deref(req)
	if r.MomentID == "" {
		return nil, "", wecom.InvalidArgument("moments: list moment tasks: moment id is empty")
	}
	if err := checkLimit("list moment tasks", r.Limit, MaxMomentTaskLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		NextCursor string       `json:"next_cursor"`
		TaskList   []MomentTask `json:"task_list"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_task",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.TaskList, resp.NextCursor, nil
}

// AllMomentTasks iterates over every member of a moment's task, with pages
// of req.Limit (0: MaxMomentTaskLimit); req.Cursor is ignored and req is
// not changed.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_task
func (s *Service) AllMomentTasks(ctx context.Context, req *ListMomentTasksRequest, opts ...wecom.CallOption) iter.Seq2[MomentTask, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxMomentTaskLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentTask, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMomentTasks(ctx, &r, opts...)
	})
}

// ListMomentCustomersRequest names a moment and one of its senders, for
// ListMomentCustomers and AllMomentCustomers.
type ListMomentCustomersRequest struct {
	// MomentID is the moment, required.
	MomentID string `json:"moment_id"`
	// UserID is the sender, required: a member of the task of a corp
	// moment, or the creator of a personal one.
	UserID string `json:"userid"`
	// Cursor is the page to fetch ("" for the first); AllMomentCustomers
	// ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default (500) for
	// ListMomentCustomers and MaxMomentTaskLimit for AllMomentCustomers.
	Limit int `json:"limit,omitempty"`
}

// ListMomentSendResultsRequest names a moment and one of its senders, for
// ListMomentSendResults and AllMomentSendResults.
type ListMomentSendResultsRequest struct {
	// MomentID is the moment, required.
	MomentID string `json:"moment_id"`
	// UserID is the sender, required.
	UserID string `json:"userid"`
	// Cursor is the page to fetch ("" for the first); AllMomentSendResults
	// ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..5000; 0 means WeCom's default (3000) for
	// ListMomentSendResults and MaxMomentSendResultLimit for
	// AllMomentSendResults.
	Limit int `json:"limit,omitempty"`
}

func checkAudience(op, momentID, userID string, limit, max int) error {
	switch {
	case momentID == "":
		return wecom.InvalidArgument("moments: %s: moment id is empty", op)
	case userID == "":
		return wecom.InvalidArgument("moments: %s: userid is empty", op)
	}
	return checkLimit(op, limit, max)
}

func checkLimit(op string, limit, max int) error {
	if limit < 0 || limit > max {
		return wecom.InvalidArgument("moments: %s: limit %d is not in 0..%d", op, limit, max)
	}
	return nil
}

// orMax is an iterator's page size: the request's, or the endpoint's
// maximum when it leaves Limit 0.
func orMax(limit, max int) int {
	if limit == 0 {
		return max
	}
	return limit
}

// MomentCustomer is a customer in a sender's visible range of a moment.
type MomentCustomer struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
}

// ListMomentCustomers returns one page of the customers a sender chose to
// show a moment to (the visible range when it was published) and the
// next cursor (WeCom: 获取客户朋友圈发表时选择的可见范围).
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_customer_list
func (s *Service) ListMomentCustomers(ctx context.Context, req *ListMomentCustomersRequest, opts ...wecom.CallOption) ([]MomentCustomer, string, error) {
	r := wire.Deref(req)
	if err := checkAudience("list moment customers", r.MomentID, r.UserID, r.Limit, MaxMomentTaskLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		NextCursor   string           `json:"next_cursor"`
		CustomerList []MomentCustomer `json:"customer_list"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_customer_list",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllMomentCustomers iterates over every customer in a sender's visible
// range of a moment, with pages of req.Limit (0: MaxMomentTaskLimit);
// req.Cursor is ignored and req is not changed.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_customer_list
func (s *Service) AllMomentCustomers(ctx context.Context, req *ListMomentCustomersRequest, opts ...wecom.CallOption) iter.Seq2[MomentCustomer, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxMomentTaskLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentCustomer, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMomentCustomers(ctx, &r, opts...)
	})
}

// MomentRecipient is a customer who can see a sender's published moment.
type MomentRecipient struct {
	ExternalUserID string `json:"external_userid"`
}

// ListMomentSendResults returns one page of the customers who can see a
// sender's moment now that it is published, and the next cursor (WeCom:
// 获取客户朋友圈发表后的可见客户列表).
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_send_result
func (s *Service) ListMomentSendResults(ctx context.Context, req *ListMomentSendResultsRequest, opts ...wecom.CallOption) ([]MomentRecipient, string, error) {
	r := wire.Deref(req)
	if err := checkAudience("list moment send results", r.MomentID, r.UserID, r.Limit, MaxMomentSendResultLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		NextCursor   string            `json:"next_cursor"`
		CustomerList []MomentRecipient `json:"customer_list"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_send_result",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.CustomerList, resp.NextCursor, nil
}

// AllMomentSendResults iterates over every customer who can see a
// sender's published moment, with pages of req.Limit (0:
// MaxMomentSendResultLimit); req.Cursor is ignored and req is not changed.
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_send_result
func (s *Service) AllMomentSendResults(ctx context.Context, req *ListMomentSendResultsRequest, opts ...wecom.CallOption) iter.Seq2[MomentRecipient, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxMomentSendResultLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]MomentRecipient, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMomentSendResults(ctx, &r, opts...)
	})
}

// MomentInteraction is a comment or a like on a sender's moment, by one
// of their customers (ExternalUserID) or by a colleague (UserID).
type MomentInteraction struct {
	ExternalUserID string `json:"external_userid,omitempty"`
	UserID         string `json:"userid,omitempty"`
	CreateTime     int64  `json:"create_time"`
}

// CreateAt returns CreateTime as a time.Time (the zero time when unset).
func (i MomentInteraction) CreateAt() time.Time { return wecom.UnixTime(i.CreateTime) }

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

// GetMomentCommentsRequest names a moment and one of its senders.
type GetMomentCommentsRequest struct {
	// MomentID is the moment, required.
	MomentID string `json:"moment_id"`
	// UserID is the sender, required.
	UserID string `json:"userid"`
}

// GetMomentComments returns the comments and likes on a sender's copy of
// a moment (WeCom: 获取客户朋友圈的互动数据).
//
// WeCom: POST /cgi-bin/externalcontact/get_moment_comments
func (s *Service) GetMomentComments(ctx context.Context, req *GetMomentCommentsRequest, opts ...wecom.CallOption) (*MomentComments, error) {
	r := wire.Deref(req)
	switch {
	case r.MomentID == "":
		return nil, wecom.InvalidArgument("moments: get moment comments: moment id is empty")
	case r.UserID == "":
		return nil, wecom.InvalidArgument("moments: get moment comments: userid is empty")
	}
	return wecom.Call[MomentComments](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_moment_comments",
		Body:       &r,
		Idempotent: true,
	}, opts...)
}
