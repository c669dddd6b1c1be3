package groupchat

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
)

// StatusFilter selects groups by the state of their owner's resignation
// transfer in ListGroupChats.
type StatusFilter int

// Status filters.
const (
	StatusFilterAll          StatusFilter = 0 // every group (no filter)
	StatusFilterResigned     StatusFilter = 1 // owner resigned, awaiting transfer (离职待继承)
	StatusFilterTransferring StatusFilter = 2 // resigned transfer in progress (离职继承中)
	StatusFilterTransferred  StatusFilter = 3 // resigned transfer completed (离职继承完成)
)

// String returns the filter's name.
func (f StatusFilter) String() string {
	switch f {
	case StatusFilterAll:
		return "all"
	case StatusFilterResigned:
		return "resigned"
	case StatusFilterTransferring:
		return "transferring"
	case StatusFilterTransferred:
		return "transferred"
	}
	return "StatusFilter(" + strconv.Itoa(int(f)) + ")"
}

// Status is a group's owner state as ListGroupChats reports it.
type Status int

// Group statuses.
const (
	StatusNormal       Status = 0 // the owner is a current member (跟进人正常)
	StatusResigned     Status = 1 // the owner resigned; awaiting transfer (跟进人离职)
	StatusTransferring Status = 2 // resigned transfer in progress (离职继承中)
	StatusTransferred  Status = 3 // resigned transfer completed (离职继承完成)
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case StatusNormal:
		return "normal"
	case StatusResigned:
		return "resigned"
	case StatusTransferring:
		return "transferring"
	case StatusTransferred:
		return "transferred"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// MemberType says whether a group member is a corp member or a customer.
type MemberType int

// Member types.
const (
	MemberTypeUser     MemberType = 1 // a corp member (企业成员)
	MemberTypeCustomer MemberType = 2 // an external contact (外部联系人)
)

// String returns the type's name.
func (t MemberType) String() string {
	switch t {
	case MemberTypeUser:
		return "user"
	case MemberTypeCustomer:
		return "customer"
	}
	return "MemberType(" + strconv.Itoa(int(t)) + ")"
}

// JoinScene says how a member joined a group.
type JoinScene int

// Join scenes.
const (
	JoinSceneInvited JoinScene = 1 // invited directly by a group member
	JoinSceneLink    JoinScene = 2 // through an invitation link
	JoinSceneQRCode  JoinScene = 3 // by scanning the group QR code
)

// String returns the scene's name.
func (s JoinScene) String() string {
	switch s {
	case JoinSceneInvited:
		return "invited"
	case JoinSceneLink:
		return "link"
	case JoinSceneQRCode:
		return "qrcode"
	}
	return "JoinScene(" + strconv.Itoa(int(s)) + ")"
}

// MaxListLimit is the largest page ListGroupChats accepts, and the page
// size AllGroupChats uses when the request leaves Limit 0.
const MaxListLimit = 1000

// OwnerFilter restricts a call to groups owned by the listed members.
type OwnerFilter struct {
	UserIDList []string `json:"userid_list"`
}

// ListGroupChatsRequest selects the groups ListGroupChats and
// AllGroupChats return.
type ListGroupChatsRequest struct {
	// StatusFilter selects by owner state; the zero value lists every group.
	StatusFilter StatusFilter `json:"status_filter,omitempty"`
	// OwnerFilter restricts the list to groups these members own (at most
	// 100 userids); nil lists the groups of every member in the app's
	// visible range.
	OwnerFilter *OwnerFilter `json:"owner_filter,omitempty"`
	// Cursor is the page to fetch: "" for the first, then the cursor the
	// previous page returned. AllGroupChats ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means 1000.
	Limit int `json:"limit"`
}

// ListedChat is one entry of ListGroupChats: a group and its owner state.
type ListedChat struct {
	ChatID string `json:"chat_id"`
	Status Status `json:"status"`
}

func (r ListGroupChatsRequest) normalized(op string) (ListGroupChatsRequest, error) {
	switch {
	case r.Limit == 0:
		r.Limit = MaxListLimit
	case r.Limit < 0 || r.Limit > MaxListLimit:
		return r, wecom.InvalidArgument("groupchat: %s: limit %d is not in 1..%d", op, r.Limit, MaxListLimit)
	}
	if r.StatusFilter < StatusFilterAll || r.StatusFilter > StatusFilterTransferred {
		return r, wecom.InvalidArgument("groupchat: %s: unknown status filter %d", op, int(r.StatusFilter))
	}
	if r.OwnerFilter != nil && len(r.OwnerFilter.UserIDList) > 100 {
		return r, wecom.InvalidArgument("groupchat: %s: owner filter has %d userids, at most 100", op, len(r.OwnerFilter.UserIDList))
	}
	return r, nil
}

// ListGroupChats returns one page of customer groups and the cursor of
// the next page ("" after the last). The groups are those of the members
// in the app's visible range, filtered by req (WeCom: 获取客户群列表).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/list
func (s *Service) ListGroupChats(ctx context.Context, req *ListGroupChatsRequest, opts ...wecom.CallOption) ([]ListedChat, string, error) {
	body, err := wire.Deref(req).normalized("list group chats")
	if err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		GroupChatList []ListedChat `json:"group_chat_list"`
		NextCursor    string       `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/list",
		Body:       body,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.GroupChatList, resp.NextCursor, nil
}

// AllGroupChats iterates over every group ListGroupChats would return,
// page by page, with pages of req.Limit (0: MaxListLimit); req.Cursor is
// ignored and req is not changed. It yields the first error and stops,
// and stops fetching when the loop breaks.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/list
func (s *Service) AllGroupChats(ctx context.Context, req *ListGroupChatsRequest, opts ...wecom.CallOption) iter.Seq2[ListedChat, error] {
	base := wire.Deref(req)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]ListedChat, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListGroupChats(ctx, &r, opts...)
	})
}

// GroupChat is a customer group with its members.
type GroupChat struct {
	ChatID     string    `json:"chat_id"`
	Name       string    `json:"name"`
	Owner      string    `json:"owner"` // the owner's userid
	CreateTime int64     `json:"create_time"`
	Notice     string    `json:"notice"`
	Members    []Member  `json:"member_list"`
	Admins     []UserRef `json:"admin_list"`
	// MemberVersion changes whenever the member list changes; compare it
	// with the one of a change_external_chat event to skip a refetch.
	MemberVersion string `json:"member_version"`
}

// CreateAt returns CreateTime as a time.Time (the zero time when unset).
func (g *GroupChat) CreateAt() time.Time { return wecom.UnixTime(g.CreateTime) }

// UserRef names a corp member.
type UserRef struct {
	UserID string `json:"userid"`
}

// Member is a member of a customer group: a corp member or a customer.
type Member struct {
	// UserID is the member's userid, or a customer's external_userid.
	UserID string     `json:"userid"`
	Type   MemberType `json:"type"`
	// UnionID is a WeChat customer's unionid, when the app is bound to a
	// WeChat open platform account.
	UnionID   string    `json:"unionid,omitempty"`
	JoinTime  int64     `json:"join_time"`
	JoinScene JoinScene `json:"join_scene"`
	// Invitor is who invited the member; nil when they joined by themselves.
	Invitor *UserRef `json:"invitor,omitempty"`
	// GroupNickname is the member's nickname in this group.
	GroupNickname string `json:"group_nickname"`
	// Name is the member's name; set only when GetGroupChat was asked for
	// names.
	Name string `json:"name"`
}

// JoinAt returns JoinTime as a time.Time (the zero time when unset).
func (m *Member) JoinAt() time.Time { return wecom.UnixTime(m.JoinTime) }

// GetGroupChatRequest names the group GetGroupChat reads.
type GetGroupChatRequest struct {
	// ChatID is the group, required.
	ChatID string
	// NeedName fills in each member's Name.
	NeedName bool
}

// GetGroupChat returns a customer group with its members and admins
// (WeCom: 获取客户群详情).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/get
func (s *Service) GetGroupChat(ctx context.Context, req *GetGroupChatRequest, opts ...wecom.CallOption) (*GroupChat, error) {
	r := wire.Deref(req)
	if r.ChatID == "" {
		return nil, wecom.InvalidArgument("groupchat: get group chat: chat id is empty")
	}
	body := struct {
		ChatID   string `json:"chat_id"`
		NeedName int    `json:"need_name"`
	}{ChatID: r.ChatID}
	if r.NeedName {
		body.NeedName = 1
	}
	resp, err := wecom.Call[struct {
		GroupChat GroupChat `json:"group_chat"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/get",
		Body:       body,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.GroupChat, nil
}

// OpenGIDToChatID returns the chat id of a customer group from the opengid
// a mini program got for it (wx.getGroupEnterInfo). Only groups the app can
// see are converted.
//
// WeCom: POST /cgi-bin/externalcontact/opengid_to_chatid
func (s *Service) OpenGIDToChatID(ctx context.Context, openGID string, opts ...wecom.CallOption) (string, error) {
	if openGID == "" {
		return "", wecom.InvalidArgument("groupchat: opengid to chat id: opengid is empty")
	}
	resp, err := wecom.Call[struct {
		ChatID string `json:"chat_id"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/opengid_to_chatid",
		Body: struct {
			OpenGID string `json:"opengid"`
		}{openGID},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return "", err
	}
	return resp.ChatID, nil
}
