package wecomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

// Mass messages (群发). add_msg_template creates a msgid with a task per
// member concerned and a send result per customer (or group); nothing is
// sent until the member confirms in the app, which ConfirmGroupMsg does.
// A customer (and a customer group) receives at most as many corp mass
// messages a calendar month as the month has days, Beijing time on the
// server clock; later ones are reported with status 3 (quota reached).
// SetGroupMsgQuota switches to the other rules an admin can choose: 7 a
// week or 1 a day. When several members have a customer, a single-chat
// mass message goes only through the member who last chatted with them:
// the newest relation, unless MemberChatsWith says otherwise.

func registerECMsgTemplates(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_msg_template", s.ecAddMsgTemplate)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_groupmsg_list_v2", s.ecGroupMsgList)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_groupmsg_task", s.ecGroupMsgTask)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_groupmsg_send_result", s.ecGroupMsgSendResult)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/remind_groupmsg_send", s.ecGroupMsgAction(false))
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/cancel_groupmsg_send", s.ecGroupMsgAction(true))
}

// MsgTemplate is a mass message the server holds, for assertions.
type MsgTemplate struct {
	MsgID       string
	ChatType    string // single or group
	Creator     string // the sender, or "" for the corp
	CreateType  int    // 0 corp, 1 personal
	CreateTime  int64
	Text        string
	Attachments json.RawMessage
	Canceled    bool
	Reminders   int
	Tasks       []GroupMsgTask
	Results     []GroupMsgResult
}

// GroupMsgTask is one member's part of a mass message.
type GroupMsgTask struct {
	UserID   string `json:"userid"`
	Status   int    `json:"status"` // 0 not sent, 2 sent
	SendTime int64  `json:"send_time"`
}

// GroupMsgResult is a mass message's fate for one customer or group.
type GroupMsgResult struct {
	ExternalUserID string `json:"external_userid,omitempty"`
	ChatID         string `json:"chat_id,omitempty"`
	UserID         string `json:"userid"`
	Status         int    `json:"status"` // 0 not sent, 1 sent, 2 not a contact, 3 quota reached
	SendTime       int64  `json:"send_time"`
}

type ecMsgState struct {
	msgs     []*MsgTemplate
	byID     map[string]*MsgTemplate
	received map[string][]int64 // external_userid or "chat:"+chat_id → times corp mass messages reached them
	quota    GroupMsgQuota
	lastChat map[string]lastChat // external_userid → the member who last chatted with them (MemberChatsWith)
}

// lastChat is a member's chat with a customer, as MemberChatsWith records it.
type lastChat struct {
	userID string
	at     int64
}

func ecMsgs(s *Server) *ecMsgState {
	return areaState(s, "ec.msgtemplates", func() *ecMsgState {
		return &ecMsgState{byID: map[string]*MsgTemplate{}, received: map[string][]int64{}, lastChat: map[string]lastChat{}}
	})
}

// GroupMsgQuota is the rule of how many corp mass messages one customer
// or customer group may receive, as the admin sets it.
type GroupMsgQuota int

// Mass-message quota rules.
const (
	// GroupMsgQuotaMonth is WeCom's default: in a calendar month, as many
	// as the month has days.
	GroupMsgQuotaMonth GroupMsgQuota = iota
	// GroupMsgQuotaWeek is 7 in a week (Monday to Sunday).
	GroupMsgQuotaWeek
	// GroupMsgQuotaDay is 1 a day.
	GroupMsgQuotaDay
)

// SetGroupMsgQuota sets the mass-message quota rule (the default is
// GroupMsgQuotaMonth). Messages already received count under the new
// rule.
func (s *Server) SetGroupMsgQuota(q GroupMsgQuota) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ecMsgs(s).quota = q
}

// reached reports whether times (when corp mass messages reached one
// customer or group) fill the quota
// of the period of now under rule q (Beijing time).
func (q GroupMsgQuota) reached(times []int64, now time.Time) bool {
	t := now.In(time.FixedZone("CST", 8*3600))
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	var start time.Time
	var limit int
	switch q {
	case GroupMsgQuotaDay:
		start, limit = day, 1
	case GroupMsgQuotaWeek:
		start, limit = day.AddDate(0, 0, -((int(t.Weekday())+6)%7)), 7
	default:
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
		limit = start.AddDate(0, 1, -1).Day()
	}
	n := 0
	for _, at := range times {
		if at >= start.Unix() {
			n++
		}
	}
	return n >= limit
}

// ecText is a text message body.
type ecText struct {
	Content string `json:"content"`
}

// ecAttachment is the wire shape of an attachment, as the server checks it.
type ecAttachment struct {
	MsgType string `json:"msgtype"`
	Image   *struct {
		MediaID string `json:"media_id"`
		PicURL  string `json:"pic_url"`
	} `json:"image"`
	Link *struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"link"`
	MiniProgram *struct {
		Title      string `json:"title"`
		PicMediaID string `json:"pic_media_id"`
		AppID      string `json:"appid"`
		Page       string `json:"page"`
	} `json:"miniprogram"`
	Video *struct {
		MediaID string `json:"media_id"`
	} `json:"video"`
	File *struct {
		MediaID string `json:"media_id"`
	} `json:"file"`
}

// checkECMessage validates text and attachments as WeCom does for mass
// and welcome messages.
func (s *Server) checkECMessage(text *ecText, atts []ecAttachment) error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return errorf(codeInvalidParameter, "invalid parameter: text and attachments are both empty")
	}
	if text != nil && utf8.RuneCountInString(text.Content) > 4000 {
		return errorf(codeInvalidParameter, "invalid parameter: text.content too long")
	}
	if len(atts) > 9 {
		return errorf(codeInvalidParameter, "invalid parameter: at most 9 attachments")
	}
	media := func(id string) error {
		if id == "" {
			return errorf(codeInvalidParameter, "invalid parameter: media_id missing")
		}
		if !s.mediaValid(id) { // unknown, or older than 3 days
			return errorf(codeInvalidMediaID, "invalid media_id")
		}
		return nil
	}
	for _, a := range atts {
		var err error
		switch {
		case a.MsgType == "image" && a.Image != nil:
			if a.Image.PicURL == "" {
				err = media(a.Image.MediaID)
			}
		case a.MsgType == "link" && a.Link != nil:
			if a.Link.Title == "" || a.Link.URL == "" {
				err = errorf(codeInvalidParameter, "invalid parameter: link needs title and url")
			}
		case a.MsgType == "miniprogram" && a.MiniProgram != nil:
			if a.MiniProgram.AppID == "" || a.MiniProgram.Page == "" || a.MiniProgram.Title == "" {
				err = errorf(codeInvalidParameter, "invalid parameter: miniprogram needs title, appid and page")
			} else {
				err = media(a.MiniProgram.PicMediaID)
			}
		case a.MsgType == "video" && a.Video != nil:
			err = media(a.Video.MediaID)
		case a.MsgType == "file" && a.File != nil:
			err = media(a.File.MediaID)
		default:
			err = errorf(codeInvalidParameter, "invalid parameter: attachment msgtype %q without its content", a.MsgType)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) ecAddMsgTemplate(c *call) (any, error) {
	var req struct {
		ChatType       string   `json:"chat_type"`
		ExternalUserID []string `json:"external_userid"`
		ChatIDList     []string `json:"chat_id_list"`
		TagFilter      *struct {
			GroupList []struct {
				TagList []string `json:"tag_list"`
			} `json:"group_list"`
		} `json:"tag_filter"`
		Sender      string         `json:"sender"`
		AllowSelect bool           `json:"allow_select"`
		Text        *ecText        `json:"text"`
		Attachments []ecAttachment `json:"attachments"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatType == "" {
		req.ChatType = "single"
	}
	if req.ChatType != "single" && req.ChatType != "group" {
		return nil, errorf(codeInvalidParameter, "invalid parameter: chat_type %q", req.ChatType)
	}
	if len(req.ExternalUserID) > 10000 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: external_userid exceeds 10000")
	}
	if err := s.checkECMessage(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	if req.Sender != "" {
		u, err := s.st.user(req.Sender)
		if err != nil {
			return nil, err
		}
		if u.Resigned || !u.CustomerContact {
			return nil, errorf(codeAPIForbidden, "sender %s cannot send mass messages", u.UserID)
		}
	} else if req.ChatType == "group" {
		return nil, errorf(codeInvalidParameter, "invalid parameter: sender is required for chat_type group")
	}

	m := &MsgTemplate{
		MsgID:      s.ids.ID("msg", 24),
		ChatType:   req.ChatType,
		Creator:    req.Sender,
		CreateTime: c.Now.Unix(),
	}
	if req.Text != nil {
		m.Text = req.Text.Content
	}
	if len(req.Attachments) > 0 {
		var raw struct {
			Attachments json.RawMessage `json:"attachments"`
		}
		_ = json.Unmarshal(c.Body, &raw)
		m.Attachments = raw.Attachments
	}
	failList := []string{}
	tasks := map[string]bool{}
	addTask := func(userID string) {
		if !tasks[userID] {
			tasks[userID] = true
			m.Tasks = append(m.Tasks, GroupMsgTask{UserID: userID})
		}
	}
	if req.ChatType == "group" {
		for _, id := range s.st.chatOrder {
			g := s.st.chats[id]
			if g.Owner != req.Sender || (len(req.ChatIDList) > 0 && !slices.Contains(req.ChatIDList, id)) {
				continue
			}
			m.Results = append(m.Results, GroupMsgResult{ChatID: id, UserID: g.Owner})
			addTask(g.Owner)
		}
	} else {
		matches := func(f *Follow) bool {
			if req.Sender != "" && f.UserID != req.Sender {
				return false
			}
			if u := s.st.users[f.UserID]; u == nil || u.Resigned {
				return false
			}
			if req.TagFilter == nil {
				return true
			}
			for _, g := range req.TagFilter.GroupList {
				if len(g.TagList) == 0 {
					continue
				}
				hit := false
				for _, t := range g.TagList {
					hit = hit || slices.Contains(f.TagIDs, t)
				}
				if !hit {
					return false
				}
			}
			return true
		}
		targets := req.ExternalUserID
		if len(targets) == 0 {
			targets = s.st.customerOrder
		}
		seen := map[string]bool{}
		for _, ext := range targets {
			if seen[ext] {
				continue
			}
			seen[ext] = true
			// One member sends to a customer: the one who last chatted
			// with them, among those who match.
			var cands []*Follow
			for _, f := range s.st.follows[ext] {
				if matches(f) {
					cands = append(cands, f)
				}
			}
			by := s.lastChatter(ext, cands)
			if by == nil {
				if len(req.ExternalUserID) > 0 {
					failList = append(failList, ext)
				}
				continue
			}
			m.Results = append(m.Results, GroupMsgResult{ExternalUserID: ext, UserID: by.UserID})
			addTask(by.UserID)
		}
	}
	st := ecMsgs(s)
	st.msgs = append(st.msgs, m)
	st.byID[m.MsgID] = m
	return map[string]any{"fail_list": failList, "msgid": m.MsgID}, nil
}

// lastChatter picks, of the relations fs of customer ext, the member who
// last chatted with them: the one MemberChatsWith named last, unless a
// relation was added after that chat (a relation starts with a chat);
// else the newest relation (the later added on equal CreateTime). nil
// when fs is empty.
func (s *Server) lastChatter(ext string, fs []*Follow) *Follow {
	var newest *Follow
	for _, f := range fs {
		if newest == nil || f.CreateTime >= newest.CreateTime {
			newest = f
		}
	}
	if lc, ok := ecMsgs(s).lastChat[ext]; ok && newest != nil && newest.CreateTime <= lc.at {
		for _, f := range fs {
			if f.UserID == lc.userID {
				return f
			}
		}
	}
	return newest
}

// MemberChatsWith records that userID has just chatted with externalUserID
// (in the client; WeCom sends no callback for it). A later single-chat
// mass message to that customer goes through this member only, as WeCom
// sends it through the member who last chatted with the customer when
// several members have them. By default that is the member who added
// the customer last.
func (s *Server) MemberChatsWith(userID, externalUserID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.st.follow(userID, externalUserID); err != nil {
		return fmt.Errorf("wecomtest: %s does not have customer %s", userID, externalUserID)
	}
	ecMsgs(s).lastChat[externalUserID] = lastChat{userID: userID, at: s.clock.Now().Unix()}
	return nil
}

func (s *Server) ecMsg(id string) (*MsgTemplate, error) {
	if err := requireField("msgid", id); err != nil {
		return nil, err
	}
	m, ok := ecMsgs(s).byID[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid parameter: msgid %s does not exist", id)
	}
	return m, nil
}

func (s *Server) ecGroupMsgList(c *call) (any, error) {
	var req struct {
		ChatType   string `json:"chat_type"`
		StartTime  int64  `json:"start_time"`
		EndTime    int64  `json:"end_time"`
		Creator    string `json:"creator"`
		FilterType *int   `json:"filter_type"`
		Limit      int    `json:"limit"`
		Cursor     string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatType != "single" && req.ChatType != "group" {
		return nil, errorf(codeInvalidParameter, "invalid parameter: chat_type %q", req.ChatType)
	}
	if req.StartTime <= 0 || req.EndTime < req.StartTime {
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time/end_time")
	}
	if req.EndTime-req.StartTime > 31*86400 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: time range exceeds one month")
	}
	filter := 2
	if req.FilterType != nil {
		filter = *req.FilterType
	}
	if filter < 0 || filter > 2 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: filter_type %d", filter)
	}
	limit, err := checkLimit(req.Limit, 50, 100)
	if err != nil {
		return nil, err
	}
	type entry struct {
		MsgID       string          `json:"msgid"`
		Creator     string          `json:"creator"`
		CreateTime  string          `json:"create_time"` // WeCom sends it as a string here
		CreateType  int             `json:"create_type"`
		Text        *ecText         `json:"text,omitempty"`
		Attachments json.RawMessage `json:"attachments,omitempty"`
	}
	var rows []entry
	for _, m := range ecMsgs(s).msgs {
		if m.ChatType != req.ChatType || m.CreateTime < req.StartTime || m.CreateTime > req.EndTime {
			continue
		}
		if (req.Creator != "" && m.Creator != req.Creator) || (filter != 2 && filter != m.CreateType) {
			continue
		}
		e := entry{MsgID: m.MsgID, Creator: m.Creator, CreateTime: fmt.Sprint(m.CreateTime), CreateType: m.CreateType, Attachments: m.Attachments}
		if m.Text != "" {
			e.Text = &ecText{m.Text}
		}
		rows = append(rows, e)
	}
	items, next, err := page("groupmsg_list", rows, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []entry{}
	}
	return map[string]any{"group_msg_list": items, "next_cursor": next}, nil
}

func (s *Server) ecGroupMsgTask(c *call) (any, error) {
	var req struct {
		MsgID  string `json:"msgid"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.ecMsg(req.MsgID)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 500, 1000)
	if err != nil {
		return nil, err
	}
	items, next, err := page("groupmsg_task"+m.MsgID, m.Tasks, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []GroupMsgTask{}
	}
	return map[string]any{"task_list": items, "next_cursor": next}, nil
}

func (s *Server) ecGroupMsgSendResult(c *call) (any, error) {
	var req struct {
		MsgID  string `json:"msgid"`
		UserID string `json:"userid"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.ecMsg(req.MsgID)
	if err != nil {
		return nil, err
	}
	if err := requireField("userid", req.UserID); err != nil {
		return nil, err
	}
	if _, err := s.st.user(req.UserID); err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 500, 1000)
	if err != nil {
		return nil, err
	}
	var rows []GroupMsgResult
	for _, r := range m.Results {
		if r.UserID == req.UserID {
			rows = append(rows, r)
		}
	}
	items, next, err := page("groupmsg_send"+m.MsgID+req.UserID, rows, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []GroupMsgResult{}
	}
	return map[string]any{"send_list": items, "next_cursor": next}, nil
}

func (s *Server) ecGroupMsgAction(cancel bool) handlerFunc {
	return func(c *call) (any, error) {
		var req struct {
			MsgID string `json:"msgid"`
		}
		if err := c.decode(&req); err != nil {
			return nil, err
		}
		m, err := s.ecMsg(req.MsgID)
		if err != nil {
			return nil, err
		}
		if cancel {
			m.Canceled = true
			return nil, nil
		}
		if m.Canceled {
			return nil, errorf(codeInvalidParameter, "invalid parameter: the mass message was canceled")
		}
		m.Reminders++
		return nil, nil
	}
}

// ConfirmGroupMsg makes a member send their part of a mass message, as
// they do by confirming in the WeCom app: their task becomes sent and each
// of their recipients gets status 1 (sent), 2 (no longer a contact) or 3
// (the customer or group already received its quota of corp mass
// messages: see SetGroupMsgQuota).
func (s *Server) ConfirmGroupMsg(msgID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runTickers(s.clock.Now())
	m, ok := ecMsgs(s).byID[msgID]
	if !ok {
		return fmt.Errorf("wecomtest: no mass message %s", msgID)
	}
	if m.Canceled {
		return fmt.Errorf("wecomtest: mass message %s was canceled", msgID)
	}
	i := slices.IndexFunc(m.Tasks, func(t GroupMsgTask) bool { return t.UserID == userID })
	if i < 0 {
		return fmt.Errorf("wecomtest: %s has no task in mass message %s", userID, msgID)
	}
	if m.Tasks[i].Status == 2 {
		return fmt.Errorf("wecomtest: %s already sent mass message %s", userID, msgID)
	}
	now := s.clock.Now()
	m.Tasks[i].Status, m.Tasks[i].SendTime = 2, now.Unix()
	st := ecMsgs(s)
	for j := range m.Results {
		r := &m.Results[j]
		if r.UserID != userID {
			continue
		}
		r.SendTime = now.Unix()
		key := r.ExternalUserID
		if r.ChatID != "" {
			key = "chat:" + r.ChatID
		}
		switch {
		case r.ChatID == "" && func() bool { _, err := s.st.follow(userID, r.ExternalUserID); return err != nil }():
			r.Status = 2
		case m.CreateType == 0 && st.quota.reached(st.received[key], now):
			r.Status = 3
		default:
			r.Status = 1
			if m.CreateType == 0 {
				st.received[key] = append(st.received[key], now.Unix())
			}
		}
	}
	return nil
}

// MsgTemplates returns the mass messages the server holds, in the order
// created.
func (s *Server) MsgTemplates() []MsgTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MsgTemplate
	for _, m := range ecMsgs(s).msgs {
		c := *m
		c.Tasks = slices.Clone(m.Tasks)
		c.Results = slices.Clone(m.Results)
		out = append(out, c)
	}
	return out
}
