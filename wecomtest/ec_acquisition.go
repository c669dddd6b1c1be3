package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Customer acquisition (获客助手). Links assign the customers who click
// them to the members in range; AcquireCustomer plays a customer doing so.
// Each acquired customer uses one unit of the corp's quota
// (SetAcquisitionQuota); quota events (balance_low, balance_exhausted) and
// customer_start_chat are emitted like WeCom's customer_acquisition
// callbacks.

func registerECAcquisition(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/create_link", s.ecCreateLink)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/get", s.ecGetLink)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/list_link", s.ecListLinks)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/update_link", s.ecUpdateLink)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/delete_link", s.ecDeleteLink)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/customer", s.ecLinkCustomers)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/statistic", s.ecLinkStatistic)
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/customer_acquisition_quota", s.ecAcquisitionQuota)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_acquisition/get_chat_info", s.ecAcqChatInfo)
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/customer_acquisition_app/get_permit", s.ecAcqAppPermit)
}

// AcquisitionLink is a customer-acquisition link the server holds.
type AcquisitionLink struct {
	LinkID        string
	LinkName      string
	URL           string
	CreateTime    int64
	SkipVerify    bool
	MarkSource    bool
	Users         []string
	Departments   []int
	PriorityType  int
	PriorityUsers []string
	Customers     []AcquiredCustomer
	Clicks        []int64 // Unix seconds of each click
}

// AcquiredCustomer is a customer who came through a link.
type AcquiredCustomer struct {
	ExternalUserID string `json:"external_userid"`
	UserID         string `json:"userid"`
	ChatStatus     int    `json:"chat_status"`
	State          string `json:"state"`
	AddTime        int64  `json:"-"`
}

type ecAcqState struct {
	chats          map[string]acqChat   // chat_key → chat
	msgCount       map[[2]string]int    // link_id, external_userid → messages received
	permit         AcquisitionAppPermit // the range of a customer-acquisition app
	links          []*AcquisitionLink
	total, balance int64
	expire         int64
	next           int // round robin over range members
}

func ecAcq(s *Server) *ecAcqState {
	return areaState(s, "ec.acquisition", func() *ecAcqState {
		return &ecAcqState{chats: map[string]acqChat{}, msgCount: map[[2]string]int{}, total: 1000, balance: 1000, expire: s.clock.Now().AddDate(1, 0, 0).Unix()}
	})
}

type ecLinkBody struct {
	LinkID         string   `json:"link_id"`
	LinkName       string   `json:"link_name"`
	Range          *ecRange `json:"range"`
	SkipVerify     *bool    `json:"skip_verify"`
	MarkSource     *bool    `json:"mark_source"`
	PriorityOption *struct {
		PriorityType       int      `json:"priority_type"`
		PriorityUserIDList []string `json:"priority_userid_list"`
	} `json:"priority_option"`
}

func (s *Server) checkECLink(b *ecLinkBody, create bool) error {
	if create && b.LinkName == "" {
		return errorf(codeInvalidParameter, "invalid parameter: link_name missing")
	}
	if utf8.RuneCountInString(b.LinkName) > 30 {
		return errorf(codeInvalidParameter, "invalid parameter: link_name longer than 30 characters")
	}
	if create && (b.Range == nil || len(b.Range.UserList)+len(b.Range.DepartmentList) == 0) {
		return errorf(codeInvalidParameter, "invalid parameter: range missing")
	}
	if b.Range != nil && len(b.Range.UserList) > 500 {
		return errorf(codeInvalidParameter, "invalid parameter: range exceeds 500 members")
	}
	if err := s.checkECRange(b.Range); err != nil {
		return err
	}
	if p := b.PriorityOption; p != nil {
		if p.PriorityType != 1 && p.PriorityType != 2 {
			return errorf(codeInvalidParameter, "invalid parameter: priority_type %d", p.PriorityType)
		}
		if p.PriorityType == 2 && len(p.PriorityUserIDList) == 0 {
			return errorf(codeInvalidParameter, "invalid parameter: priority_userid_list missing")
		}
		for _, u := range p.PriorityUserIDList {
			if _, err := s.st.user(u); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) ecLink(id string) (*AcquisitionLink, error) {
	if err := requireField("link_id", id); err != nil {
		return nil, err
	}
	for _, l := range ecAcq(s).links {
		if l.LinkID == id {
			return l, nil
		}
	}
	return nil, errorf(codeInvalidParameter, "invalid parameter: link_id %s does not exist", id)
}

func (s *Server) ecCreateLink(c *call) (any, error) {
	var req ecLinkBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := s.checkECLink(&req, true); err != nil {
		return nil, err
	}
	id := "cawcde" + s.ids.ID("", 12)
	l := &AcquisitionLink{
		LinkID: id, LinkName: req.LinkName, URL: "https://work.weixin.qq.com/ca/" + id, CreateTime: c.Now.Unix(),
		SkipVerify: true, MarkSource: true, Users: slices.Clone(req.Range.UserList), Departments: slices.Clone(req.Range.DepartmentList),
	}
	s.applyECLink(l, &req)
	st := ecAcq(s)
	st.links = append(st.links, l)
	return map[string]any{"link": map[string]any{"link_id": l.LinkID, "link_name": l.LinkName, "url": l.URL, "create_time": l.CreateTime}}, nil
}

func (s *Server) applyECLink(l *AcquisitionLink, b *ecLinkBody) {
	if b.LinkName != "" {
		l.LinkName = b.LinkName
	}
	if b.Range != nil {
		l.Users, l.Departments = slices.Clone(b.Range.UserList), slices.Clone(b.Range.DepartmentList)
	}
	if b.SkipVerify != nil {
		l.SkipVerify = *b.SkipVerify
	}
	if b.MarkSource != nil {
		l.MarkSource = *b.MarkSource
	}
	if b.PriorityOption != nil {
		l.PriorityType, l.PriorityUsers = b.PriorityOption.PriorityType, slices.Clone(b.PriorityOption.PriorityUserIDList)
	}
}

func (s *Server) ecGetLink(c *call) (any, error) {
	var req ecLinkBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := s.ecLink(req.LinkID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"link":  map[string]any{"link_name": l.LinkName, "url": l.URL, "create_time": l.CreateTime, "skip_verify": l.SkipVerify},
		"range": map[string]any{"user_list": ecNonNil(l.Users), "department_list": ecNonNil(l.Departments)},
	}
	if l.PriorityType != 0 {
		out["priority_option"] = map[string]any{"priority_type": l.PriorityType, "priority_userid_list": ecNonNil(l.PriorityUsers)}
	}
	return out, nil
}

func (s *Server) ecListLinks(c *call) (any, error) {
	var req struct {
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 100, 100)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range ecAcq(s).links {
		ids = append(ids, l.LinkID)
	}
	items, next, err := page("acq_links", ids, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"link_id_list": ecNonNil(items), "next_cursor": next}, nil
}

func (s *Server) ecUpdateLink(c *call) (any, error) {
	var req ecLinkBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := s.ecLink(req.LinkID)
	if err != nil {
		return nil, err
	}
	if req.Range != nil && len(req.Range.UserList)+len(req.Range.DepartmentList) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: range is empty")
	}
	if err := s.checkECLink(&req, false); err != nil {
		return nil, err
	}
	s.applyECLink(l, &req)
	return nil, nil
}

func (s *Server) ecDeleteLink(c *call) (any, error) {
	var req ecLinkBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := s.ecLink(req.LinkID)
	if err != nil {
		return nil, err
	}
	st := ecAcq(s)
	st.links = slices.DeleteFunc(st.links, func(x *AcquisitionLink) bool { return x == l })
	return nil, nil
}

func (s *Server) ecLinkCustomers(c *call) (any, error) {
	var req struct {
		LinkID string `json:"link_id"`
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := s.ecLink(req.LinkID)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 1000, 1000)
	if err != nil {
		return nil, err
	}
	items, next, err := page("acq_customers"+l.LinkID, l.Customers, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"customer_list": ecNonNil(items), "next_cursor": next}, nil
}

func (s *Server) ecLinkStatistic(c *call) (any, error) {
	var req struct {
		LinkID    string `json:"link_id"`
		StartTime int64  `json:"start_time"`
		EndTime   int64  `json:"end_time"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := s.ecLink(req.LinkID)
	if err != nil {
		return nil, err
	}
	if req.StartTime <= 0 || req.EndTime < req.StartTime || req.EndTime-req.StartTime > 30*86400 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time/end_time")
	}
	if c.Now.Unix()-req.StartTime > 180*86400 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time older than 180 days")
	}
	// Whole days, both ends included.
	from := ecDayOf(time.Unix(req.StartTime, 0)).Unix()
	to := ecDayOf(time.Unix(req.EndTime, 0)).AddDate(0, 0, 1).Unix()
	in := func(t int64) bool { return t >= from && t < to }
	var clicks, added int64
	for _, t := range l.Clicks {
		if in(t) {
			clicks++
		}
	}
	for _, cu := range l.Customers {
		if in(cu.AddTime) {
			added++
		}
	}
	return map[string]any{"click_link_customer_cnt": clicks, "new_customer_cnt": added}, nil
}

func (s *Server) ecAcquisitionQuota(c *call) (any, error) {
	st := ecAcq(s)
	return map[string]any{
		"total": st.total, "balance": st.balance,
		"quota_list": []map[string]any{{"expire_date": st.expire, "balance": st.balance}},
	}, nil
}

// SetAcquisitionQuota sets the corp's acquisition quota.
func (s *Server) SetAcquisitionQuota(total, balance int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ecAcq(s)
	st.total, st.balance = total, balance
}

func (s *Server) emitAcquisition(changeType, linkID string, extra ...Field) {
	fields := []Field{}
	if linkID != "" {
		fields = append(fields, Field{Name: "LinkId", Value: linkID})
	}
	s.emit(Event{Event: "customer_acquisition", ChangeType: changeType, Fields: append(fields, extra...)})
}

// ClickAcquisitionLink records a click on a link that did not lead to an
// add (for statistic).
func (s *Server) ClickAcquisitionLink(linkID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.ecLink(linkID)
	if err != nil {
		return err
	}
	l.Clicks = append(l.Clicks, s.clock.Now().Unix())
	return nil
}

// AcquireCustomer plays a customer who clicks a link and adds a member of
// its range (members in turn): the customer and the follow relation are
// created (an add_external_contact callback with a welcome code), the
// link lists the customer with state, and one unit of quota is used. With
// no quota left it fails; the add that uses the last unit emits
// balance_exhausted, and one that leaves 10% or less emits balance_low.
func (s *Server) AcquireCustomer(linkID, state string, c Customer) (Customer, error) {
	s.mu.Lock()
	l, err := s.ecLink(linkID)
	if err != nil {
		s.mu.Unlock()
		return Customer{}, err
	}
	st := ecAcq(s)
	now := s.clock.Now().Unix()
	l.Clicks = append(l.Clicks, now)
	if st.balance <= 0 {
		s.mu.Unlock()
		return Customer{}, fmt.Errorf("wecomtest: acquisition quota exhausted")
	}
	var members []string
	members = append(members, l.Users...)
	for _, id := range s.st.userOrder {
		for _, d := range l.Departments {
			if slices.Contains(s.st.users[id].DepartmentIDs, d) && !slices.Contains(members, id) {
				members = append(members, id)
			}
		}
	}
	if len(members) == 0 {
		s.mu.Unlock()
		return Customer{}, fmt.Errorf("wecomtest: link %s has no member to assign", linkID)
	}
	member := members[st.next%len(members)]
	st.next++
	s.mu.Unlock()

	added, err := s.AddCustomer(c, Follow{UserID: member, State: state, OperUserID: member, AddWay: 16}) // 16: customer-acquisition link
	if err != nil {
		return Customer{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l.Customers = append(l.Customers, AcquiredCustomer{ExternalUserID: added.ExternalUserID, UserID: member, State: state, AddTime: now})
	st.balance--
	switch {
	case st.balance == 0:
		s.emitAcquisition("balance_exhausted", "")
	case st.balance*10 <= st.total:
		s.emitAcquisition("balance_low", "", Field{Name: "Balance", Value: strconv.FormatInt(st.balance, 10), Number: true})
	}
	return added, nil
}

// StartAcquisitionChat marks that a customer acquired by a link wrote to
// the member (chat_status 1) and emits customer_start_chat.
func (s *Server) StartAcquisitionChat(linkID, externalUserID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.ecLink(linkID)
	if err != nil {
		return err
	}
	for i := range l.Customers {
		if l.Customers[i].ExternalUserID == externalUserID {
			l.Customers[i].ChatStatus = 1
			s.emitAcquisition("customer_start_chat", linkID,
				Field{Name: "UserID", Value: l.Customers[i].UserID}, Field{Name: "ExternalUserID", Value: externalUserID})
			return nil
		}
	}
	return fmt.Errorf("wecomtest: %s did not come through link %s", externalUserID, linkID)
}

// AcquisitionLinks returns the links the server holds.
func (s *Server) AcquisitionLinks() []AcquisitionLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AcquisitionLink
	for _, l := range ecAcq(s).links {
		c := *l
		c.Users, c.Departments, c.PriorityUsers = slices.Clone(l.Users), slices.Clone(l.Departments), slices.Clone(l.PriorityUsers)
		c.Customers, c.Clicks = slices.Clone(l.Customers), slices.Clone(l.Clicks)
		out = append(out, c)
	}
	return out
}

// acqChat is what get_chat_info answers for a chat_key.
type acqChat struct {
	userID, externalUserID, linkID, state string
	count                                 int
	issued                                int64
}

// chatKeyLifetime is how long a ChatKey answers get_chat_info.
const chatKeyLifetime = 30 * 60

// CustomerMessagesThroughLink simulates a customer who came through an
// acquisition link writing to their member again: it emits
// customer_acquisition message_from_customer with the link and a fresh
// ChatKey (and, as WeCom since 2024-12-19, without UserID and
// ExternalUserID), and returns the ChatKey. get_chat_info answers for it
// for 30 minutes on the server clock.
func (s *Server) CustomerMessagesThroughLink(linkID, externalUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runTickers(s.clock.Now())
	l, err := s.ecLink(linkID)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(l.Customers, func(c AcquiredCustomer) bool { return c.ExternalUserID == externalUserID })
	if i < 0 {
		return "", fmt.Errorf("wecomtest: %s did not come through link %s", externalUserID, linkID)
	}
	st := ecAcq(s)
	key := [2]string{linkID, externalUserID}
	st.msgCount[key]++
	chatKey := s.ids.ID("ck", 30)
	c := l.Customers[i]
	st.chats[chatKey] = acqChat{userID: c.UserID, externalUserID: externalUserID, linkID: linkID, state: c.State,
		count: st.msgCount[key], issued: s.clock.Now().Unix()}
	s.emitAcquisition("message_from_customer", linkID, Field{Name: "ChatKey", Value: chatKey})
	return chatKey, nil
}

func (s *Server) ecAcqChatInfo(c *call) (any, error) {
	var req struct {
		ChatKey string `json:"chat_key"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatKey == "" {
		return nil, errorf(codeInvalidParameter, "missing chat_key")
	}
	ch, ok := ecAcq(s).chats[req.ChatKey]
	if !ok || c.Now.Unix() >= ch.issued+chatKeyLifetime {
		return nil, errorf(codeInvalidParameter, "invalid or expired chat_key")
	}
	type info struct {
		RecvMsgCnt int    `json:"recv_msg_cnt"`
		LinkID     string `json:"link_id"`
		State      string `json:"state"`
	}
	return struct {
		UserID         string `json:"userid"`
		ExternalUserID string `json:"external_userid"`
		ChatInfo       info   `json:"chat_info"`
	}{ch.userID, ch.externalUserID, info{ch.count, ch.linkID, ch.state}}, nil
}

// AcquisitionAppPermit is the range a third-party customer-acquisition
// app may connect customers with, as get_permit answers it.
type AcquisitionAppPermit struct {
	UserList       []string
	DepartmentList []int
	TagList        []int
}

// SetAcquisitionAppPermit sets what get_permit answers (empty lists by
// default).
func (s *Server) SetAcquisitionAppPermit(p AcquisitionAppPermit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ecAcq(s).permit = AcquisitionAppPermit{slices.Clone(p.UserList), slices.Clone(p.DepartmentList), slices.Clone(p.TagList)}
}

func (s *Server) ecAcqAppPermit(c *call) (any, error) {
	p := ecAcq(s).permit
	orEmpty := func(v []int) []int {
		if v == nil {
			return []int{}
		}
		return v
	}
	users := p.UserList
	if users == nil {
		users = []string{}
	}
	return struct {
		UserList       []string `json:"user_list"`
		DepartmentList []int    `json:"department_list"`
		TagList        []int    `json:"tag_list"`
	}{users, orEmpty(p.DepartmentList), orEmpty(p.TagList)}, nil
}
