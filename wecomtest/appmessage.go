package wecomtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// App messages (应用消息): message/send records each message with whom it
// reached, recall withdraws one within 24 hours of the server clock, and
// update_template_card spends an interactive card's response code. Like
// WeCom, the server drops messages to a member past 30 a minute or 1000
// an hour from the app without saying so; AppMessage.Dropped shows them.

func registerAppMessages(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/message/send", s.messageSend)
	s.handle(http.MethodPost, "/cgi-bin/message/recall", s.messageRecall)
	s.handle(http.MethodPost, "/cgi-bin/message/update_template_card", s.messageUpdateTemplateCard)
}

// Errcodes of the app-message endpoints.
const (
	codeInvalidMsgType      = 40008
	codeInvalidAgentID      = 40056
	codeEmptyContent        = 44004
	codeAllRecipientsInvald = 81013
)

// Per-member limits of one app's messages; the excess is dropped.
const (
	appMessagesPerMinute = 30
	appMessagesPerHour   = 1000
)

// AppMessage is an app message the server accepted (message/send).
type AppMessage struct {
	MsgID   string
	AgentID int
	MsgType string
	// Content is the text of a text or markdown message, the title of a
	// textcard or of the first news article, or the main title of a
	// template card.
	Content string
	// CardType and TaskID are set for template cards.
	CardType, TaskID string
	// Body is the JSON under the msgtype key, as sent.
	Body json.RawMessage
	// ToUser, ToParty and ToTag are the recipients as requested, split at
	// '|' (ToUser is ["@all"] for everyone).
	ToUser, ToParty, ToTag []string
	// Recipients are the members the message reached, in order.
	Recipients []string
	// Dropped are members over the per-member limit (30 a minute, 1000 an
	// hour from the app): WeCom answered ok, but they never got it.
	Dropped []string
	// The invalid and unlicensed recipients WeCom answered with.
	InvalidUsers, InvalidParties, InvalidTags, UnlicensedUsers []string
	// Duplicate says the request repeated one sent within its
	// duplicate_check_interval with enable_duplicate_check: nobody got it.
	Duplicate bool
	// ResponseCode is set for interactive template cards.
	ResponseCode string
	SentAt       time.Time
	// RecalledAt is when the message was recalled; zero if it was not.
	RecalledAt time.Time
	// CardUpdates are the update_template_card calls that used its
	// response code.
	CardUpdates []CardUpdate
}

// Recalled reports whether the message was recalled.
func (m AppMessage) Recalled() bool { return !m.RecalledAt.IsZero() }

// CardUpdate is one update_template_card of an AppMessage.
type CardUpdate struct {
	At      time.Time
	UserIDs []string // the members whose card changed
	AtAll   bool
	// ReplaceName is set for a button update, TemplateCard for a new card.
	ReplaceName  string
	TemplateCard json.RawMessage
}

type appMessageState struct {
	msgs  []*AppMessage
	byID  map[string]*AppMessage
	codes map[string]*AppMessage // response code → message; deleted once used
	// sent holds, per member, when messages reached them in the last hour.
	sent map[string][]time.Time
	// dup holds, per request body, the last time it was sent with the
	// duplicate check on, and the check's interval.
	dup map[string]dupEntry
}

type dupEntry struct {
	at       time.Time
	interval time.Duration
}

func newAppMessageState() *appMessageState {
	return &appMessageState{byID: map[string]*AppMessage{}, codes: map[string]*AppMessage{}, sent: map[string][]time.Time{}, dup: map[string]dupEntry{}}
}

func (s *Server) appMessages() *appMessageState {
	return areaState(s, "appmessage", newAppMessageState)
}

// AppMessages returns every app message accepted so far, in order.
func (s *Server) AppMessages() []AppMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.appMessages()
	out := make([]AppMessage, 0, len(st.msgs))
	for _, m := range st.msgs {
		out = append(out, cloneAppMessage(m))
	}
	return out
}

// AppMessagesTo returns the app messages that reached userID (not the
// dropped ones), in order.
func (s *Server) AppMessagesTo(userID string) []AppMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AppMessage
	for _, m := range s.appMessages().msgs {
		if slices.Contains(m.Recipients, userID) {
			out = append(out, cloneAppMessage(m))
		}
	}
	return out
}

func cloneAppMessage(m *AppMessage) AppMessage {
	c := *m
	c.Body = slices.Clone(m.Body)
	for _, l := range []*[]string{&c.ToUser, &c.ToParty, &c.ToTag, &c.Recipients, &c.Dropped,
		&c.InvalidUsers, &c.InvalidParties, &c.InvalidTags, &c.UnlicensedUsers} {
		*l = slices.Clone(*l)
	}
	c.CardUpdates = slices.Clone(m.CardUpdates)
	return c
}

func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// recipients resolves touser, toparty and totag to members, as WeCom does:
// unknown (or departed or disabled) userids, departments and tags are
// invalid, userids match case-insensitively and invalid ones come back
// lower-cased.
func (s *Server) recipients(users, parties, tags []string) (members, invalidUsers, invalidParties, invalidTags []string) {
	st := s.staff()
	seen := map[string]bool{}
	add := func(u *User) {
		if u.Resigned || st.profile(u.UserID).Disabled || seen[u.UserID] {
			return
		}
		seen[u.UserID] = true
		members = append(members, u.UserID)
	}
	if len(users) == 1 && users[0] == "@all" {
		for _, id := range s.st.userOrder {
			add(s.st.users[id])
		}
		return members, nil, nil, nil
	}
	lower := map[string]*User{}
	for _, id := range s.st.userOrder {
		lower[strings.ToLower(id)] = s.st.users[id]
	}
	for _, id := range users {
		u, ok := lower[strings.ToLower(id)]
		if !ok || u.Resigned || st.profile(u.UserID).Disabled {
			invalidUsers = append(invalidUsers, strings.ToLower(id))
			continue
		}
		add(u)
	}
	inDepartments := func(ids []int) {
		var tree []int
		for _, id := range ids {
			tree = append(tree, st.subtree(id)...)
		}
		for _, uid := range s.st.userOrder {
			u := s.st.users[uid]
			for _, d := range memberDepartments(u) {
				if slices.Contains(tree, d) {
					add(u)
					break
				}
			}
		}
	}
	for _, p := range parties {
		id, err := strconv.Atoi(p)
		if _, ok := st.depts[id]; err != nil || !ok {
			invalidParties = append(invalidParties, p)
			continue
		}
		inDepartments([]int{id})
	}
	for _, t := range tags {
		id, err := strconv.Atoi(t)
		tag, ok := st.tags[id]
		if err != nil || !ok {
			invalidTags = append(invalidTags, t)
			continue
		}
		for _, uid := range tag.UserIDs {
			if u, ok := s.st.users[uid]; ok {
				add(u)
			}
		}
		inDepartments(tag.PartyIDs)
	}
	return members, invalidUsers, invalidParties, invalidTags
}

// allowMessage reports whether one more message may reach userID now, and
// counts it if so.
func (st *appMessageState) allowMessage(userID string, now time.Time) bool {
	times := slices.DeleteFunc(st.sent[userID], func(t time.Time) bool { return !t.After(now.Add(-time.Hour)) })
	st.sent[userID] = times
	lastMinute := 0
	for _, t := range times {
		if t.After(now.Add(-time.Minute)) {
			lastMinute++
		}
	}
	if len(times) >= appMessagesPerHour || lastMinute >= appMessagesPerMinute {
		return false
	}
	st.sent[userID] = append(times, now)
	return true
}

// messageSend serves POST /cgi-bin/message/send.
func (s *Server) messageSend(c *call) (any, error) {
	var req map[string]json.RawMessage
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var head struct {
		ToUser                 string `json:"touser"`
		ToParty                string `json:"toparty"`
		ToTag                  string `json:"totag"`
		MsgType                string `json:"msgtype"`
		AgentID                int    `json:"agentid"`
		EnableDuplicateCheck   int    `json:"enable_duplicate_check"`
		DuplicateCheckInterval int    `json:"duplicate_check_interval"`
	}
	if err := json.Unmarshal(c.Body, &head); err != nil {
		return nil, errorf(codeDataFormat, "data format error: %v", err)
	}
	if head.AgentID != s.AgentID {
		return nil, errorf(codeInvalidAgentID, "invalid agentid")
	}
	body, ok := req[head.MsgType]
	switch head.MsgType {
	case "text", "markdown", "textcard", "news", "template_card", "image", "voice", "video", "file", "mpnews", "miniprogram_notice":
	default:
		return nil, errorf(codeInvalidMsgType, "invalid message type %q", head.MsgType)
	}
	if !ok || len(bytes.TrimSpace(body)) == 0 || string(bytes.TrimSpace(body)) == "null" {
		return nil, errorf(codeInvalidParameter, "invalid parameter: %s missing", head.MsgType)
	}
	m := &AppMessage{AgentID: head.AgentID, MsgType: head.MsgType, Body: slices.Clone(body), SentAt: c.Now,
		ToUser: splitIDs(head.ToUser), ToParty: splitIDs(head.ToParty), ToTag: splitIDs(head.ToTag)}
	if err := describeAppMessage(m); err != nil {
		return nil, err
	}
	switch {
	case len(m.ToUser) > 1000:
		return nil, errorf(codeInvalidParameter, "invalid parameter: touser exceeds 1000")
	case len(m.ToParty) > 100 || len(m.ToTag) > 100:
		return nil, errorf(codeInvalidParameter, "invalid parameter: toparty or totag exceeds 100")
	case head.DuplicateCheckInterval < 0 || head.DuplicateCheckInterval > 4*3600:
		return nil, errorf(codeInvalidParameter, "invalid duplicate_check_interval %d", head.DuplicateCheckInterval)
	}
	if len(m.ToUser) == 1 && m.ToUser[0] == "@all" {
		m.ToParty, m.ToTag = nil, nil // ignored with @all, as by WeCom
	}
	members, invU, invP, invT := s.recipients(m.ToUser, m.ToParty, m.ToTag)
	m.InvalidUsers, m.InvalidParties, m.InvalidTags = invU, invP, invT
	st, staff := s.appMessages(), s.staff()
	var reach []string
	for _, u := range members {
		if staff.profile(u).Unlicensed {
			m.UnlicensedUsers = append(m.UnlicensedUsers, u)
			continue
		}
		reach = append(reach, u)
	}
	if len(reach) == 0 && len(m.UnlicensedUsers) == 0 {
		return nil, errorf(codeAllRecipientsInvald, "user & party & tag all invalid")
	}
	m.MsgID = s.ids.ID("", 86)
	key := string(bytes.TrimSpace(c.Body))
	if head.EnableDuplicateCheck == 1 {
		interval := 1800 * time.Second
		if head.DuplicateCheckInterval > 0 {
			interval = time.Duration(head.DuplicateCheckInterval) * time.Second
		}
		if prev, ok := st.dup[key]; ok && c.Now.Before(prev.at.Add(prev.interval)) {
			m.Duplicate = true
			reach = nil
		} else {
			st.dup[key] = dupEntry{at: c.Now, interval: interval}
		}
	}
	for _, u := range reach {
		if st.allowMessage(u, c.Now) {
			m.Recipients = append(m.Recipients, u)
		} else {
			m.Dropped = append(m.Dropped, u)
		}
	}
	if m.MsgType == "template_card" && isInteractiveCard(m.CardType) && !m.Duplicate {
		m.ResponseCode = s.ids.ID("", 64)
		st.codes[m.ResponseCode] = m
	}
	st.msgs = append(st.msgs, m)
	st.byID[m.MsgID] = m
	return struct {
		InvalidUser    string `json:"invaliduser"`
		InvalidParty   string `json:"invalidparty"`
		InvalidTag     string `json:"invalidtag"`
		UnlicensedUser string `json:"unlicenseduser"`
		MsgID          string `json:"msgid"`
		ResponseCode   string `json:"response_code,omitempty"`
	}{strings.Join(m.InvalidUsers, "|"), strings.Join(m.InvalidParties, "|"), strings.Join(m.InvalidTags, "|"),
		strings.Join(m.UnlicensedUsers, "|"), m.MsgID, m.ResponseCode}, nil
}

func isInteractiveCard(t string) bool {
	return t == "button_interaction" || t == "vote_interaction" || t == "multiple_interaction"
}

// describeAppMessage fills Content, CardType and TaskID from the body and
// checks what WeCom requires of it.
func describeAppMessage(m *AppMessage) error {
	var b struct {
		Content  string `json:"content"`
		Title    string `json:"title"`
		Articles []struct {
			Title string `json:"title"`
		} `json:"articles"`
		CardType  string `json:"card_type"`
		TaskID    string `json:"task_id"`
		MainTitle struct {
			Title string `json:"title"`
		} `json:"main_title"`
	}
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return errorf(codeDataFormat, "data format error: %v", err)
	}
	switch m.MsgType {
	case "text", "markdown":
		if b.Content == "" {
			return errorf(codeEmptyContent, "empty content")
		}
		m.Content = b.Content
	case "textcard":
		if b.Title == "" {
			return errorf(codeInvalidParameter, "invalid parameter: textcard title missing")
		}
		m.Content = b.Title
	case "news":
		if len(b.Articles) == 0 || len(b.Articles) > 8 {
			return errorf(codeInvalidParameter, "invalid parameter: news needs 1..8 articles")
		}
		m.Content = b.Articles[0].Title
	case "template_card":
		switch b.CardType {
		case "text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction":
		default:
			return errorf(codeInvalidParameter, "invalid parameter: card_type %q", b.CardType)
		}
		if isInteractiveCard(b.CardType) && b.TaskID == "" {
			return errorf(codeInvalidParameter, "invalid parameter: task_id missing")
		}
		m.CardType, m.TaskID, m.Content = b.CardType, b.TaskID, b.MainTitle.Title
	}
	return nil
}

// messageRecall serves POST /cgi-bin/message/recall: a message of the
// last 24 hours, once.
func (s *Server) messageRecall(c *call) (any, error) {
	var req struct {
		MsgID string `json:"msgid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := requireField("msgid", req.MsgID); err != nil {
		return nil, err
	}
	m, ok := s.appMessages().byID[req.MsgID]
	switch {
	case !ok:
		return nil, errorf(codeInvalidParameter, "invalid msgid")
	case m.Recalled():
		return nil, errorf(codeInvalidParameter, "invalid msgid: already recalled")
	case !c.Now.Before(m.SentAt.Add(24 * time.Hour)):
		return nil, errorf(codeInvalidParameter, "invalid msgid: sent more than 24 hours ago")
	}
	m.RecalledAt = c.Now
	return nil, nil
}

// messageUpdateTemplateCard serves POST /cgi-bin/message/update_template_card.
func (s *Server) messageUpdateTemplateCard(c *call) (any, error) {
	var req struct {
		UserIDs      []string `json:"userids"`
		PartyIDs     []int    `json:"partyids"`
		TagIDs       []int    `json:"tagids"`
		AtAll        int      `json:"atall"`
		AgentID      int      `json:"agentid"`
		ResponseCode string   `json:"response_code"`
		Button       *struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
		TemplateCard json.RawMessage `json:"template_card"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.AgentID != s.AgentID {
		return nil, errorf(codeInvalidAgentID, "invalid agentid")
	}
	if err := requireField("response_code", req.ResponseCode); err != nil {
		return nil, err
	}
	st := s.appMessages()
	m, ok := st.codes[req.ResponseCode]
	if !ok || !c.Now.Before(m.SentAt.Add(72*time.Hour)) {
		return nil, errorf(codeInvalidParameter, "invalid response_code")
	}
	hasCard := len(req.TemplateCard) > 0 && string(req.TemplateCard) != "null"
	if (req.Button == nil || req.Button.ReplaceName == "") && !hasCard {
		return nil, errorf(codeInvalidParameter, "invalid parameter: button or template_card missing")
	}
	up := CardUpdate{At: c.Now, AtAll: req.AtAll == 1}
	if req.Button != nil {
		up.ReplaceName = req.Button.ReplaceName
	}
	if hasCard {
		up.TemplateCard = slices.Clone(req.TemplateCard)
	}
	invalid := []string{}
	if up.AtAll {
		up.UserIDs = slices.Clone(m.Recipients)
	} else {
		parties := make([]string, len(req.PartyIDs))
		for i, p := range req.PartyIDs {
			parties[i] = strconv.Itoa(p)
		}
		tags := make([]string, len(req.TagIDs))
		for i, t := range req.TagIDs {
			tags[i] = strconv.Itoa(t)
		}
		members, invU, _, _ := s.recipients(req.UserIDs, parties, tags)
		invalid = append(invalid, invU...)
		for _, u := range members {
			if slices.Contains(m.Recipients, u) {
				up.UserIDs = append(up.UserIDs, u)
			} else if slices.ContainsFunc(req.UserIDs, func(id string) bool { return strings.EqualFold(id, u) }) {
				invalid = append(invalid, strings.ToLower(u))
			}
		}
	}
	delete(st.codes, req.ResponseCode) // single use
	m.CardUpdates = append(m.CardUpdates, up)
	return struct {
		InvalidUser []string `json:"invaliduser"`
	}{invalid}, nil
}
