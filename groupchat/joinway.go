package groupchat

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/internal/wire"
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

// JoinWay is a 「加入群聊」 configuration, as GetJoinWay returns it: a QR
// code or mini program button that lets customers join one of up to five
// groups.
type JoinWay struct {
	// ConfigID identifies the join way (AddJoinWay's result).
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

// JoinWaySettings are the settings of a join way a caller chooses, shared
// by AddJoinWayRequest and UpdateJoinWayRequest. AutoCreateRoom and
// MarkSource are always sent, so their zero values turn the features off.
type JoinWaySettings struct {
	// Scene is where the join way is used, required.
	Scene JoinWayScene
	// Remark is a note for the corp, not shown to customers.
	Remark string
	// AutoCreateRoom creates a new group, named RoomBaseName plus a number
	// counting up from RoomBaseID, when every group is full.
	AutoCreateRoom bool
	RoomBaseName   string
	RoomBaseID     int
	// ChatIDList are the groups customers join, 1 to 5.
	ChatIDList []string
	// State is a tag of at most 30 characters echoed in the
	// change_external_chat event of customers who join this way.
	State string
	// MarkSource marks customers who join this way with the channel.
	MarkSource bool
}

// Settings returns w's settings, for an UpdateJoinWayRequest that starts
// from the join way as GetJoinWay returned it.
func (w *JoinWay) Settings() JoinWaySettings {
	return JoinWaySettings{
		Scene: w.Scene, Remark: w.Remark, AutoCreateRoom: w.AutoCreateRoom, RoomBaseName: w.RoomBaseName,
		RoomBaseID: w.RoomBaseID, ChatIDList: w.ChatIDList, State: w.State, MarkSource: w.MarkSource,
	}
}

func (w JoinWaySettings) joinWay(configID string) JoinWay {
	return JoinWay{
		ConfigID: configID, Scene: w.Scene, Remark: w.Remark, AutoCreateRoom: w.AutoCreateRoom,
		RoomBaseName: w.RoomBaseName, RoomBaseID: w.RoomBaseID, ChatIDList: w.ChatIDList,
		State: w.State, MarkSource: w.MarkSource,
	}
}

func (w JoinWaySettings) check(op string) error {
	if w.Scene != JoinWaySceneMiniProgram && w.Scene != JoinWaySceneQRCode {
		return wecom.InvalidArgument("groupchat: %s: scene %d is not 1 or 2", op, int(w.Scene))
	}
	switch n := len(w.ChatIDList); {
	case n == 0:
		return wecom.InvalidArgument("groupchat: %s: no chat ids", op)
	case n > MaxJoinWayChats:
		return wecom.InvalidArgument("groupchat: %s: %d chat ids, at most %d", op, n, MaxJoinWayChats)
	}
	for _, id := range w.ChatIDList {
		if id == "" {
			return wecom.InvalidArgument("groupchat: %s: empty chat id in the list", op)
		}
	}
	if n := utf8.RuneCountInString(w.State); n > MaxStateLength {
		return wecom.InvalidArgument("groupchat: %s: state has %d characters, at most %d", op, n, MaxStateLength)
	}
	return nil
}

// AddJoinWayRequest is a new join way.
type AddJoinWayRequest struct {
	JoinWaySettings
}

// AddJoinWay creates a join way (WeCom: 配置客户群进群方式) and returns its
// config id; GetJoinWay returns its QR code.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/add_join_way
func (s *Service) AddJoinWay(ctx context.Context, req *AddJoinWayRequest, opts ...wecom.CallOption) (string, error) {
	r := wire.Deref(req)
	if err := r.check("add join way"); err != nil {
		return "", err
	}
	resp, err := wecom.Call[struct {
		ConfigID string `json:"config_id"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/add_join_way",
		Body:   r.joinWay(""),
	}, opts...)
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
		return nil, wecom.InvalidArgument("groupchat: get join way: config id is empty")
	}
	resp, err := wecom.Call[struct {
		JoinWay JoinWay `json:"join_way"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/get_join_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.JoinWay, nil
}

// UpdateJoinWayRequest replaces the settings of the join way ConfigID;
// its QR code stays the same.
type UpdateJoinWayRequest struct {
	// ConfigID is the join way, required.
	ConfigID string
	JoinWaySettings
}

// UpdateJoinWay replaces the settings of the join way req.ConfigID with
// req's (WeCom: 更新客户群进群方式配置).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/update_join_way
func (s *Service) UpdateJoinWay(ctx context.Context, req *UpdateJoinWayRequest, opts ...wecom.CallOption) error {
	r := wire.Deref(req)
	if r.ConfigID == "" {
		return wecom.InvalidArgument("groupchat: update join way: config id is empty")
	}
	if err := r.check("update join way"); err != nil {
		return err
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/update_join_way",
		Body:       r.joinWay(r.ConfigID),
		Idempotent: true, // set semantics: repeating it changes nothing
	}, opts...)
	return err
}

// DeleteJoinWay deletes a join way; its QR code stops working.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/del_join_way
func (s *Service) DeleteJoinWay(ctx context.Context, configID string, opts ...wecom.CallOption) error {
	if configID == "" {
		return wecom.InvalidArgument("groupchat: delete join way: config id is empty")
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/groupchat/del_join_way",
		Body: struct {
			ConfigID string `json:"config_id"`
		}{configID},
	}, opts...)
	return err
}
