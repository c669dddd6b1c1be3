package wecomtest

import (
	"net/http"
	"slices"
	"time"
)

func registerGroupChatTransfers(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/transfer", func(c *call) (any, error) {
		return s.transferGroupChats(c, true)
	})
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/onjob_transfer", func(c *call) (any, error) {
		return s.transferGroupChats(c, false)
	})
}

type groupFailedChat struct {
	ChatID  string `json:"chat_id"`
	Errcode int    `json:"errcode"`
	Errmsg  string `json:"errmsg"`
}

// transferGroupChats serves groupchat/transfer (resigned owners) and
// groupchat/onjob_transfer. The new owner takes each group at once; no
// callback is sent, as WeCom sends none for changes made through the API
// (ChangeGroupChatOwner simulates an owner change made in the client). A resigned
// transfer reports status 2 (transferring) until the transfer delay has
// passed and 3 (transferred) after. Groups that cannot be transferred are
// listed in failed_chat_list with WeCom's errcode.
func (s *Server) transferGroupChats(c *call, resigned bool) (any, error) {
	var req struct {
		ChatIDList []string `json:"chat_id_list"`
		NewOwner   string   `json:"new_owner"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch n := len(req.ChatIDList); {
	case n == 0:
		return nil, errorf(codeInvalidParameter, "invalid parameter: chat_id_list missing")
	case n > 100:
		return nil, errorf(codeInvalidParameter, "invalid chat_id_list: %d chats, at most 100", n)
	}
	if err := requireField("new_owner", req.NewOwner); err != nil {
		return nil, err
	}
	u, err := s.st.user(req.NewOwner)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Resigned:
		return nil, errorf(codeUserNotFound, "invalid userid %s: resigned", u.UserID)
	case u.Inactive:
		return nil, errorf(codeMemberNotActivated, "user %s not activated", u.UserID)
	case !u.CustomerContact:
		return nil, errorf(codeGroupNoCustomerContact, "user %s has no customer contact permission", u.UserID)
	}

	s.settleGroupTransfers(c.Now)
	gs := s.groupChats()
	failed := []groupFailedChat{}
	fail := func(id string, code int, msg string) { failed = append(failed, groupFailedChat{id, code, msg}) }
	var done []string
	for _, id := range req.ChatIDList {
		if slices.Contains(done, id) {
			continue
		}
		g, ok := s.st.chats[id]
		if !ok {
			fail(id, codeInvalidChatID, "chatid not exist")
			continue
		}
		st := s.groupChatStatus(g)
		ownerGone := st == chatStatusResigned
		switch {
		case st == chatStatusTransferring:
			fail(id, codeGroupTransferring, "group chat transfer in progress")
			continue
		case resigned && st == chatStatusTransferred:
			fail(id, codeGroupTransferred, "group chat already transferred")
			continue
		case resigned && !ownerGone:
			fail(id, codeGroupOwnerNotResigned, "group owner not resigned")
			continue
		case !resigned && ownerGone:
			fail(id, codeGroupOwnerResigned, "group owner resigned")
			continue
		case g.Owner == req.NewOwner:
			fail(id, codeGroupOwnerUnchanged, "group owner unchanged")
			continue
		}
		s.setGroupChatOwner(g, req.NewOwner, c.Now)
		if resigned {
			g.Status = chatStatusTransferring
			gs.pending[id] = c.Now.Add(gs.transferDelay)
		} else {
			g.Status = chatStatusNormal
		}
		done = append(done, id)
	}
	s.settleGroupTransfers(c.Now)
	return map[string]any{"failed_chat_list": failed}, nil
}

// setGroupChatOwner makes newOwner the group's owner, adding them to the
// group if they are not in it. It sends no event.
func (s *Server) setGroupChatOwner(g *GroupChat, newOwner string, now time.Time) {
	old := g.Owner
	g.Owner = newOwner
	g.Admins = slices.DeleteFunc(g.Admins, func(a string) bool { return a == newOwner })
	in := slices.ContainsFunc(g.Members, func(m GroupMember) bool { return m.UserID == newOwner })
	if !in {
		m := GroupMember{UserID: newOwner, Type: 1, JoinTime: now.Unix(), JoinScene: 1, Name: s.st.users[newOwner].Name}
		if u, ok := s.st.users[old]; ok && !u.Resigned {
			m.Invitor = old
		}
		g.Members = append(g.Members, m)
		g.MemberVersion = s.ids.configID()
	}
}
