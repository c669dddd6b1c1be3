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

// FilterType selects mass messages by who created them.
type FilterType int

// Creator filters of get_groupmsg_list_v2.
const (
	FilterTypeCorp     FilterType = 0 // created by the corp (admin console or API)
	FilterTypePersonal FilterType = 1 // created by members
	FilterTypeAll      FilterType = 2 // both (WeCom's default)
)

// String returns the filter in words.
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

// Ptr returns a pointer to f, for GroupMsgListRequest.FilterType.
func (f FilterType) Ptr() *FilterType { return &f }

// CreateType says who created a mass message.
type CreateType int

// Creators of a mass message.
const (
	CreateTypeCorp     CreateType = 0
	CreateTypePersonal CreateType = 1
)

// String returns the creator type in words.
func (c CreateType) String() string {
	switch c {
	case CreateTypeCorp:
		return "corp"
	case CreateTypePersonal:
		return "personal"
	}
	return "CreateType(" + strconv.Itoa(int(c)) + ")"
}

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
	GroupMsgNotSent       GroupMsgSendStatus = 0 // not sent yet
	GroupMsgSent          GroupMsgSendStatus = 1 // sent
	GroupMsgNotFriend     GroupMsgSendStatus = 2 // not sent: the customer is no longer a contact
	GroupMsgReceivedToday GroupMsgSendStatus = 3 // not sent: the customer already received a mass message today
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
	case GroupMsgReceivedToday:
		return "already received one today"
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

// MsgTemplateRequest is a mass message (群发) for members to send to their
// customers or customer groups. Text, attachments or both must be set.
type MsgTemplateRequest struct {
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

func checkMsgContent(text *message.Text, atts []message.Attachment) error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return errors.New("externalcontact: message has neither text nor attachments")
	}
	if len(atts) > MaxMsgAttachments {
		return fmt.Errorf("externalcontact: %d attachments, more than %d", len(atts), MaxMsgAttachments)
	}
	for i, a := range atts {
		if !a.Valid() {
			return fmt.Errorf("externalcontact: attachment %d (msgtype %q) does not carry exactly its msgtype's field", i, a.MsgType)
		}
	}
	return nil
}

// AddMsgTemplate creates a mass message; each member concerned then
// confirms sending it in the WeCom app. A customer receives at most one
// corp mass message a day, so the SDK never sends this call twice: it is
// repeated only when WeCom certainly did not receive it (frequency limit,
// connection refused), and an ambiguous failure (timeout, dropped
// connection, system busy) returns an error with wecom.IsMaybeApplied —
// look for the message with AllGroupMsgs before creating it again.
//
// WeCom: POST /cgi-bin/externalcontact/add_msg_template
func (s *Service) AddMsgTemplate(ctx context.Context, req *MsgTemplateRequest, opts ...wecom.CallOption) (*MsgTemplateResult, error) {
	if req == nil {
		return nil, errors.New("externalcontact: nil MsgTemplateRequest")
	}
	switch req.ChatType {
	case "", ChatTypeSingle:
	case ChatTypeGroup:
		if req.Sender == "" {
			return nil, errors.New("externalcontact: a mass message to groups needs a sender")
		}
	default:
		return nil, fmt.Errorf("externalcontact: unknown chat type %q", req.ChatType)
	}
	if n := len(req.ExternalUserIDs); n > MaxMsgTemplateCustomers {
		return nil, fmt.Errorf("externalcontact: %d external_userid, more than %d", n, MaxMsgTemplateCustomers)
	}
	if err := checkMsgContent(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	var resp MsgTemplateResult
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_msg_template",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp, nil
}

// GroupMsgListRequest selects mass messages by time, type and creator.
type GroupMsgListRequest struct {
	ChatType  ChatType `json:"chat_type"`  // required
	StartTime int64    `json:"start_time"` // Unix seconds, required
	EndTime   int64    `json:"end_time"`   // at most a month after StartTime
	Creator   string   `json:"creator,omitempty"`
	// FilterType selects by creator type; nil means all (WeCom's default).
	FilterType *FilterType `json:"filter_type,omitempty"`
	Limit      int         `json:"limit,omitempty"` // 1..100
	Cursor     string      `json:"cursor,omitempty"`
}

// GroupMsg is a mass message as get_groupmsg_list_v2 lists it.
type GroupMsg struct {
	MsgID       string               `json:"msgid"`
	Creator     string               `json:"creator"`
	CreateTime  int64                `json:"-"` // Unix seconds
	CreateType  CreateType           `json:"create_type"`
	Text        *message.Text        `json:"text,omitempty"`
	Attachments []message.Attachment `json:"attachments,omitempty"`
	// Raw is the entry as WeCom sent it, for fields the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// CreatedAt returns CreateTime as a time.Time.
func (m GroupMsg) CreatedAt() time.Time { return unixOrZero(m.CreateTime) }

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

func checkGroupMsgList(req *GroupMsgListRequest) error {
	switch {
	case req == nil:
		return errors.New("externalcontact: nil GroupMsgListRequest")
	case req.ChatType != ChatTypeSingle && req.ChatType != ChatTypeGroup:
		return fmt.Errorf("externalcontact: chat type %q is not single or group", req.ChatType)
	case req.StartTime <= 0 || req.EndTime < req.StartTime:
		return fmt.Errorf("externalcontact: time range %d..%d is empty or unset", req.StartTime, req.EndTime)
	case time.Duration(req.EndTime-req.StartTime)*time.Second > MaxGroupMsgListSpan:
		return errors.New("externalcontact: time range longer than a month")
	case req.Limit < 0 || req.Limit > MaxGroupMsgListLimit:
		return fmt.Errorf("externalcontact: limit %d is not in 0..%d", req.Limit, MaxGroupMsgListLimit)
	}
	return nil
}

// ListGroupMsgs returns one page of mass messages and the cursor of the next
// page ("" after the last); req.Cursor selects the page.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_list_v2
func (s *Service) ListGroupMsgs(ctx context.Context, req *GroupMsgListRequest, opts ...wecom.CallOption) ([]GroupMsg, string, error) {
	if err := checkGroupMsgList(req); err != nil {
		return nil, "", err
	}
	var resp struct {
		GroupMsgList []GroupMsg `json:"group_msg_list"`
		NextCursor   string     `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_groupmsg_list_v2",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.GroupMsgList, resp.NextCursor, nil
}

// AllGroupMsgs iterates over every mass message req selects, from its
// first page (req.Cursor is ignored).
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_list_v2
func (s *Service) AllGroupMsgs(ctx context.Context, req *GroupMsgListRequest, opts ...wecom.CallOption) iter.Seq2[GroupMsg, error] {
	if err := checkGroupMsgList(req); err != nil {
		return failedSeq[GroupMsg](err)
	}
	base := *req
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsg, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListGroupMsgs(ctx, &r, opts...)
	})
}

// failedSeq yields err once.
func failedSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// GroupMsgTask is one member's part of a mass message.
type GroupMsgTask struct {
	UserID   string             `json:"userid"`
	Status   GroupMsgTaskStatus `json:"status"`
	SendTime int64              `json:"send_time"` // Unix seconds; 0 until sent
}

// GroupMsgSendResult is the fate of a mass message for one customer (or
// one group, with ChatID set).
type GroupMsgSendResult struct {
	ExternalUserID string             `json:"external_userid,omitempty"`
	ChatID         string             `json:"chat_id,omitempty"`
	UserID         string             `json:"userid"`
	Status         GroupMsgSendStatus `json:"status"`
	SendTime       int64              `json:"send_time"`
}

func checkMsgPage(msgID string, limit int) error {
	if msgID == "" {
		return errors.New("externalcontact: msgid is empty")
	}
	if limit < 0 || limit > MaxGroupMsgTaskLimit {
		return fmt.Errorf("externalcontact: limit %d is not in 0..%d", limit, MaxGroupMsgTaskLimit)
	}
	return nil
}

// ListGroupMsgTasks returns one page of the members' tasks of a mass message
// (limit 1..1000, 0: WeCom's default) and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_task
func (s *Service) ListGroupMsgTasks(ctx context.Context, msgID, cursor string, limit int, opts ...wecom.CallOption) ([]GroupMsgTask, string, error) {
	if err := checkMsgPage(msgID, limit); err != nil {
		return nil, "", err
	}
	var resp struct {
		TaskList   []GroupMsgTask `json:"task_list"`
		NextCursor string         `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_groupmsg_task",
		Body: struct {
			MsgID  string `json:"msgid"`
			Limit  int    `json:"limit,omitempty"`
			Cursor string `json:"cursor,omitempty"`
		}{msgID, limit, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.TaskList, resp.NextCursor, nil
}

// AllGroupMsgTasks iterates over every member task of a mass message.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_task
func (s *Service) AllGroupMsgTasks(ctx context.Context, msgID string, limit int, opts ...wecom.CallOption) iter.Seq2[GroupMsgTask, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsgTask, string, error) {
		return s.ListGroupMsgTasks(ctx, msgID, cursor, limit, opts...)
	})
}

// ListGroupMsgSendResults returns one page of what a member's sending of a
// mass message did per customer or group, and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_send_result
func (s *Service) ListGroupMsgSendResults(ctx context.Context, msgID, userID, cursor string, limit int, opts ...wecom.CallOption) ([]GroupMsgSendResult, string, error) {
	if err := checkMsgPage(msgID, limit); err != nil {
		return nil, "", err
	}
	if userID == "" {
		return nil, "", errors.New("externalcontact: userid is empty")
	}
	var resp struct {
		SendList   []GroupMsgSendResult `json:"send_list"`
		NextCursor string               `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_groupmsg_send_result",
		Body: struct {
			MsgID  string `json:"msgid"`
			UserID string `json:"userid"`
			Limit  int    `json:"limit,omitempty"`
			Cursor string `json:"cursor,omitempty"`
		}{msgID, userID, limit, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.SendList, resp.NextCursor, nil
}

// AllGroupMsgSendResults iterates over every send result of a member for
// a mass message.
//
// WeCom: POST /cgi-bin/externalcontact/get_groupmsg_send_result
func (s *Service) AllGroupMsgSendResults(ctx context.Context, msgID, userID string, limit int, opts ...wecom.CallOption) iter.Seq2[GroupMsgSendResult, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]GroupMsgSendResult, string, error) {
		return s.ListGroupMsgSendResults(ctx, msgID, userID, cursor, limit, opts...)
	})
}

// RemindGroupMsgSend reminds the members who have not sent a mass message
// yet. WeCom allows a few reminders per message a day; not repeated on an
// ambiguous failure, so members are not reminded twice.
//
// WeCom: POST /cgi-bin/externalcontact/remind_groupmsg_send
func (s *Service) RemindGroupMsgSend(ctx context.Context, msgID string, opts ...wecom.CallOption) error {
	return s.groupMsgAction(ctx, "/cgi-bin/externalcontact/remind_groupmsg_send", msgID, opts)
}

// CancelGroupMsgSend stops a mass message: members who have not sent it
// can no longer send it.
//
// WeCom: POST /cgi-bin/externalcontact/cancel_groupmsg_send
func (s *Service) CancelGroupMsgSend(ctx context.Context, msgID string, opts ...wecom.CallOption) error {
	return s.groupMsgAction(ctx, "/cgi-bin/externalcontact/cancel_groupmsg_send", msgID, opts)
}

func (s *Service) groupMsgAction(ctx context.Context, path, msgID string, opts []wecom.CallOption) error {
	if msgID == "" {
		return errors.New("externalcontact: msgid is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   path,
		Body: struct {
			MsgID string `json:"msgid"`
		}{msgID},
	}, nil, opts...)
}
