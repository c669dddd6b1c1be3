package externalcontact

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/message"
)

// Limits of mass messages, checked before any call.
const (
	// MaxMsgAttachments is the most attachments of a mass or welcome message.
	MaxMsgAttachments = 9
	// MaxMsgTemplateCustomers is the most external_userid of one mass message.
	MaxMsgTemplateCustomers = 10000
	// MaxGroupMsgListLimit is the largest page of get_groupmsg_list_v2.
	MaxGroupMsgListLimit = 100
	// MaxGroupMsgTaskLimit is the largest page of get_groupmsg_task and
	// get_groupmsg_send_result.
	MaxGroupMsgTaskLimit = 1000
	// MaxGroupMsgListSpan is the longest time range get_groupmsg_list_v2
	// accepts (one month).
	MaxGroupMsgListSpan = 31 * 24 * time.Hour
)

// ChatType says whether a mass message goes to customers one by one or to
// customer groups.
type ChatType string

// Chat types.
const (
	ChatTypeSingle ChatType = "single" // to customers (the default)
	ChatTypeGroup  ChatType = "group"  // to customer groups
)

// String returns the chat type as WeCom spells it.
func (c ChatType) String() string { return string(c) }

// GroupMsgTaskStatus is whether a member has sent their part of a mass
// message.
type GroupMsgTaskStatus int

// Member task states.
const (
	GroupMsgTaskPending GroupMsgTaskStatus = 0 // not sent yet
	GroupMsgTaskSent    GroupMsgTaskStatus = 2 // sent
)

// String returns the status in words.
func (s GroupMsgTaskStatus) String() string {
	switch s {
	case GroupMsgTaskPending:
		return "pending"
	case GroupMsgTaskSent:
		return "sent"
	}
	return "GroupMsgTaskStatus(" + strconv.Itoa(int(s)) + ")"
}

// GroupMsgSendStatus is the fate of a mass message for one customer or
// group.
type GroupMsgSendStatus int

// Per-recipient send states.
const (
	GroupMsgNotSent   GroupMsgSendStatus = 0 // not sent yet
	GroupMsgSent      GroupMsgSendStatus = 1 // sent
	GroupMsgNotFriend GroupMsgSendStatus = 2 // not sent: the customer is no longer a contact
	// GroupMsgQuotaReached: not sent, the customer (or group) already
	// received its quota of corp mass messages. The quota is per customer
	// per month, as many as the month has days, unless the admin changed
	// it to 7 a week or 1 a day.
	GroupMsgQuotaReached GroupMsgSendStatus = 3
)

// String returns the status in words.
func (s GroupMsgSendStatus) String() string {
	switch s {
	case GroupMsgNotSent:
		return "not sent"
	case GroupMsgSent:
		return "sent"
	case GroupMsgNotFriend:
		return "not a contact"
	case GroupMsgQuotaReached:
		return "quota reached"
	}
	return "GroupMsgSendStatus(" + strconv.Itoa(int(s)) + ")"
}

// MsgTemplateTagFilter selects customers by corp tags: a customer matches
// when, for every group of the list, they carry at least one of its tags.
type MsgTemplateTagFilter struct {
	GroupList []MsgTemplateTagGroup `json:"group_list"`
}

// MsgTemplateTagGroup is one group of MsgTemplateTagFilter.
type MsgTemplateTagGroup struct {
	TagList []string `json:"tag_list"`
}

// AddMsgTemplateRequest is a mass message (群发) for members to send to their
// customers or customer groups. Text, attachments or both must be set.
type AddMsgTemplateRequest struct {
	ChatType ChatType `json:"chat_type,omitempty"` // empty: single
	// ExternalUserIDs are the customers (at most 10,000); empty means all
	// customers of Sender (or of every member), narrowed by TagFilter.
	ExternalUserIDs []string              `json:"external_userid,omitempty"`
	ChatIDs         []string              `json:"chat_id_list,omitempty"` // groups, for ChatTypeGroup
	TagFilter       *MsgTemplateTagFilter `json:"tag_filter,omitempty"`
	// Sender is the member who sends; required for ChatTypeGroup.
	Sender string `json:"sender,omitempty"`
	// AllowSelect lets the sender pick the recipients again.
	AllowSelect bool                 `json:"allow_select,omitempty"`
	Text        *message.Text        `json:"text,omitempty"`
	Attachments []message.Attachment `json:"attachments,omitempty"` // at most 9
}

// MsgTemplateResult is what add_msg_template returns.
type MsgTemplateResult struct {
	// MsgID identifies the mass message in the other group-message calls.
	MsgID string `json:"msgid"`
	// FailList holds the customers it cannot reach (not a contact of any
	// allowed member, or unknown).
	FailList []string `json:"fail_list"`
}

func checkMsgContent(op string, text *message.Text, atts []message.Attachment) error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return wecom.InvalidArgument("externalcontact: %s: the message has neither text nor attachments", op)
	}
	if len(atts) > MaxMsgAttachments {
		return wecom.InvalidArgument("externalcontact: %s: %d attachments, at most %d", op, len(atts), MaxMsgAttachments)
	}
	for i, a := range atts {
		if !a.Valid() {
			return wecom.InvalidArgument("externalcontact: %s: attachment %d (msgtype %q) does not carry exactly its msgtype's field", op, i, a.MsgType)
		}
	}
	return nil
}

// AddMsgTemplate creates a mass message; each member concerned then
// confirms sending it in the WeCom app. A customer (and a customer group)
// receives at most as many corp mass messages a month as the month has
// days (the admin can change it to 7 a week or 1 a day; beyond it the
// send result is GroupMsgQuotaReached), and when several members have the
// customer the task goes only to the one who last chatted with them. So
// the SDK never sends this call twice: it is
// repeated only when WeCom certainly did not receive it (frequency limit,
// connection refused), and an ambiguous failure (timeout, dropped
// connection, system busy) returns an error with wecom.IsMaybeApplied —
// look for the message with AllGroupMsgs before creating it again.
//
// WeCom: POST /cgi-bin/externalcontact/add_msg_template
func (s *Service) AddMsgTemplate(ctx context.Context, req *AddMsgTemplateRequest, opts ...wecom.CallOption) (*MsgTemplateResult, error) {
	const op = "add msg template"
	r := deref(req)
	switch r.ChatType {
	case "", ChatTypeSingle:
	case ChatTypeGroup:
		if r.Sender == "" {
			return nil, wecom.InvalidArgument("externalcontact: %s: a mass message to groups needs a sender", op)
		}
	default:
		return nil, wecom.InvalidArgument("externalcontact: %s: unknown chat type %q", op, r.ChatType)
	}
	if n := len(r.ExternalUserIDs); n > MaxMsgTemplateCustomers {
		return nil, wecom.InvalidArgument("externalcontact: %s: %d external_userid, at most %d", op, n, MaxMsgTemplateCustomers)
	}
	if err := checkMsgContent(op, r.Text, r.Attachments); err != nil {
		return nil, err
	}
	return wecom.Call[MsgTemplateResult](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_msg_template", Body: &r}, opts...)
}

// ListGroupMsgsRequest selects mass messages by time, type and creator,
// and the page.
type ListGroupMsgsRequest struct {
	ChatType  ChatType `json:"chat_type"`  // required
	StartTime int64    `json:"start_time"` // Unix seconds, required
	EndTime   int64    `json:"end_time"`   // at most a month after StartTime
	Creator   string   `json:"creator,omitempty"`
	// FilterType selects by creator type; nil means all (WeCom's default).
	FilterType *message.FilterType `json:"filter_type,omitempty"`
	// Limit is 1..100; 0 means WeCom's default (the iterator asks for 100).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// GroupMsg is a mass message as get_groupmsg_list_v2 lists it.
type GroupMsg struct {
	MsgID       string               `json:"msgid"`
	Creator     string               `json:"creator"`
	CreateTime  int64                `json:"-"` // Unix seconds
	CreateType  message.CreateType   `json:"create_type"`
	Text        *message.Text        `json:"text,omitempty"`
	Attachments []message.Attachment `json:"attachments,omitempty"`
	// Raw is the entry as WeCom sent it, for fields the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (m GroupMsg) CreateAt() time.Time { return wecom.UnixTime(m.CreateTime) }

// UnmarshalJSON accepts create_time as a number or a numeric string (WeCom
// has sent both) and keeps the raw entry.
func (m *GroupMsg) UnmarshalJSON(b []byte) error {
	type plain GroupMsg
	var v struct {
		plain
		CreateTime json.RawMessage `json:"create_time"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = GroupMsg(v.plain)
	t, err := flex.ParseInt(v.CreateTime)
	if err != nil {
		return fmt.Errorf("create_time: %w", err)
	}
	m.CreateTime = t
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func checkGroupMsgList(r *ListGroupMsgsRequest) error {
	const op = "list group msgs"
	switch {
	case r.ChatType != ChatTypeSingle && r.ChatType != ChatTypeGroup:
		return wecom.InvalidArgument("externalcontact: %s: chat type %q is not single or group", op, r.ChatType)
	case r.StartTime <= 0 || r.EndTime < r.StartTime:
		return wecom.InvalidArgument("externalcontact: %s: time range %d..%d is empty or unset", op, r.StartTime, r.EndTime)
	case time.Duration(r.EndTime-r.StartTime)*time.Second > MaxGroupMsgListSpan:
		return wecom.InvalidArgument("externalcontact: %s: time range longer than a month", op)
	}
	return checkLimit(op, r.Limit, MaxGroupMsgListLimit)
}

// ListGroupMsgs returns one page of mass messages and the cursor of the next
// page ("" after the last); req.Cursor selects the page.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_list_v2
func (s *Service) ListGroupMsgs(ctx context.Context, req *ListGroupMsgsRequest, opts ...wecom.CallOption) ([]GroupMsg, string, error) {
	r := deref(req)
	if err := checkGroupMsgList(&r); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		GroupMsgList []GroupMsg `json:"group_msg_list"`
		NextCursor   string     `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_groupmsg_list_v2", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.GroupMsgList, resp.NextCursor, nil
}

// AllGroupMsgs iterates over every mass message req selects, req.Limit a
// page (0: 100, the maximum), from the first page (req.Cursor is ignored).
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_list_v2
func (s *Service) AllGroupMsgs(ctx context.Context, req *ListGroupMsgsRequest, opts ...wecom.CallOption) iter.Seq2[GroupMsg, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxGroupMsgListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsg, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListGroupMsgs(ctx, &p, opts...)
	})
}

// GroupMsgTask is one member's part of a mass message.
type GroupMsgTask struct {
	UserID   string             `json:"userid"`
	Status   GroupMsgTaskStatus `json:"status"`
	SendTime int64              `json:"send_time"` // Unix seconds; 0 until sent
}

// SendAt returns SendTime as a time.Time (zero until sent).
func (t GroupMsgTask) SendAt() time.Time { return wecom.UnixTime(t.SendTime) }

// GroupMsgSendResult is the fate of a mass message for one customer (or
// one group, with ChatID set).
type GroupMsgSendResult struct {
	ExternalUserID string             `json:"external_userid,omitempty"`
	ChatID         string             `json:"chat_id,omitempty"`
	UserID         string             `json:"userid"`
	Status         GroupMsgSendStatus `json:"status"`
	SendTime       int64              `json:"send_time"`
}

// SendAt returns SendTime as a time.Time (zero until sent).
func (r GroupMsgSendResult) SendAt() time.Time { return wecom.UnixTime(r.SendTime) }

func checkMsgID(op, msgID string) error {
	if msgID == "" {
		return wecom.InvalidArgument("externalcontact: %s: msgid is required", op)
	}
	return nil
}

// ListGroupMsgTasksRequest selects a page of the member tasks of a mass
// message.
type ListGroupMsgTasksRequest struct {
	MsgID string `json:"msgid"` // required
	// Limit is 1..1000; 0 means WeCom's default (the iterator asks for
	// 1000).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListGroupMsgTasks returns one page of the members' tasks of a mass
// message and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_task
func (s *Service) ListGroupMsgTasks(ctx context.Context, req *ListGroupMsgTasksRequest, opts ...wecom.CallOption) ([]GroupMsgTask, string, error) {
	const op = "list group msg tasks"
	r := deref(req)
	if err := checkMsgID(op, r.MsgID); err != nil {
		return nil, "", err
	}
	if err := checkLimit(op, r.Limit, MaxGroupMsgTaskLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		TaskList   []GroupMsgTask `json:"task_list"`
		NextCursor string         `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_groupmsg_task", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.TaskList, resp.NextCursor, nil
}

// AllGroupMsgTasks iterates over every member task of a mass message,
// req.Limit a page (0: 1000, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_task
func (s *Service) AllGroupMsgTasks(ctx context.Context, req *ListGroupMsgTasksRequest, opts ...wecom.CallOption) iter.Seq2[GroupMsgTask, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxGroupMsgTaskLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsgTask, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListGroupMsgTasks(ctx, &p, opts...)
	})
}

// ListGroupMsgSendResultsRequest selects a page of what one member's
// sending of a mass message did.
type ListGroupMsgSendResultsRequest struct {
	MsgID  string `json:"msgid"`  // required
	UserID string `json:"userid"` // required
	// Limit is 1..1000; 0 means WeCom's default (the iterator asks for
	// 1000).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListGroupMsgSendResults returns one page of what a member's sending of a
// mass message did per customer or group, and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_send_result
func (s *Service) ListGroupMsgSendResults(ctx context.Context, req *ListGroupMsgSendResultsRequest, opts ...wecom.CallOption) ([]GroupMsgSendResult, string, error) {
	const op = "list group msg send results"
	r := deref(req)
	if err := checkMsgID(op, r.MsgID); err != nil {
		return nil, "", err
	}
	if r.UserID == "" {
		return nil, "", wecom.InvalidArgument("externalcontact: %s: userid is required", op)
	}
	if err := checkLimit(op, r.Limit, MaxGroupMsgTaskLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		SendList   []GroupMsgSendResult `json:"send_list"`
		NextCursor string               `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_groupmsg_send_result", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.SendList, resp.NextCursor, nil
}

// AllGroupMsgSendResults iterates over every send result of a member for
// a mass message, req.Limit a page (0: 1000, the maximum), from the first
// page.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_send_result
func (s *Service) AllGroupMsgSendResults(ctx context.Context, req *ListGroupMsgSendResultsRequest, opts ...wecom.CallOption) iter.Seq2[GroupMsgSendResult, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxGroupMsgTaskLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsgSendResult, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListGroupMsgSendResults(ctx, &p, opts...)
	})
}

// RemindGroupMsgSend reminds the members who have not sent a mass message
// yet. WeCom allows a few reminders per message a day; not repeated on an
// ambiguous failure, so members are not reminded twice.
//
// WeCom: POST /cgi-bin/externalcontact/remind_groupmsg_send
func (s *Service) RemindGroupMsgSend(ctx context.Context, msgID string, opts ...wecom.CallOption) error {
	if err := checkMsgID("remind group msg send", msgID); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/remind_groupmsg_send", Body: msgIDBody{msgID}}, nil, opts...)
}

// CancelGroupMsgSend stops a mass message: members who have not sent it
// can no longer send it.
//
// WeCom: POST /cgi-bin/externalcontact/cancel_groupmsg_send
func (s *Service) CancelGroupMsgSend(ctx context.Context, msgID string, opts ...wecom.CallOption) error {
	if err := checkMsgID("cancel group msg send", msgID); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/cancel_groupmsg_send", Body: msgIDBody{msgID}}, nil, opts...)
}

type msgIDBody struct {
	MsgID string `json:"msgid"`
}
