package externalcontact

import (
	"context"
	"errors"
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

// MaxStateLen is the longest state WeCom accepts, in characters.
const MaxStateLen = 30

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
	Type          ContactWayType         `json:"type"`
	Scene         ContactWayScene        `json:"scene"`
	Style         int                    `json:"style,omitempty"`
	Remark        string                 `json:"remark,omitempty"`
	SkipVerify    bool                   `json:"skip_verify,omitempty"`
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
	if req == nil || (len(req.User) == 0 && len(req.Party) == 0) {
		return "", "", errors.New("externalcontact: AddContactWay: no user or party")
	}
	if utf8.RuneCountInString(req.State) > MaxStateLen {
		return "", "", errors.New("externalcontact: AddContactWay: state is longer than 30 characters")
	}
	var resp struct {
		ConfigID string `json:"config_id"`
		QRCode   string `json:"qr_code"`
	}
	err = s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_contact_way",
		Body:   req,
	}, &resp, opts...)
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
		return nil, errors.New("externalcontact: GetContactWay: config id is empty")
	}
	var resp struct {
		ContactWay ContactWay `json:"contact_way"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_contact_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.ContactWay, nil
}

// ListContactWaysRequest asks for one page of contact way ids created
// between StartTime and EndTime (Unix seconds; WeCom's defaults are 90
// days ago and now).
type ListContactWaysRequest struct {
	StartTime int64  `json:"start_time,omitempty"`
	EndTime   int64  `json:"end_time,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	// Limit is 1..1000; 0 means WeCom's default (100).
	Limit int `json:"limit,omitempty"`
}

// ListContactWays returns one page of config ids and the next cursor (""
// after the last page). Only contact ways made through the API are
// listed.
//
// WeCom: POST /cgi-bin/externalcontact/list_contact_way
func (s *Service) ListContactWays(ctx context.Context, req *ListContactWaysRequest, opts ...wecom.CallOption) ([]string, string, error) {
	if req == nil {
		req = &ListContactWaysRequest{}
	}
	var resp struct {
		ContactWay []struct {
			ConfigID string `json:"config_id"`
		} `json:"contact_way"`
		NextCursor string `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/list_contact_way",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(resp.ContactWay))
	for i, w := range resp.ContactWay {
		ids[i] = w.ConfigID
	}
	return ids, resp.NextCursor, nil
}

// AllContactWays iterates over the config ids of the contact ways
// created between startTime and endTime (0 for WeCom's defaults), 1000 a
// page.
//
// WeCom: POST /cgi-bin/externalcontact/list_contact_way
func (s *Service) AllContactWays(ctx context.Context, startTime, endTime int64, opts ...wecom.CallOption) iter.Seq2[string, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]string, string, error) {
		return s.ListContactWays(ctx, &ListContactWaysRequest{StartTime: startTime, EndTime: endTime, Cursor: cursor, Limit: 1000}, opts...)
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
	if req == nil || req.ConfigID == "" {
		return errors.New("externalcontact: UpdateContactWay: config id is empty")
	}
	if utf8.RuneCountInString(req.State) > MaxStateLen {
		return errors.New("externalcontact: UpdateContactWay: state is longer than 30 characters")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/update_contact_way",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteContactWay deletes a contact way; its QR code stops working.
//
// WeCom: POST /cgi-bin/externalcontact/del_contact_way
func (s *Service) DeleteContactWay(ctx context.Context, configID string, opts ...wecom.CallOption) error {
	if configID == "" {
		return errors.New("externalcontact: DeleteContactWay: config id is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/del_contact_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
	}, nil, opts...)
}

// CloseTempChat ends a temporary chat between a member and a customer
// before it expires; the customer gets the contact way's conclusions.
//
// WeCom: POST /cgi-bin/externalcontact/close_temp_chat
func (s *Service) CloseTempChat(ctx context.Context, userID, externalUserID string, opts ...wecom.CallOption) error {
	if userID == "" || externalUserID == "" {
		return errors.New("externalcontact: CloseTempChat: userid and external_userid are required")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/close_temp_chat",
		Body: struct {
			UserID         string `json:"userid"`
			ExternalUserID string `json:"external_userid"`
		}{userID, externalUserID},
	}, nil, opts...)
}
