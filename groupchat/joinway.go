package groupchat

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
)

// JoinWayScene is where a join way (「加入群聊」) is used.
type JoinWayScene int

// Join way scenes.
const (
	JoinWaySceneMiniProgram JoinWayScene = 1 // a mini program plugin button
	JoinWaySceneQRCode      JoinWayScene = 2 // a QR code (QRCode is set)
)

// String returns the scene's name.
func (s JoinWayScene) String() string {
	switch s {
	case JoinWaySceneMiniProgram:
		return "miniprogram"
	case JoinWaySceneQRCode:
		return "qrcode"
	}
	return "JoinWayScene(" + strconv.Itoa(int(s)) + ")"
}

// Join way limits.
const (
	MaxJoinWayChats = 5  // groups one join way leads to
	MaxStateLength  = 30 // characters of State
)

// JoinWay is a 「加入群聊」 configuration: a QR code or mini program button
// that lets customers join one of up to five groups.
//
// AutoCreateRoom and MarkSource are always sent, so their zero values
// turn the features off (WeCom's own defaults, when a field is absent,
// are on).
type JoinWay struct {
	// ConfigID identifies the join way; set by AddJoinWay's result and
	// required by UpdateJoinWay.
	ConfigID string
	Scene    JoinWayScene
	// Remark is a note for the corp, not shown to customers.
	Remark string
	// AutoCreateRoom creates a new group, named RoomBaseName plus a number
	// counting up from RoomBaseID, when every group is full.
	AutoCreateRoom bool
	RoomBaseName   string
	RoomBaseID     int
	// ChatIDList are the groups customers join, 1 to 5.
	ChatIDList []string
	// QRCode is the URL of the QR code picture (scene 2); read-only.
	QRCode string
	// State is a tag of at most 30 characters echoed in the
	// change_external_chat event of customers who join this way.
	State string
	// MarkSource marks customers who join this way with the channel.
	MarkSource bool
}

// joinWayWire is JoinWay as WeCom spells it.
type joinWayWire struct {
	ConfigID       string       `json:"config_id,omitempty"`
	Scene          JoinWayScene `json:"scene"`
	Remark         string       `json:"remark,omitempty"`
	AutoCreateRoom int          `json:"auto_create_room"`
	RoomBaseName   string       `json:"room_base_name,omitempty"`
	RoomBaseID     int          `json:"room_base_id,omitempty"`
	ChatIDList     []string     `json:"chat_id_list"`
	QRCode         string       `json:"qr_code,omitempty"`
	State          string       `json:"state,omitempty"`
	MarkSource     flex.Bool    `json:"mark_source"`
}

// MarshalJSON writes WeCom's JSON for w.
func (w JoinWay) MarshalJSON() ([]byte, error) {
	v := joinWayWire{
		ConfigID: w.ConfigID, Scene: w.Scene, Remark: w.Remark, RoomBaseName: w.RoomBaseName,
		RoomBaseID: w.RoomBaseID, ChatIDList: w.ChatIDList, QRCode: w.QRCode, State: w.State,
		MarkSource: flex.Bool(w.MarkSource),
	}
	if w.AutoCreateRoom {
		v.AutoCreateRoom = 1
	}
	if v.ChatIDList == nil {
		v.ChatIDList = []string{}
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads WeCom's JSON into w; mark_source may be a boolean or
// 0/1.
func (w *JoinWay) UnmarshalJSON(b []byte) error {
	var v joinWayWire
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*w = JoinWay{
		ConfigID: v.ConfigID, Scene: v.Scene, Remark: v.Remark, AutoCreateRoom: v.AutoCreateRoom == 1,
		RoomBaseName: v.RoomBaseName, RoomBaseID: v.RoomBaseID, ChatIDList: v.ChatIDList,
		QRCode: v.QRCode, State: v.State, MarkSource: bool(v.MarkSource),
	}
	return nil
}

func (w JoinWay) check() error {
	if w.Scene != JoinWaySceneMiniProgram && w.Scene != JoinWaySceneQRCode {
		return invalid("join way scene %d is not 1 or 2", int(w.Scene))
	}
	switch n := len(w.ChatIDList); {
	case n == 0:
		return invalid("join way has no chat ids")
	case n > MaxJoinWayChats:
		return invalid("join way has %d chat ids, at most %d", n, MaxJoinWayChats)
	}
	for _, id := range w.ChatIDList {
		if id == "" {
			return invalid("empty chat id in the join way")
		}
	}
	if n := utf8.RuneCountInString(w.State); n > MaxStateLength {
		return invalid("join way state has %d characters, at most %d", n, MaxStateLength)
	}
	return nil
}

// AddJoinWay creates a join way and returns its config id; GetJoinWay
// returns its QR code. w.ConfigID and w.QRCode are ignored.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/add_join_way
func (s *Service) AddJoinWay(ctx context.Context, w JoinWay, opts ...wecom.CallOption) (string, error) {
	if err := w.check(); err != nil {
		return "", err
	}
	w.ConfigID, w.QRCode = "", ""
	var resp struct {
		ConfigID string `json:"config_id"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/add_join_way",
		Body:   w,
	}, &resp, opts...)
	if err != nil {
		return "", err
	}
	return resp.ConfigID, nil
}

// GetJoinWay returns a join way with its QR code.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/get_join_way
func (s *Service) GetJoinWay(ctx context.Context, configID string, opts ...wecom.CallOption) (*JoinWay, error) {
	if configID == "" {
		return nil, invalid("config id is empty")
	}
	var resp struct {
		JoinWay JoinWay `json:"join_way"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/get_join_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.JoinWay, nil
}

// UpdateJoinWay replaces the settings of the join way w.ConfigID with w's
// (w.QRCode is ignored; the QR code stays the same).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/update_join_way
func (s *Service) UpdateJoinWay(ctx context.Context, w JoinWay, opts ...wecom.CallOption) error {
	if w.ConfigID == "" {
		return invalid("config id is empty")
	}
	if err := w.check(); err != nil {
		return err
	}
	w.QRCode = ""
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/update_join_way",
		Body:       w,
		Idempotent: true, // set semantics: repeating it changes nothing
	}, nil, opts...)
}

// DeleteJoinWay deletes a join way; its QR code stops working.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/del_join_way
func (s *Service) DeleteJoinWay(ctx context.Context, configID string, opts ...wecom.CallOption) error {
	if configID == "" {
		return invalid("config id is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/del_join_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
	}, nil, opts...)
}
