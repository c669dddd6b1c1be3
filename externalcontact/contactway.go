package externalcontact

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
)

// ContactWayType says whether a contact way leads to one member or to
// one of several.
type ContactWayType int

// Contact way types.
const (
	ContactWaySingle ContactWayType = 1 // one member (单人)
	ContactWayMulti  ContactWayType = 2 // several members (多人)
)

// String returns "single", "multi" or the number.
func (t ContactWayType) String() string {
	switch t {
	case ContactWaySingle:
		return "single"
	case ContactWayMulti:
		return "multi"
	}
	return "ContactWayType(" + strconv.Itoa(int(t)) + ")"
}

// ContactWayScene says where a contact way is shown.
type ContactWayScene int

// Contact way scenes.
const (
	ContactWaySceneMiniProgram ContactWayScene = 1 // a button in a mini program (小程序中联系)
	ContactWaySceneQRCode      ContactWayScene = 2 // a QR code (通过二维码联系)
)

// String returns "miniprogram", "qr_code" or the number.
func (s ContactWayScene) String() string {
	switch s {
	case ContactWaySceneMiniProgram:
		return "miniprogram"
	case ContactWaySceneQRCode:
		return "qr_code"
	}
	return "ContactWayScene(" + strconv.Itoa(int(s)) + ")"
}

// MaxStateLength is the longest state WeCom accepts, in characters.
const MaxStateLength = 30

// MaxContactWayListLimit is the largest page of list_contact_way.
const MaxContactWayListLimit = 1000

func checkState(op, state string) error {
	if n := utf8.RuneCountInString(state); n > MaxStateLength {
		return wecom.InvalidArgument("externalcontact: %s: state has %d characters, at most %d", op, n, MaxStateLength)
	}
	return nil
}

// Bool returns a pointer to v, for the optional boolean fields of
// requests (AddContactWayRequest.SkipVerify and the like), where nil
// means "not sent: WeCom's default".
func Bool(v bool) *bool { return &v }

type configIDBody struct {
	ConfigID string `json:"config_id"`
}

// ContactWayConclusions is the message a customer gets when a temporary
// chat (IsTemp) ends: a text and at most one of image, link and mini
// program.
type ContactWayConclusions struct {
	Text        *message.Text        `json:"text,omitempty"`
	Image       *message.Image       `json:"image,omitempty"`
	Link        *message.Link        `json:"link,omitempty"`
	MiniProgram *message.MiniProgram `json:"miniprogram,omitempty"`
}

// ContactWay is a 「联系我」 configuration: a QR code or mini program
// button through which customers add members.
type ContactWay struct {
	ConfigID string          `json:"config_id"`
	Type     ContactWayType  `json:"type"`
	Scene    ContactWayScene `json:"scene"`
	// Style is the mini program button style (1..3).
	Style  int    `json:"style,omitempty"`
	Remark string `json:"remark,omitempty"`
	// SkipVerify lets customers add the member without the member's
	// confirmation.
	SkipVerify bool `json:"skip_verify"`
	// State comes back in the add_external_contact callback and in the
	// follow relation's state, to tell channels apart (≤30 characters).
	State string `json:"state,omitempty"`
	// QRCode is the QR code's picture URL (scene 2).
	QRCode string   `json:"qr_code,omitempty"`
	User   []string `json:"user,omitempty"`
	Party  []int    `json:"party,omitempty"`
	// IsTemp marks a temporary chat (临时会话) contact way.
	IsTemp bool `json:"is_temp,omitempty"`
	// ExpiresIn is how long a temporary QR code is valid, in seconds.
	ExpiresIn int `json:"expires_in,omitempty"`
	// ChatExpiresIn is how long a temporary chat lasts, in seconds.
	ChatExpiresIn int `json:"chat_expires_in,omitempty"`
	// UnionID limits a temporary chat to one WeChat user.
	UnionID string `json:"unionid,omitempty"`
	// IsExclusive makes a customer added through it reach the same member
	// again (同一外部企业客户只能添加同一个员工).
	IsExclusive bool                   `json:"is_exclusive,omitempty"`
	Conclusions *ContactWayConclusions `json:"conclusions,omitempty"`
}

// AddContactWayRequest creates a contact way. See ContactWay for the
// fields.
type AddContactWayRequest struct {
	Type   ContactWayType  `json:"type"`
	Scene  ContactWayScene `json:"scene"`
	Style  int             `json:"style,omitempty"`
	Remark string          `json:"remark,omitempty"`
	// SkipVerify is sent only when set. WeCom's default for an absent
	// skip_verify is true (customers add the member without confirmation);
	// set it to Bool(false) for a contact way that asks the member to
	// confirm each request.
	SkipVerify    *bool                  `json:"skip_verify,omitempty"`
	State         string                 `json:"state,omitempty"`
	User          []string               `json:"user,omitempty"`
	Party         []int                  `json:"party,omitempty"`
	IsTemp        bool                   `json:"is_temp,omitempty"`
	ExpiresIn     int                    `json:"expires_in,omitempty"`
	ChatExpiresIn int                    `json:"chat_expires_in,omitempty"`
	UnionID       string                 `json:"unionid,omitempty"`
	IsExclusive   bool                   `json:"is_exclusive,omitempty"`
	Conclusions   *ContactWayConclusions `json:"conclusions,omitempty"`
}

// AddContactWay creates a contact way and returns its config id and, for
// scene 2, its QR code URL.
//
// WeCom: POST /cgi-bin/externalcontact/add_contact_way
func (s *Service) AddContactWay(ctx context.Context, req *AddContactWayRequest, opts ...wecom.CallOption) (configID, qrCode string, err error) {
	r := deref(req)
	if len(r.User) == 0 && len(r.Party) == 0 {
		return "", "", wecom.InvalidArgument("externalcontact: add contact way: user or party is required")
	}
	if err := checkState("add contact way", r.State); err != nil {
		return "", "", err
	}
	resp, err := wecom.Call[struct {
		ConfigID string `json:"config_id"`
		QRCode   string `json:"qr_code"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_contact_way", Body: &r}, opts...)
	if err != nil {
		return "", "", err
	}
	return resp.ConfigID, resp.QRCode, nil
}

// GetContactWay returns a contact way with its settings.
//
// WeCom: POST /cgi-bin/externalcontact/get_contact_way
func (s *Service) GetContactWay(ctx context.Context, configID string, opts ...wecom.CallOption) (*ContactWay, error) {
	if configID == "" {
		return nil, wecom.InvalidArgument("externalcontact: get contact way: config_id is required")
	}
	resp, err := wecom.Call[struct {
		ContactWay ContactWay `json:"contact_way"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_contact_way", Body: configIDBody{configID}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.ContactWay, nil
}

// ListContactWayIDsRequest asks for one page of contact way ids created
// between StartTime and EndTime (Unix seconds; WeCom's defaults are 90
// days ago and now).
type ListContactWayIDsRequest struct {
	StartTime int64  `json:"start_time,omitempty"`
	EndTime   int64  `json:"end_time,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	// Limit is 1..1000; 0 means WeCom's default (100; the iterator asks
	// for 1000).
	Limit int `json:"limit,omitempty"`
}

// ListContactWayIDs returns one page of config ids and the next cursor
// ("" after the last page). Only contact ways made through the API are
// listed; GetContactWay returns one.
//
// WeCom: POST /cgi-bin/externalcontact/list_contact_way
func (s *Service) ListContactWayIDs(ctx context.Context, req *ListContactWayIDsRequest, opts ...wecom.CallOption) ([]string, string, error) {
	r := deref(req)
	if err := checkLimit("list contact way ids", r.Limit, MaxContactWayListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		ContactWay []configIDBody `json:"contact_way"`
		NextCursor string         `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/list_contact_way", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(resp.ContactWay))
	for i, w := range resp.ContactWay {
		ids[i] = w.ConfigID
	}
	return ids, resp.NextCursor, nil
}

// AllContactWayIDs iterates over the config ids of the contact ways req
// selects, req.Limit a page (0: 1000, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/list_contact_way
func (s *Service) AllContactWayIDs(ctx context.Context, req *ListContactWayIDsRequest, opts ...wecom.CallOption) iter.Seq2[string, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxContactWayListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]string, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListContactWayIDs(ctx, &p, opts...)
	})
}

// UpdateContactWayRequest changes a contact way. Fields left empty are
// unchanged; User and Party, when set, replace the lists.
type UpdateContactWayRequest struct {
	ConfigID      string                 `json:"config_id"`
	Remark        string                 `json:"remark,omitempty"`
	SkipVerify    *bool                  `json:"skip_verify,omitempty"`
	Style         int                    `json:"style,omitempty"`
	State         string                 `json:"state,omitempty"`
	User          []string               `json:"user,omitempty"`
	Party         []int                  `json:"party,omitempty"`
	ExpiresIn     int                    `json:"expires_in,omitempty"`
	ChatExpiresIn int                    `json:"chat_expires_in,omitempty"`
	UnionID       string                 `json:"unionid,omitempty"`
	Conclusions   *ContactWayConclusions `json:"conclusions,omitempty"`
}

// UpdateContactWay changes a contact way. Repeating it has no further
// effect.
//
// WeCom: POST /cgi-bin/externalcontact/update_contact_way
func (s *Service) UpdateContactWay(ctx context.Context, req *UpdateContactWayRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.ConfigID == "" {
		return wecom.InvalidArgument("externalcontact: update contact way: config_id is required")
	}
	if err := checkState("update contact way", r.State); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/update_contact_way", Body: &r, Idempotent: true}, nil, opts...)
}

// DeleteContactWay deletes a contact way; its QR code stops working.
//
// WeCom: POST /cgi-bin/externalcontact/del_contact_way
func (s *Service) DeleteContactWay(ctx context.Context, configID string, opts ...wecom.CallOption) error {
	if configID == "" {
		return wecom.InvalidArgument("externalcontact: delete contact way: config_id is required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/del_contact_way", Body: configIDBody{configID}}, nil, opts...)
}

// CloseTempChatRequest names the member and the customer of a temporary
// chat.
type CloseTempChatRequest struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
}

// CloseTempChat ends a temporary chat between a member and a customer
// before it expires; the customer gets the contact way's conclusions.
//
// WeCom: POST /cgi-bin/externalcontact/close_temp_chat
func (s *Service) CloseTempChat(ctx context.Context, req *CloseTempChatRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.UserID == "" || r.ExternalUserID == "" {
		return wecom.InvalidArgument("externalcontact: close temp chat: userid and external_userid are required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/close_temp_chat", Body: &r}, nil, opts...)
}
