package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
)

func registerMomentStrategies(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/list", s.listMomentStrategies)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/get", s.getMomentStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/get_range", s.getMomentStrategyRange)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/create", s.createMomentStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/edit", s.editMomentStrategy)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/moment_strategy/del", s.delMomentStrategy)
}

// MomentStrategy is a moment strategy (客户朋友圈规则组) as the server keeps
// it.
type MomentStrategy struct {
	StrategyID   int
	ParentID     int
	StrategyName string
	CreateTime   int64
	AdminList    []string
	Privilege    MomentPrivilege
	Range        []StrategyRange
}

// MomentPrivilege is the privileges of a moment strategy.
type MomentPrivilege struct {
	SendMoment               bool `json:"send_moment"`
	ViewMomentList           bool `json:"view_moment_list"`
	ManageMomentCoverAndSign bool `json:"manage_moment_cover_and_sign"`
}

type momentStrategyState struct {
	byID  map[int]*MomentStrategy
	order []int
	next  int
}

func newMomentStrategyState() *momentStrategyState {
	return &momentStrategyState{byID: map[int]*MomentStrategy{}, next: 1}
}

func (s *Server) momentStrategies() *momentStrategyState {
	return areaState(s, "moment_strategy", newMomentStrategyState)
}

// MomentStrategies returns every moment strategy, in the order created.
func (s *Server) MomentStrategies() []MomentStrategy {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.momentStrategies()
	out := make([]MomentStrategy, 0, len(st.order))
	for _, id := range st.order {
		m := *st.byID[id]
		m.AdminList = slices.Clone(m.AdminList)
		m.Range = slices.Clone(m.Range)
		out = append(out, m)
	}
	return out
}

func (st *momentStrategyState) get(id int) (*MomentStrategy, error) {
	if id <= 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: strategy_id missing")
	}
	m, ok := st.byID[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid strategy_id %d", id)
	}
	return m, nil
}

// listMomentStrategies serves POST /cgi-bin/externalcontact/moment_strategy/list.
func (s *Server) listMomentStrategies(c *call) (any, error) {
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
	type item struct {
		StrategyID int `json:"strategy_id"`
	}
	var list []item
	for _, id := range s.momentStrategies().order {
		list = append(list, item{id})
	}
	items, next, err := page("moment_strategy", list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		Strategy   []item `json:"strategy"`
		NextCursor string `json:"next_cursor"`
	}{momentNonNil(items), next}, nil
}

// getMomentStrategy serves POST /cgi-bin/externalcontact/moment_strategy/get.
func (s *Server) getMomentStrategy(c *call) (any, error) {
	var req struct {
		StrategyID int `json:"strategy_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.momentStrategies().get(req.StrategyID)
	if err != nil {
		return nil, err
	}
	type out struct {
		StrategyID   int             `json:"strategy_id"`
		ParentID     int             `json:"parent_id"`
		StrategyName string          `json:"strategy_name"`
		CreateTime   int64           `json:"create_time"`
		AdminList    []string        `json:"admin_list"`
		Privilege    MomentPrivilege `json:"privilege"`
	}
	return struct {
		Strategy out `json:"strategy"`
	}{out{m.StrategyID, m.ParentID, m.StrategyName, m.CreateTime, momentNonNil(m.AdminList), m.Privilege}}, nil
}

// getMomentStrategyRange serves POST /cgi-bin/externalcontact/moment_strategy/get_range.
func (s *Server) getMomentStrategyRange(c *call) (any, error) {
	var req struct {
		StrategyID int    `json:"strategy_id"`
		Cursor     string `json:"cursor"`
		Limit      int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.momentStrategies().get(req.StrategyID)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 1000, 1000)
	if err != nil {
		return nil, err
	}
	items, next, err := page(fmt.Sprintf("moment_strategy_range/%d", m.StrategyID), m.Range, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		Range      []StrategyRange `json:"range"`
		NextCursor string          `json:"next_cursor"`
	}{momentNonNil(items), next}, nil
}

// createMomentStrategy serves POST /cgi-bin/externalcontact/moment_strategy/create.
func (s *Server) createMomentStrategy(c *call) (any, error) {
	var req struct {
		ParentID     int             `json:"parent_id"`
		StrategyName string          `json:"strategy_name"`
		AdminList    []string        `json:"admin_list"`
		Privilege    MomentPrivilege `json:"privilege"`
		Range        []StrategyRange `json:"range"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	st := s.momentStrategies()
	if err := requireField("strategy_name", req.StrategyName); err != nil {
		return nil, err
	}
	if len(req.AdminList) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: admin_list missing")
	}
	if err := s.checkStrategyAdmins(req.AdminList); err != nil {
		return nil, err
	}
	if len(req.Range) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: range missing")
	}
	if err := s.checkStrategyRanges(req.Range); err != nil {
		return nil, err
	}
	if req.ParentID != 0 {
		if _, err := st.get(req.ParentID); err != nil {
			return nil, errorf(codeInvalidParameter, "invalid parent_id %d", req.ParentID)
		}
	}
	m := &MomentStrategy{
		StrategyID:   st.next,
		ParentID:     req.ParentID,
		StrategyName: req.StrategyName,
		CreateTime:   c.Now.Unix(),
		AdminList:    slices.Clone(req.AdminList),
		Privilege:    req.Privilege,
	}
	for _, r := range req.Range {
		if !slices.Contains(m.Range, r) {
			m.Range = append(m.Range, r)
		}
	}
	st.next++
	st.byID[m.StrategyID] = m
	st.order = append(st.order, m.StrategyID)
	return struct {
		StrategyID int `json:"strategy_id"`
	}{m.StrategyID}, nil
}

// editMomentStrategy serves POST /cgi-bin/externalcontact/moment_strategy/edit.
func (s *Server) editMomentStrategy(c *call) (any, error) {
	var req struct {
		StrategyID   int              `json:"strategy_id"`
		StrategyName string           `json:"strategy_name"`
		AdminList    []string         `json:"admin_list"`
		Privilege    *MomentPrivilege `json:"privilege"`
		RangeAdd     []StrategyRange  `json:"range_add"`
		RangeDel     []StrategyRange  `json:"range_del"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.momentStrategies().get(req.StrategyID)
	if err != nil {
		return nil, err
	}
	if err := s.checkStrategyAdmins(req.AdminList); err != nil {
		return nil, err
	}
	if err := s.checkStrategyRanges(req.RangeAdd); err != nil {
		return nil, err
	}
	// Validate everything before changing anything.
	if req.StrategyName != "" {
		m.StrategyName = req.StrategyName
	}
	if len(req.AdminList) > 0 {
		m.AdminList = slices.Clone(req.AdminList)
	}
	if req.Privilege != nil {
		m.Privilege = *req.Privilege
	}
	m.Range = editRange(m.Range, req.RangeAdd, req.RangeDel)
	return nil, nil
}

// delMomentStrategy serves POST /cgi-bin/externalcontact/moment_strategy/del.
func (s *Server) delMomentStrategy(c *call) (any, error) {
	var req struct {
		StrategyID int `json:"strategy_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	st := s.momentStrategies()
	if _, err := st.get(req.StrategyID); err != nil {
		return nil, err
	}
	for _, id := range st.order {
		if st.byID[id].ParentID == req.StrategyID {
			return nil, errorf(codeInvalidParameter, "strategy %d has child strategies", req.StrategyID)
		}
	}
	delete(st.byID, req.StrategyID)
	st.order = slices.DeleteFunc(st.order, func(id int) bool { return id == req.StrategyID })
	return nil, nil
}
