package wecomtest

import (
	"strconv"
	"time"
)

// OtherContact is an external contact a member serves who is not a
// customer (其他外部联系人): contact_list lists them with is_customer
// false and no external_userid.
type OtherContact struct {
	Name         string
	FollowUserID string
	AddTime      int64
}

type contactListState struct {
	others  []OtherContact
	tmpIDs  map[string]string // contact key → tmp_openid
	tmpTime map[string]int64  // contact key → when its tmp_openid was issued
}

func (s *Server) contactListState() *contactListState {
	return areaState(s, "ec.contact_list", func() *contactListState {
		return &contactListState{tmpIDs: map[string]string{}, tmpTime: map[string]int64{}}
	})
}

// AddOtherContact adds a non-customer external contact of a member, for
// contact_list.
func (s *Server) AddOtherContact(c OtherContact) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.st.user(c.FollowUserID); err != nil {
		return err
	}
	if c.AddTime == 0 {
		c.AddTime = s.clock.Now().Unix()
	}
	st := s.contactListState()
	st.others = append(st.others, c)
	return nil
}

// tmpOpenIDLifetime is how long a contact_list tmp_openid stays the same.
const tmpOpenIDLifetime = int64(4 * time.Hour / time.Second)

// tmpOpenID is the contact's temporary id, renewed every 4 hours.
func (s *Server) tmpOpenID(key string, now int64) string {
	st := s.contactListState()
	if id, ok := st.tmpIDs[key]; ok && now < st.tmpTime[key]+tmpOpenIDLifetime {
		return id
	}
	id := s.ids.ID("tmp", 28)
	st.tmpIDs[key], st.tmpTime[key] = id, now
	return id
}

type contactJSON struct {
	IsCustomer     bool   `json:"is_customer"`
	TmpOpenID      string `json:"tmp_openid"`
	ExternalUserID string `json:"external_userid,omitempty"`
	Name           string `json:"name,omitempty"`
	FollowUserID   string `json:"follow_userid,omitempty"`
	ChatID         string `json:"chat_id,omitempty"`
	ChatName       string `json:"chat_name,omitempty"`
	AddTime        int64  `json:"add_time"`
}

// contactList serves contact_list: every external contact members
// serve, one row per member relation (customers, then the non-customers
// of AddOtherContact) and per external member of a group chat (is_customer
// when they are a customer), cursor-paged, limit ≤1000 (default 1000).
func (s *Server) contactList(c *call) (any, error) {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if len(c.Body) > 0 {
		if err := c.decode(&req); err != nil {
			return nil, err
		}
	}
	limit, err := checkLimit(req.Limit, 1000, 1000)
	if err != nil {
		return nil, err
	}
	now := c.Now.Unix()
	var rows []contactJSON
	for _, id := range s.st.customerOrder {
		for _, f := range s.st.follows[id] {
			rows = append(rows, contactJSON{IsCustomer: true, TmpOpenID: s.tmpOpenID("c:"+id, now), ExternalUserID: id,
				FollowUserID: f.UserID, AddTime: f.CreateTime})
		}
	}
	for i, o := range s.contactListState().others {
		rows = append(rows, contactJSON{TmpOpenID: s.tmpOpenID("o:"+strconv.Itoa(i), now), Name: o.Name,
			FollowUserID: o.FollowUserID, AddTime: o.AddTime})
	}
	for _, chatID := range s.st.chatOrder {
		g := s.st.chats[chatID]
		for _, m := range g.Members {
			if m.Type != 2 {
				continue
			}
			added := m.JoinTime
			if added == 0 {
				added = g.CreateTime
			}
			r := contactJSON{TmpOpenID: s.tmpOpenID("c:"+m.UserID, now), ChatID: g.ChatID, ChatName: g.Name, AddTime: added}
			if _, ok := s.st.customers[m.UserID]; ok {
				r.IsCustomer, r.ExternalUserID = true, m.UserID
			} else {
				r.Name = m.Name
			}
			rows = append(rows, r)
		}
	}
	items, next, err := page("contact_list", rows, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []contactJSON{}
	}
	return struct {
		InfoList   []contactJSON `json:"info_list"`
		NextCursor string        `json:"next_cursor"`
	}{items, next}, nil
}
