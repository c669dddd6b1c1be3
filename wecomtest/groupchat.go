package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Errcodes of the customer-group endpoints.
const (
	codeGroupNoCustomerContact = 84074 // member lacks the customer-contact permission
	codeGroupOwnerNotResigned  = 90500 // 群主并未离职
	codeGroupOwnerResigned     = 90502 // 群主已经离职
	codeGroupOwnerUnchanged    = 90504 // 群主没变
	codeGroupTransferring      = 90507 // 离职群正在继承处理中
	codeGroupTransferred       = 90508 // 离职群已经完成继承
)

// Group statuses, as groupchat/list reports them.
const (
	chatStatusNormal       = 0
	chatStatusResigned     = 1
	chatStatusTransferring = 2
	chatStatusTransferred  = 3
)

func registerGroupChats(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/list", s.listGroupChats)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/get", s.getGroupChat)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/opengid_to_chatid", s.openGIDToChatID)
}

// groupChatState is what the customer-group endpoints keep beside the core
// state: pending resigned transfers, opengids, join ways, welcome
// templates and recorded group messages.
type groupChatState struct {
	// transferDelay is how long a resigned transfer stays in status 2
	// (transferring) before it reports 3 (transferred).
	transferDelay time.Duration
	pending       map[string]time.Time // chat id → when its transfer completes

	openGIDs map[string]string // opengid → chat id
	chatGIDs map[string]string // chat id → opengid

	joinWays     map[string]*groupJoinWay
	joinWayOrder []string
	// memberStates is the state of the join way each member came
	// through: chat id → member userid → state (only non-empty states).
	memberStates map[string]map[string]string

	templates map[string]*groupWelcomeTemplate

	messages []groupChatMessage
}

func newGroupChatState() *groupChatState {
	return &groupChatState{
		pending:      map[string]time.Time{},
		openGIDs:     map[string]string{},
		chatGIDs:     map[string]string{},
		joinWays:     map[string]*groupJoinWay{},
		memberStates: map[string]map[string]string{},
		templates:    map[string]*groupWelcomeTemplate{},
	}
}

func (s *Server) groupChats() *groupChatState {
	return areaState(s, "groupchat", newGroupChatState)
}

// settleGroupTransfers completes the resigned transfers whose delay has passed.
func (s *Server) settleGroupTransfers(now time.Time) {
	gs := s.groupChats()
	for id, done := range gs.pending {
		if now.Before(done) {
			continue
		}
		if g, ok := s.st.chats[id]; ok {
			g.Status = chatStatusTransferred
		}
		delete(gs.pending, id)
	}
}

// groupChatStatus is the status list reports: a group whose owner has resigned
// is 1 unless a transfer state says otherwise.
func (s *Server) groupChatStatus(g *GroupChat) int {
	if g.Status != chatStatusTransferring {
		if u, ok := s.st.users[g.Owner]; ok && u.Resigned {
			return chatStatusResigned // even after a transfer, if the new owner left too
		}
	}
	return g.Status
}

// SetGroupTransferDelay sets how long a resigned group transfer
// (groupchat/transfer) reports status 2 (transferring) before it reports 3
// (transferred), on the server clock. The default is 0: the transfer
// completes at once. The owner changes at once either way.
func (s *Server) SetGroupTransferDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupChats().transferDelay = d
}

// OpenGID returns the opengid a mini program would see for a group, for
// opengid_to_chatid; ok is false for an unknown chat id.
func (s *Server) OpenGID(chatID string) (openGID string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.st.chats[chatID]; !exists {
		return "", false
	}
	gs := s.groupChats()
	if gid, ok := gs.chatGIDs[chatID]; ok {
		return gid, true
	}
	gid := s.ids.ID("wxopengid_", 22)
	gs.chatGIDs[chatID] = gid
	gs.openGIDs[gid] = chatID
	return gid, true
}

type groupOwnerFilter struct {
	UserIDList []string `json:"userid_list"`
}

func (f *groupOwnerFilter) check() error {
	if f != nil && len(f.UserIDList) > 100 {
		return errorf(codeInvalidParameter, "invalid owner_filter: %d userids, at most 100", len(f.UserIDList))
	}
	return nil
}

func (f *groupOwnerFilter) allows(owner string) bool {
	return f == nil || len(f.UserIDList) == 0 || slices.Contains(f.UserIDList, owner)
}

type gcListedChat struct {
	ChatID string `json:"chat_id"`
	Status int    `json:"status"`
}

// listGroupChats serves groupchat/list.
func (s *Server) listGroupChats(c *call) (any, error) {
	var req struct {
		StatusFilter int               `json:"status_filter"`
		OwnerFilter  *groupOwnerFilter `json:"owner_filter"`
		Cursor       string            `json:"cursor"`
		Limit        int               `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.StatusFilter < 0 || req.StatusFilter > 3 {
		return nil, errorf(codeInvalidParameter, "invalid status_filter %d", req.StatusFilter)
	}
	if req.Limit < 1 || req.Limit > 1000 {
		return nil, errorf(codeInvalidParameter, "invalid limit %d: must be 1..1000", req.Limit)
	}
	if err := req.OwnerFilter.check(); err != nil {
		return nil, err
	}
	s.settleGroupTransfers(c.Now)
	var all []gcListedChat
	for _, id := range s.st.chatOrder {
		g := s.st.chats[id]
		st := s.groupChatStatus(g)
		if req.StatusFilter != 0 && st != req.StatusFilter {
			continue
		}
		if !req.OwnerFilter.allows(g.Owner) {
			continue
		}
		all = append(all, gcListedChat{ChatID: id, Status: st})
	}
	items, next, err := page("groupchat/list", all, req.Cursor, req.Limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []gcListedChat{}
	}
	return map[string]any{"group_chat_list": items, "next_cursor": next}, nil
}

type gcUserRef struct {
	UserID string `json:"userid"`
}

type gcMember struct {
	UserID        string     `json:"userid"`
	Type          int        `json:"type"`
	UnionID       string     `json:"unionid,omitempty"`
	JoinTime      int64      `json:"join_time"`
	JoinScene     int        `json:"join_scene"`
	Invitor       *gcUserRef `json:"invitor,omitempty"`
	GroupNickname string     `json:"group_nickname"`
	Name          string     `json:"name,omitempty"`
	// State is the state of the join way the member came through; WeCom
	// leaves it out for members who came another way.
	State string `json:"state,omitempty"`
}

// getGroupChat serves groupchat/get.
func (s *Server) getGroupChat(c *call) (any, error) {
	var req struct {
		ChatID   string `json:"chat_id"`
		NeedName int    `json:"need_name"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := requireField("chat_id", req.ChatID); err != nil {
		return nil, err
	}
	g, ok := s.st.chats[req.ChatID]
	if !ok {
		return nil, errorf(codeInvalidChatID, "chatid not exist: %s", req.ChatID)
	}
	states := s.groupChats().memberStates[g.ChatID]
	members := make([]gcMember, 0, len(g.Members))
	for _, m := range g.Members {
		wm := gcMember{
			UserID: m.UserID, Type: m.Type, JoinTime: m.JoinTime, JoinScene: m.JoinScene,
			GroupNickname: m.GroupNickname, State: states[m.UserID],
		}
		if m.Type == 2 {
			wm.UnionID = m.UnionID
		}
		if m.Invitor != "" {
			wm.Invitor = &gcUserRef{UserID: m.Invitor}
		}
		if req.NeedName == 1 {
			wm.Name = m.Name
		}
		members = append(members, wm)
	}
	admins := make([]gcUserRef, 0, len(g.Admins))
	for _, a := range g.Admins {
		admins = append(admins, gcUserRef{UserID: a})
	}
	return map[string]any{"group_chat": map[string]any{
		"chat_id":        g.ChatID,
		"name":           g.Name,
		"owner":          g.Owner,
		"create_time":    g.CreateTime,
		"notice":         g.Notice,
		"member_list":    members,
		"admin_list":     admins,
		"member_version": g.MemberVersion,
	}}, nil
}

// openGIDToChatID serves opengid_to_chatid.
func (s *Server) openGIDToChatID(c *call) (any, error) {
	var req struct {
		OpenGID string `json:"opengid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := requireField("opengid", req.OpenGID); err != nil {
		return nil, err
	}
	id, ok := s.groupChats().openGIDs[req.OpenGID]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid opengid")
	}
	if _, exists := s.st.chats[id]; !exists {
		return nil, errorf(codeInvalidChatID, "chatid not exist")
	}
	return map[string]any{"chat_id": id}, nil
}

// ---- simulations of what people do in the client ----

// JoinGroupChatByJoinWay simulates a customer scanning the QR code of a
// join way (「加入群聊」, groupchat/add_join_way) and joining its first
// group that has room: they become a member of type 2 with join scene 3
// (QR code), groupchat/get then reports the join way's state for them (if
// it has one), and a change_external_chat update/add_member event is sent
// (JoinScene 3). A customer already in that group is an error. It returns
// the chat id joined.
func (s *Server) JoinGroupChatByJoinWay(configID, externalUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs := s.groupChats()
	w, ok := gs.joinWays[configID]
	if !ok {
		return "", fmt.Errorf("wecomtest: unknown join way %q", configID)
	}
	if externalUserID == "" {
		return "", fmt.Errorf("wecomtest: join group chat: empty external userid")
	}
	var g *GroupChat
	for _, id := range w.ChatIDList {
		if c, ok := s.st.chats[id]; ok && len(c.Members) < maxGroupMembers {
			g = c
			break
		}
	}
	if g == nil {
		return "", fmt.Errorf("wecomtest: join way %s has no group with room", configID)
	}
	if slices.ContainsFunc(g.Members, func(m GroupMember) bool { return m.UserID == externalUserID }) {
		return "", fmt.Errorf("wecomtest: %s is already in group %s", externalUserID, g.ChatID)
	}
	m := GroupMember{UserID: externalUserID, Type: 2, JoinTime: s.clock.Now().Unix(), JoinScene: 3}
	if c, ok := s.st.customers[externalUserID]; ok {
		m.UnionID, m.Name = c.UnionID, c.Name
	}
	g.Members = append(g.Members, m)
	last := g.MemberVersion
	g.MemberVersion = s.ids.configID()
	if w.State != "" {
		if gs.memberStates[g.ChatID] == nil {
			gs.memberStates[g.ChatID] = map[string]string{}
		}
		gs.memberStates[g.ChatID][externalUserID] = w.State
	}
	s.emit(Event{
		Event:      "change_external_chat",
		ChangeType: "update",
		Fields: []Field{
			{Name: "ChatId", Value: g.ChatID},
			{Name: "UpdateDetail", Value: "add_member"},
			{Name: "JoinScene", Value: "3", Number: true},
			{Name: "MemChangeCnt", Value: "1", Number: true},
			{Name: "MemChangeList", Items: []string{externalUserID}},
			{Name: "LastMemVer", Value: last},
			{Name: "CurMemVer", Value: g.MemberVersion},
		},
	})
	return g.ChatID, nil
}

// maxGroupMembers is how many members a customer group holds.
const maxGroupMembers = 500

// ChangeGroupChatOwner simulates an owner handing their group over to
// another member in the client (or an admin doing it in the admin
// console): newOwner, an active member, becomes the owner (joining the
// group if not in it) and a change_external_chat update/change_owner event
// is sent. The API transfers (groupchat/transfer, onjob_transfer) change
// the owner too but, like every API change, send no callback.
func (s *Server) ChangeGroupChatOwner(chatID, newOwner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.chats[chatID]
	if !ok {
		return fmt.Errorf("wecomtest: unknown group chat %q", chatID)
	}
	u, ok := s.st.users[newOwner]
	switch {
	case !ok:
		return fmt.Errorf("wecomtest: unknown user %q", newOwner)
	case u.Resigned:
		return fmt.Errorf("wecomtest: user %s has resigned", newOwner)
	case g.Owner == newOwner:
		return fmt.Errorf("wecomtest: %s already owns group %s", newOwner, chatID)
	}
	s.setGroupChatOwner(g, newOwner, s.clock.Now())
	s.emit(Event{
		Event:      "change_external_chat",
		ChangeType: "update",
		Fields:     []Field{{Name: "ChatId", Value: g.ChatID}, {Name: "UpdateDetail", Value: "change_owner"}},
	})
	return nil
}
