package externalcontact

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/profile"
)

// ContactType says what kind of account a customer has.
type ContactType int

// Contact types.
const (
	ContactTypeWeChat ContactType = 1 // a WeChat user (微信用户)
	ContactTypeWeCom  ContactType = 2 // a WeCom user of another corp (企业微信用户)
)

// String returns "wechat", "wecom" or the number.
func (t ContactType) String() string {
	switch t {
	case ContactTypeWeChat:
		return "wechat"
	case ContactTypeWeCom:
		return "wecom"
	}
	return "ContactType(" + strconv.Itoa(int(t)) + ")"
}

// AddWay is how a member added a customer (add_way).
type AddWay int

// Add ways, as WeCom documents them.
const (
	AddWayUnknown          AddWay = 0   // 未知来源
	AddWayQRCode           AddWay = 1   // scanned a QR code (扫描二维码)
	AddWayMobileSearch     AddWay = 2   // searched a mobile number (搜索手机号)
	AddWayCardShare        AddWay = 3   // a shared business card (名片分享)
	AddWayGroupChat        AddWay = 4   // from a group chat (群聊)
	AddWayAddressBook      AddWay = 5   // the phone's address book (手机通讯录)
	AddWayWeChatContact    AddWay = 6   // WeChat contacts (微信联系人)
	AddWayThirdParty       AddWay = 8   // installed by a third-party app (安装第三方应用时自动添加的客服人员)
	AddWayEmailSearch      AddWay = 9   // searched an email address (搜索邮箱)
	AddWayWeChatChannels   AddWay = 10  // WeChat Channels (视频号添加)
	AddWayScheduleAttendee AddWay = 11  // a schedule's attendee (通过日程参与人添加)
	AddWayMeetingAttendee  AddWay = 12  // a meeting's attendee (通过会议参与人添加)
	AddWayWeChatFriend     AddWay = 13  // a WeChat friend (添加微信好友对应的企业微信)
	AddWaySmartHardware    AddWay = 14  // a smart-hardware dedicated service staff (智慧硬件专属客服)
	AddWayOnSiteService    AddWay = 15  // an on-site service staff (上门服务客服)
	AddWayAcquisitionLink  AddWay = 16  // a customer-acquisition link (获客链接)
	AddWayCustomDev        AddWay = 17  // custom development (定制开发) (probable: not on the current official page)
	AddWayDemandReply      AddWay = 18  // a demand reply (需求回复) (probable: not on the current official page)
	AddWayInternalShare    AddWay = 201 // shared by a colleague (内部成员共享)
	AddWayAdminAssign      AddWay = 202 // assigned by an admin or owner (管理员/负责人分配)
)

var addWayNames = map[AddWay]string{
	AddWayUnknown:          "unknown",
	AddWayQRCode:           "qr_code",
	AddWayMobileSearch:     "mobile_search",
	AddWayCardShare:        "card_share",
	AddWayGroupChat:        "group_chat",
	AddWayAddressBook:      "address_book",
	AddWayWeChatContact:    "wechat_contact",
	AddWayThirdParty:       "third_party",
	AddWayEmailSearch:      "email_search",
	AddWayWeChatChannels:   "wechat_channels",
	AddWayScheduleAttendee: "schedule_attendee",
	AddWayMeetingAttendee:  "meeting_attendee",
	AddWayWeChatFriend:     "wechat_friend",
	AddWaySmartHardware:    "smart_hardware",
	AddWayOnSiteService:    "on_site_service",
	AddWayAcquisitionLink:  "acquisition_link",
	AddWayCustomDev:        "custom_development",
	AddWayDemandReply:      "demand_reply",
	AddWayInternalShare:    "internal_share",
	AddWayAdminAssign:      "admin_assign",
}

// String returns a snake_case name such as "qr_code", or the number for
// values WeCom added after this SDK.
func (w AddWay) String() string {
	if s, ok := addWayNames[w]; ok {
		return s
	}
	return "AddWay(" + strconv.Itoa(int(w)) + ")"
}

// TagType says whose tag a customer carries.
type TagType int

// Tag types.
const (
	TagTypeCorp     TagType = 1 // a corp tag (企业标签)
	TagTypePersonal TagType = 2 // the member's personal tag (用户自定义标签)
	TagTypeStrategy TagType = 3 // a strategy tag (规则组标签)
)

// String returns "corp", "personal", "strategy" or the number.
func (t TagType) String() string {
	switch t {
	case TagTypeCorp:
		return "corp"
	case TagTypePersonal:
		return "personal"
	case TagTypeStrategy:
		return "strategy"
	}
	return "TagType(" + strconv.Itoa(int(t)) + ")"
}

// ExternalContact is a customer (外部联系人) as WeCom describes them.
type ExternalContact struct {
	ExternalUserID string `json:"external_userid"`
	Name           string `json:"name"`
	// Position, CorpName and CorpFullName are set for WeCom users
	// (Type ContactTypeWeCom).
	Position     string       `json:"position,omitempty"`
	Avatar       string       `json:"avatar,omitempty"`
	CorpName     string       `json:"corp_name,omitempty"`
	CorpFullName string       `json:"corp_full_name,omitempty"`
	Type         ContactType  `json:"type"`
	Gender       wecom.Gender `json:"gender"`
	// UnionID is the customer's WeChat unionid, set only when the corp has
	// bound a WeChat open platform account and the customer is a WeChat
	// user.
	UnionID string `json:"unionid,omitempty"`
	// ExternalProfile is the customer's public profile (WeCom users only).
	ExternalProfile *profile.External `json:"external_profile,omitempty"`
}

// FollowUser is a member's relation with a customer as GetCustomer
// returns it (follow_user), with the tags named.
type FollowUser struct {
	// UserID is the member who added the customer.
	UserID      string `json:"userid"`
	Remark      string `json:"remark"`
	Description string `json:"description"`
	// CreateTime is when the member added the customer (Unix seconds).
	CreateTime     int64    `json:"createtime"`
	RemarkCorpName string   `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string `json:"remark_mobiles,omitempty"`
	// OperUserID is who added the customer: the member, or for add ways
	// 201 and 202 the colleague or admin who shared or assigned them.
	OperUserID string `json:"oper_userid"`
	AddWay     AddWay `json:"add_way"`
	// WechatChannels is set for AddWayWeChatChannels.
	WechatChannels *profile.WechatChannels `json:"wechat_channels,omitempty"`
	// State is the state of the contact way the customer came through
	// (see ContactWay.State), for attributing customers to channels.
	State string      `json:"state,omitempty"`
	Tags  []FollowTag `json:"tags"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (f FollowUser) CreateAt() time.Time { return wecom.UnixTime(f.CreateTime) }

// FollowTag is a tag a member put on a customer.
type FollowTag struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	// TagID is empty for personal tags (TagTypePersonal).
	TagID string  `json:"tag_id,omitempty"`
	Type  TagType `json:"type"`
}

// FollowInfo is a member's relation with a customer as BatchGetCustomers
// returns it (follow_info): tags by id only.
type FollowInfo struct {
	// UserID is the member who added the customer.
	UserID      string `json:"userid"`
	Remark      string `json:"remark"`
	Description string `json:"description"`
	// CreateTime is when the member added the customer (Unix seconds).
	CreateTime     int64    `json:"createtime"`
	RemarkCorpName string   `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string `json:"remark_mobiles,omitempty"`
	// OperUserID is who added the customer: the member, or for add ways
	// 201 and 202 the colleague or admin who shared or assigned them.
	OperUserID string `json:"oper_userid"`
	AddWay     AddWay `json:"add_way"`
	// WechatChannels is set for AddWayWeChatChannels.
	WechatChannels *profile.WechatChannels `json:"wechat_channels,omitempty"`
	// State is the state of the contact way the customer came through
	// (see ContactWay.State), for attributing customers to channels.
	State string `json:"state,omitempty"`
	// TagIDs are the corp and strategy tags on the customer.
	TagIDs []string `json:"tag_id"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (f FollowInfo) CreateAt() time.Time { return wecom.UnixTime(f.CreateTime) }

// CustomerDetail is a customer with the members who follow them.
type CustomerDetail struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowUsers     []FollowUser    `json:"follow_user"`
}

// CustomerRelation is one (customer, member) pair of batch/get_by_user:
// a customer and the relation with one of the requested members. A
// customer followed by two requested members comes twice, once with each.
type CustomerRelation struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowInfo      FollowInfo      `json:"follow_info"`
}

// ListCustomers returns the external_userids of a member's customers.
// WeCom answers 84061 for a member with no customers.
//
// WeCom: GET /cgi-bin/externalcontact/list
func (s *Service) ListCustomers(ctx context.Context, userID string, opts ...wecom.CallOption) ([]string, error) {
	if userID == "" {
		return nil, wecom.InvalidArgument("externalcontact: list customers: userid is required")
	}
	resp, err := wecom.Call[struct {
		ExternalUserID []string `json:"external_userid"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/externalcontact/list", Query: url.Values{"userid": {userID}}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.ExternalUserID, nil
}

// GetCustomerRequest asks for a customer and one page of the members who
// follow them.
type GetCustomerRequest struct {
	ExternalUserID string
	Cursor         string
}

// GetCustomerPage returns a customer and one page of the members who
// follow them (WeCom pages follow_user at 500), with the cursor of the
// next page ("" when there is none); req.Cursor selects the page. Most
// callers want GetCustomer.
//
// WeCom: GET /cgi-bin/externalcontact/get
func (s *Service) GetCustomerPage(ctx context.Context, req *GetCustomerRequest, opts ...wecom.CallOption) (*CustomerDetail, string, error) {
	r := deref(req)
	if r.ExternalUserID == "" {
		return nil, "", wecom.InvalidArgument("externalcontact: get customer: external_userid is required")
	}
	q := url.Values{"external_userid": {r.ExternalUserID}}
	if r.Cursor != "" {
		q.Set("cursor", r.Cursor)
	}
	resp, err := wecom.Call[struct {
		CustomerDetail
		NextCursor string `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/externalcontact/get", Query: q, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return &resp.CustomerDetail, resp.NextCursor, nil
}

// GetCustomer returns a customer and every member who follows them,
// fetching all pages of follow_user (500 a page).
//
// WeCom: GET /cgi-bin/externalcontact/get
func (s *Service) GetCustomer(ctx context.Context, externalUserID string, opts ...wecom.CallOption) (*CustomerDetail, error) {
	// The first page is the answer; later pages (rare: more than 500
	// followers) are appended to its follow users, not copied one by one.
	var out *CustomerDetail
	pages := wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([][]FollowUser, string, error) {
		d, next, err := s.GetCustomerPage(ctx, &GetCustomerRequest{ExternalUserID: externalUserID, Cursor: cursor}, opts...)
		if err != nil {
			return nil, "", err
		}
		if out == nil {
			out = d
			return nil, next, nil
		}
		return [][]FollowUser{d.FollowUsers}, next, nil
	})
	for page, err := range pages {
		if err != nil {
			if out != nil {
				return nil, fmt.Errorf("externalcontact: get customer %s, page after %d follow users: %w", externalUserID, len(out.FollowUsers), err)
			}
			return nil, err
		}
		out.FollowUsers = append(out.FollowUsers, page...)
	}
	return out, nil
}

// MaxBatchUsers is the most userids batch/get_by_user takes in one call,
// and MaxBatchLimit its largest page size.
const (
	MaxBatchUsers = 100
	MaxBatchLimit = 100
)

// BatchGetCustomersRequest asks for the customers of members: one page of
// up to 100 members for BatchGetCustomers, any number of members for
// AllCustomersOf.
type BatchGetCustomersRequest struct {
	UserIDs []string `json:"userid_list"`
	Cursor  string   `json:"cursor,omitempty"`
	// Limit is the page size, at most 100; 0 means WeCom's default of 50
	// (the iterator asks for 100). WeCom clamps a larger value to 100
	// rather than refusing it, so a larger one is sent as given.
	Limit int `json:"limit,omitempty"`
}

// BatchGetCustomers returns one page of the relations of up to 100
// members with their customers, with the cursor of the next page ("" after
// the last). AllCustomersOf walks every page for any number of members;
// ExportCustomers does it concurrently.
//
// WeCom: POST /cgi-bin/externalcontact/batch/get_by_user
func (s *Service) BatchGetCustomers(ctx context.Context, req *BatchGetCustomersRequest, opts ...wecom.CallOption) ([]CustomerRelation, string, error) {
	const op = "batch get customers"
	r := deref(req)
	switch {
	case len(r.UserIDs) == 0:
		return nil, "", wecom.InvalidArgument("externalcontact: %s: userid_list is required", op)
	case len(r.UserIDs) > MaxBatchUsers:
		return nil, "", wecom.InvalidArgument("externalcontact: %s: %d userids, at most %d per call", op, len(r.UserIDs), MaxBatchUsers)
	}
	if r.Limit < 0 {
		return nil, "", wecom.InvalidArgument("externalcontact: %s: limit %d is negative", op, r.Limit)
	}
	resp, err := wecom.Call[struct {
		ExternalContactList []CustomerRelation `json:"external_contact_list"`
		NextCursor          string             `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/batch/get_by_user", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.ExternalContactList, resp.NextCursor, nil
}

// AllCustomersOf iterates over every relation of req.UserIDs (any number)
// with their customers: one CustomerRelation per (customer, member) pair.
// It asks for 100 members at a time, req.Limit a page (0: 100, the
// maximum), from the first page (req.Cursor is ignored), one page in
// memory, stops at the first error (yielding it) and stops fetching when
// the loop breaks. Duplicate userids are asked for once.
//
// For thousands of members, ExportCustomers fetches concurrently.
//
// WeCom: POST /cgi-bin/externalcontact/batch/get_by_user
func (s *Service) AllCustomersOf(ctx context.Context, req *BatchGetCustomersRequest, opts ...wecom.CallOption) iter.Seq2[CustomerRelation, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxBatchLimit
	}
	chunks := chunkUserIDs(r.UserIDs, MaxBatchUsers)
	return func(yield func(CustomerRelation, error) bool) {
		for _, chunk := range chunks {
			pages := wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]CustomerRelation, string, error) {
				return s.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: chunk, Cursor: cursor, Limit: r.Limit}, opts...)
			})
			for rel, err := range pages {
				if !yield(rel, err) || err != nil {
					return
				}
			}
		}
	}
}

// uniqueUserIDs drops empty and duplicate ids, keeping the order.
func uniqueUserIDs(userIDs []string) []string {
	seen := make(map[string]struct{}, len(userIDs))
	uniq := make([]string, 0, len(userIDs))
	for _, id := range userIDs {
		if id == "" {
			continue
		}
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		uniq = append(uniq, id)
	}
	return uniq
}

// chunkUserIDs drops empty and duplicate ids and cuts the rest into
// chunks of at most size.
func chunkUserIDs(userIDs []string, size int) [][]string {
	uniq := uniqueUserIDs(userIDs)
	var out [][]string
	for len(uniq) > 0 {
		n := min(size, len(uniq))
		out = append(out, uniq[:n:n])
		uniq = uniq[n:]
	}
	return out
}

// RemarkRequest changes what a member noted about a customer. Empty
// fields are left as they are.
type RemarkRequest struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
	// Remark is at most 20 characters.
	Remark string `json:"remark,omitempty"`
	// Description is at most 150 characters.
	Description   string `json:"description,omitempty"`
	RemarkCompany string `json:"remark_company,omitempty"`
	// RemarkMobiles replaces the remark mobiles (at most 5); []string{""}
	// clears them, as WeCom documents.
	RemarkMobiles []string `json:"remark_mobiles,omitempty"`
	// RemarkPicMediaID is an uploaded image for the remark card.
	RemarkPicMediaID string `json:"remark_pic_mediaid,omitempty"`
}

// Remark changes a member's remark, description, company, mobiles or
// card picture of a customer. Repeating it has no further effect.
//
// WeCom: POST /cgi-bin/externalcontact/remark
func (s *Service) Remark(ctx context.Context, req *RemarkRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.UserID == "" || r.ExternalUserID == "" {
		return wecom.InvalidArgument("externalcontact: remark: userid and external_userid are required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/remark", Body: &r, Idempotent: true}, nil, opts...)
}
