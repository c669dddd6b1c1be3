package wecomtest

import (
	"net/http"
	"slices"
)

func registerCustomerStrategies(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/list", s.listCustomerStrategies)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/get", s.getCustomerStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/get_range", s.getStrategyRange)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/create", s.createCustomerStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/edit", s.editCustomerStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/customer_strategy/del", s.delCustomerStrategy)
}

// customerStrategyPrivileges are the privilege keys of a customer strategy, in
// WeCom's order.
var customerStrategyPrivileges = []string{
	"view_customer_list", "view_customer_data", "view_room_list", "contact_me", "join_room",
	"share_customer", "oper_resign_customer", "oper_resign_group", "send_customer_msg",
	"edit_welcome_msg", "view_behavior_data", "view_room_data", "send_group_msg",
	"room_deduplication", "rapid_reply", "onjob_customer_transfer", "edit_anti_spam_rule",
	"export_customer_list", "export_customer_data", "export_customer_group_list",
	"manage_customer_tag",
}

// StrategyRange is a member (Type 1, UserID) or department (Type 2,
// PartyID) in the range of a customer or moment strategy.
type StrategyRange struct {
	Type    int    `json:"type"`
	UserID  string `json:"userid,omitempty"`
	PartyID int    `json:"partyid,omitempty"`
}

// CustomerStrategy is a customer-contact strategy (客户联系规则组).
type CustomerStrategy struct {
	ID         int
	ParentID   int
	Name       string
	CreateTime int64
	AdminList  []string
	Privilege  map[string]bool
	Range      []StrategyRange
}

type customerStrategyState struct {
	nextID int
	byID   map[int]*CustomerStrategy
	order  []int
}

func newCustomerStrategyState() *customerStrategyState {
	return &customerStrategyState{nextID: 1, byID: map[int]*CustomerStrategy{}}
}

func (s *Server) customerStrategies() *customerStrategyState {
	return areaState(s, "customer_strategy", newCustomerStrategyState)
}

// Strategies returns the customer strategies, in the order created.
func (s *Server) CustomerStrategies() []CustomerStrategy {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.customerStrategies()
	out := make([]CustomerStrategy, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, cloneCustomerStrategy(st.byID[id]))
	}
	return out
}

func cloneCustomerStrategy(p *CustomerStrategy) CustomerStrategy {
	c := *p
	c.AdminList = slices.Clone(p.AdminList)
	c.Range = slices.Clone(p.Range)
	c.Privilege = make(map[string]bool, len(p.Privilege))
	for k, v := range p.Privilege {
		c.Privilege[k] = v
	}
	return c
}

// strategy returns the strategy with id, or 40058.
func (s *Server) customerStrategy(id int) (*CustomerStrategy, error) {
	if id == 0 {
		return nil, errorf(codeInvalidParameter, "missing strategy_id")
	}
	p, ok := s.customerStrategies().byID[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid strategy_id %d", id)
	}
	return p, nil
}

func (s *Server) checkStrategyRanges(rs []StrategyRange) error {
	for _, r := range rs {
		switch r.Type {
		case 1:
			if _, err := s.st.user(r.UserID); err != nil {
				return err
			}
		case 2:
			if r.PartyID <= 0 {
				return errorf(codeInvalidParameter, "invalid partyid %d", r.PartyID)
			}
		default:
			return errorf(codeInvalidParameter, "invalid range type %d", r.Type)
		}
	}
	return nil
}

// editRange adds the ranges of add that rs lacks, then removes those of
// del, as the edit calls of both kinds of strategy do.
func editRange(rs, add, del []StrategyRange) []StrategyRange {
	for _, r := range add {
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return slices.DeleteFunc(rs, func(r StrategyRange) bool { return slices.Contains(del, r) })
}

// checkStrategyAdmins checks the admin_list of a customer or moment
// strategy: at most 20 members, each existing.
func (s *Server) checkStrategyAdmins(ids []string) error {
	if len(ids) > 20 {
		return errorf(codeInvalidParameter, "invalid admin_list size: at most 20")
	}
	for _, id := range ids {
		if _, err := s.st.user(id); err != nil {
			return err
		}
	}
	return nil
}

func checkStrategyPrivileges(p map[string]bool) error {
	for k := range p {
		if !slices.Contains(customerStrategyPrivileges, k) {
			return errorf(codeInvalidParameter, "invalid privilege %s", k)
		}
	}
	return nil
}

func (s *Server) listCustomerStrategies(c *call) (any, error) {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 1000, 1000)
	if err != nil {
		return nil, err
	}
	ids, next, err := page("customer_strategy", s.customerStrategies().order, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	type item struct {
		StrategyID int `json:"strategy_id"`
	}
	out := make([]item, len(ids))
	for i, id := range ids {
		out[i] = item{id}
	}
	return struct {
		CustomerStrategy []item `json:"strategy"`
		NextCursor       string `json:"next_cursor"`
	}{out, next}, nil
}

func (s *Server) getCustomerStrategy(c *call) (any, error) {
	var req struct {
		StrategyID int `json:"strategy_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.customerStrategy(req.StrategyID)
	if err != nil {
		return nil, err
	}
	priv := make(map[string]bool, len(customerStrategyPrivileges))
	for _, k := range customerStrategyPrivileges {
		priv[k] = p.Privilege[k]
	}
	type strategyJSON struct {
		StrategyID   int             `json:"strategy_id"`
		ParentID     int             `json:"parent_id"`
		StrategyName string          `json:"strategy_name"`
		CreateTime   int64           `json:"create_time"`
		AdminList    []string        `json:"admin_list"`
		Privilege    map[string]bool `json:"privilege"`
	}
	return struct {
		CustomerStrategy strategyJSON `json:"strategy"`
	}{strategyJSON{p.ID, p.ParentID, p.Name, p.CreateTime, p.AdminList, priv}}, nil
}

func (s *Server) getStrategyRange(c *call) (any, error) {
	var req struct {
		StrategyID int    `json:"strategy_id"`
		Cursor     string `json:"cursor"`
		Limit      int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.customerStrategy(req.StrategyID)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 1000, 1000)
	if err != nil {
		return nil, err
	}
	rs, next, err := page("customer_strategy_range", p.Range, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		Range      []StrategyRange `json:"range"`
		NextCursor string          `json:"next_cursor"`
	}{rs, next}, nil
}

func (s *Server) createCustomerStrategy(c *call) (any, error) {
	var req struct {
		ParentID     int             `json:"parent_id"`
		StrategyName string          `json:"strategy_name"`
		AdminList    []string        `json:"admin_list"`
		Privilege    map[string]bool `json:"privilege"`
		Range        []StrategyRange `json:"range"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.StrategyName == "":
		return nil, errorf(codeInvalidParameter, "missing strategy_name")
	case len(req.AdminList) == 0:
		return nil, errorf(codeInvalidParameter, "missing admin_list")
	case len(req.Range) == 0:
		return nil, errorf(codeInvalidParameter, "missing range")
	}
	if req.ParentID != 0 {
		if _, err := s.customerStrategy(req.ParentID); err != nil {
			return nil, err
		}
	}
	if err := s.checkStrategyAdmins(req.AdminList); err != nil {
		return nil, err
	}
	if err := s.checkStrategyRanges(req.Range); err != nil {
		return nil, err
	}
	if err := checkStrategyPrivileges(req.Privilege); err != nil {
		return nil, err
	}
	st := s.customerStrategies()
	p := &CustomerStrategy{ID: st.nextID, ParentID: req.ParentID, Name: req.StrategyName, CreateTime: c.Now.Unix(),
		AdminList: req.AdminList, Privilege: req.Privilege, Range: req.Range}
	st.nextID++
	st.byID[p.ID] = p
	st.order = append(st.order, p.ID)
	return struct {
		StrategyID int `json:"strategy_id"`
	}{p.ID}, nil
}

func (s *Server) editCustomerStrategy(c *call) (any, error) {
	var req struct {
		StrategyID   int             `json:"strategy_id"`
		StrategyName string          `json:"strategy_name"`
		AdminList    []string        `json:"admin_list"`
		Privilege    map[string]bool `json:"privilege"`
		RangeAdd     []StrategyRange `json:"range_add"`
		RangeDel     []StrategyRange `json:"range_del"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.customerStrategy(req.StrategyID)
	if err != nil {
		return nil, err
	}
	if err := s.checkStrategyAdmins(req.AdminList); err != nil {
		return nil, err
	}
	if err := s.checkStrategyRanges(req.RangeAdd); err != nil {
		return nil, err
	}
	if err := checkStrategyPrivileges(req.Privilege); err != nil {
		return nil, err
	}
	if req.StrategyName != "" {
		p.Name = req.StrategyName
	}
	if req.AdminList != nil {
		p.AdminList = req.AdminList
	}
	if req.Privilege != nil {
		p.Privilege = req.Privilege
	}
	p.Range = editRange(p.Range, req.RangeAdd, req.RangeDel)
	return nil, nil
}

func (s *Server) delCustomerStrategy(c *call) (any, error) {
	var req struct {
		StrategyID int `json:"strategy_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := s.customerStrategy(req.StrategyID); err != nil {
		return nil, err
	}
	st := s.customerStrategies()
	delete(st.byID, req.StrategyID)
	st.order = slices.DeleteFunc(st.order, func(id int) bool { return id == req.StrategyID })
	// Its tags go with it.
	for _, g := range slices.Clone(s.st.tagGroups) {
		if g.StrategyID == req.StrategyID {
			s.removeTagGroup(g)
		}
	}
	return nil, nil
}
