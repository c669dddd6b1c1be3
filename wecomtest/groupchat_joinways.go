package wecomtest

import (
	"encoding/json"
	"net/http"
	"unicode/utf8"
)

func registerGroupJoinWays(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/add_join_way", s.addJoinWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/get_join_way", s.getJoinWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/update_join_way", s.updateJoinWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/del_join_way", s.delJoinWay)
}

// groupJoinWay is a 「加入群聊」 configuration, stored as WeCom returns it.
type groupJoinWay struct {
	ConfigID       string   `json:"config_id"`
	Scene          int      `json:"scene"`
	Remark         string   `json:"remark"`
	AutoCreateRoom int      `json:"auto_create_room"`
	RoomBaseName   string   `json:"room_base_name"`
	RoomBaseID     int      `json:"room_base_id"`
	ChatIDList     []string `json:"chat_id_list"`
	QRCode         string   `json:"qr_code"`
	State          string   `json:"state"`
	MarkSource     bool     `json:"mark_source"`
}

// groupJoinWayRequest is the body of add_join_way and update_join_way.
// auto_create_room defaults to 1 and mark_source to true, as WeCom's do;
// mark_source is accepted as a boolean or as 0/1.
type groupJoinWayRequest struct {
	ConfigID       string          `json:"config_id"`
	Scene          int             `json:"scene"`
	Remark         string          `json:"remark"`
	AutoCreateRoom *int            `json:"auto_create_room"`
	RoomBaseName   string          `json:"room_base_name"`
	RoomBaseID     int             `json:"room_base_id"`
	ChatIDList     []string        `json:"chat_id_list"`
	State          string          `json:"state"`
	MarkSource     json.RawMessage `json:"mark_source"`
}

// applyGroupJoinWay validates r and writes it into w.
func (s *Server) applyGroupJoinWay(r *groupJoinWayRequest, w *groupJoinWay) error {
	if r.Scene != 1 && r.Scene != 2 {
		return errorf(codeInvalidParameter, "invalid scene %d: must be 1 or 2", r.Scene)
	}
	switch n := len(r.ChatIDList); {
	case n == 0:
		return errorf(codeInvalidParameter, "invalid parameter: chat_id_list missing")
	case n > 5:
		return errorf(codeInvalidParameter, "invalid chat_id_list: %d chats, at most 5", n)
	}
	for _, id := range r.ChatIDList {
		if _, ok := s.st.chats[id]; !ok {
			return errorf(codeInvalidChatID, "chatid not exist: %s", id)
		}
	}
	if utf8.RuneCountInString(r.Remark) > 30 {
		return errorf(codeInvalidParameter, "invalid remark: longer than 30 characters")
	}
	if utf8.RuneCountInString(r.State) > 30 {
		return errorf(codeInvalidParameter, "invalid state: longer than 30 characters")
	}
	auto := 1
	if r.AutoCreateRoom != nil {
		auto = *r.AutoCreateRoom
	}
	if auto != 0 && auto != 1 {
		return errorf(codeInvalidParameter, "invalid auto_create_room %d", auto)
	}
	mark := true
	switch string(r.MarkSource) {
	case "", "null", "true", "1":
	case "false", "0":
		mark = false
	default:
		return errorf(codeInvalidParameter, "invalid mark_source %s", r.MarkSource)
	}
	w.Scene, w.Remark, w.AutoCreateRoom = r.Scene, r.Remark, auto
	w.RoomBaseName, w.RoomBaseID = r.RoomBaseName, r.RoomBaseID
	w.ChatIDList = append([]string(nil), r.ChatIDList...)
	w.State, w.MarkSource = r.State, mark
	if auto == 0 {
		w.RoomBaseName, w.RoomBaseID = "", 0
	}
	if w.Scene == 2 && w.QRCode == "" {
		w.QRCode = "https://wework.qpic.cn/wwpic/" + s.ids.ID("", 24) + "/0"
	}
	return nil
}

func (s *Server) groupJoinWayByID(id string) (*groupJoinWay, error) {
	if err := requireField("config_id", id); err != nil {
		return nil, err
	}
	w, ok := s.groupChats().joinWays[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid config_id %s", id)
	}
	return w, nil
}

// addJoinWay serves groupchat/add_join_way.
func (s *Server) addJoinWay(c *call) (any, error) {
	var req groupJoinWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w := &groupJoinWay{}
	if err := s.applyGroupJoinWay(&req, w); err != nil {
		return nil, err
	}
	w.ConfigID = s.ids.configID()
	gs := s.groupChats()
	gs.joinWays[w.ConfigID] = w
	gs.joinWayOrder = append(gs.joinWayOrder, w.ConfigID)
	return map[string]any{"config_id": w.ConfigID}, nil
}

// getJoinWay serves groupchat/get_join_way.
func (s *Server) getJoinWay(c *call) (any, error) {
	var req struct {
		ConfigID string `json:"config_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := s.groupJoinWayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"join_way": w}, nil
}

// updateJoinWay serves groupchat/update_join_way: the fields of add
// replace the stored ones.
func (s *Server) updateJoinWay(c *call) (any, error) {
	var req groupJoinWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := s.groupJoinWayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	updated := *w
	if err := s.applyGroupJoinWay(&req, &updated); err != nil {
		return nil, err
	}
	*w = updated
	return nil, nil
}

// delJoinWay serves groupchat/del_join_way.
func (s *Server) delJoinWay(c *call) (any, error) {
	var req struct {
		ConfigID string `json:"config_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := s.groupJoinWayByID(req.ConfigID); err != nil {
		return nil, err
	}
	gs := s.groupChats()
	delete(gs.joinWays, req.ConfigID)
	for i, id := range gs.joinWayOrder {
		if id == req.ConfigID {
			gs.joinWayOrder = append(gs.joinWayOrder[:i], gs.joinWayOrder[i+1:]...)
			break
		}
	}
	return nil, nil
}
