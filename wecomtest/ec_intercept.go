package wecomtest

import (
	"net/http"
	"slices"
	"unicode/utf8"
)

// Sensitive-word intercept rules (聊天敏感词).

func registerECIntercept(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_intercept_rule", s.ecAddInterceptRule)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_intercept_rule_list", s.ecInterceptRuleList)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_intercept_rule", s.ecGetInterceptRule)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/update_intercept_rule", s.ecUpdateInterceptRule)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/del_intercept_rule", s.ecDelInterceptRule)
}

// InterceptRule is a sensitive-word rule the server holds.
type InterceptRule struct {
	RuleID        string
	RuleName      string
	WordList      []string
	SemanticsList []int
	InterceptType int
	Users         []string
	Departments   []int
	CreateTime    int64
}

type ecInterceptState struct {
	rules []*InterceptRule
}

func ecIntercepts(s *Server) *ecInterceptState {
	return areaState(s, "ec.intercept", func() *ecInterceptState { return &ecInterceptState{} })
}

type ecRange struct {
	UserList       []string `json:"user_list"`
	DepartmentList []int    `json:"department_list"`
}

func (s *Server) checkECRange(r *ecRange) error {
	if r == nil {
		return nil
	}
	for _, u := range r.UserList {
		if _, err := s.st.user(u); err != nil {
			return err
		}
	}
	return nil
}

func checkECWords(name string, words []string, semantics []int, typ int, create bool) error {
	if create && name == "" {
		return errorf(codeInvalidParameter, "invalid parameter: rule_name missing")
	}
	if utf8.RuneCountInString(name) > 20 {
		return errorf(codeInvalidParameter, "invalid parameter: rule_name longer than 20 characters")
	}
	if (create && len(words) == 0) || len(words) > 300 {
		return errorf(codeInvalidParameter, "invalid parameter: word_list must hold 1..300 words")
	}
	for _, w := range words {
		if n := utf8.RuneCountInString(w); n == 0 || n > 32 {
			return errorf(codeInvalidParameter, "invalid parameter: word %q", w)
		}
	}
	for _, x := range semantics {
		if x < 1 || x > 3 {
			return errorf(codeInvalidParameter, "invalid parameter: semantics %d", x)
		}
	}
	if (create || typ != 0) && typ != 1 && typ != 2 {
		return errorf(codeInvalidParameter, "invalid parameter: intercept_type %d", typ)
	}
	return nil
}

func (s *Server) ecRule(id string) (*InterceptRule, error) {
	if err := requireField("rule_id", id); err != nil {
		return nil, err
	}
	for _, r := range ecIntercepts(s).rules {
		if r.RuleID == id {
			return r, nil
		}
	}
	return nil, errorf(codeInvalidParameter, "invalid parameter: rule_id %s does not exist", id)
}

func (s *Server) ecAddInterceptRule(c *call) (any, error) {
	var req struct {
		RuleName        string   `json:"rule_name"`
		WordList        []string `json:"word_list"`
		SemanticsList   []int    `json:"semantics_list"`
		InterceptType   int      `json:"intercept_type"`
		ApplicableRange *ecRange `json:"applicable_range"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := checkECWords(req.RuleName, req.WordList, req.SemanticsList, req.InterceptType, true); err != nil {
		return nil, err
	}
	if req.ApplicableRange == nil || len(req.ApplicableRange.UserList)+len(req.ApplicableRange.DepartmentList) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: applicable_range missing")
	}
	if err := s.checkECRange(req.ApplicableRange); err != nil {
		return nil, err
	}
	st := ecIntercepts(s)
	for _, r := range st.rules {
		if r.RuleName == req.RuleName {
			return nil, errorf(codeInvalidParameter, "invalid parameter: rule_name %s exists", req.RuleName)
		}
	}
	r := &InterceptRule{
		RuleID: s.ids.ID("", 22), RuleName: req.RuleName, WordList: slices.Clone(req.WordList),
		SemanticsList: slices.Clone(req.SemanticsList), InterceptType: req.InterceptType,
		Users: slices.Clone(req.ApplicableRange.UserList), Departments: slices.Clone(req.ApplicableRange.DepartmentList),
		CreateTime: c.Now.Unix(),
	}
	st.rules = append(st.rules, r)
	return map[string]any{"rule_id": r.RuleID}, nil
}

func (s *Server) ecInterceptRuleList(c *call) (any, error) {
	type entry struct {
		RuleID     string `json:"rule_id"`
		RuleName   string `json:"rule_name"`
		CreateTime int64  `json:"create_time"`
	}
	out := []entry{}
	for _, r := range ecIntercepts(s).rules {
		out = append(out, entry{r.RuleID, r.RuleName, r.CreateTime})
	}
	return map[string]any{"rule_list": out}, nil
}

func (s *Server) ecGetInterceptRule(c *call) (any, error) {
	var req struct {
		RuleID string `json:"rule_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	r, err := s.ecRule(req.RuleID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"rule": map[string]any{
		"rule_id":          r.RuleID,
		"rule_name":        r.RuleName,
		"word_list":        r.WordList,
		"extra_rule":       map[string]any{"semantics_list": ecNonNil(r.SemanticsList)},
		"intercept_type":   r.InterceptType,
		"applicable_range": map[string]any{"user_list": ecNonNil(r.Users), "department_list": ecNonNil(r.Departments)},
	}}, nil
}

// ecNonNil makes a nil slice encode as [] rather than null, as WeCom does.
func ecNonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Server) ecUpdateInterceptRule(c *call) (any, error) {
	var req struct {
		RuleID    string   `json:"rule_id"`
		RuleName  string   `json:"rule_name"`
		WordList  []string `json:"word_list"`
		ExtraRule *struct {
			SemanticsList []int `json:"semantics_list"`
		} `json:"extra_rule"`
		InterceptType int      `json:"intercept_type"`
		Add           *ecRange `json:"add_applicable_range"`
		Remove        *ecRange `json:"remove_applicable_range"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	r, err := s.ecRule(req.RuleID)
	if err != nil {
		return nil, err
	}
	var sem []int
	if req.ExtraRule != nil {
		sem = req.ExtraRule.SemanticsList
	}
	if err := checkECWords(req.RuleName, req.WordList, sem, req.InterceptType, false); err != nil {
		return nil, err
	}
	if err := s.checkECRange(req.Add); err != nil {
		return nil, err
	}
	if req.RuleName != "" {
		r.RuleName = req.RuleName
	}
	if req.WordList != nil {
		r.WordList = slices.Clone(req.WordList)
	}
	if req.ExtraRule != nil {
		r.SemanticsList = slices.Clone(sem)
	}
	if req.InterceptType != 0 {
		r.InterceptType = req.InterceptType
	}
	if req.Add != nil {
		for _, u := range req.Add.UserList {
			if !slices.Contains(r.Users, u) {
				r.Users = append(r.Users, u)
			}
		}
		for _, d := range req.Add.DepartmentList {
			if !slices.Contains(r.Departments, d) {
				r.Departments = append(r.Departments, d)
			}
		}
	}
	if req.Remove != nil {
		r.Users = slices.DeleteFunc(r.Users, func(u string) bool { return slices.Contains(req.Remove.UserList, u) })
		r.Departments = slices.DeleteFunc(r.Departments, func(d int) bool { return slices.Contains(req.Remove.DepartmentList, d) })
	}
	return nil, nil
}

func (s *Server) ecDelInterceptRule(c *call) (any, error) {
	var req struct {
		RuleID string `json:"rule_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	r, err := s.ecRule(req.RuleID)
	if err != nil {
		return nil, err
	}
	st := ecIntercepts(s)
	st.rules = slices.DeleteFunc(st.rules, func(x *InterceptRule) bool { return x == r })
	return nil, nil
}

// InterceptRules returns the intercept rules the server holds.
func (s *Server) InterceptRules() []InterceptRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []InterceptRule
	for _, r := range ecIntercepts(s).rules {
		c := *r
		c.WordList, c.SemanticsList = slices.Clone(r.WordList), slices.Clone(r.SemanticsList)
		c.Users, c.Departments = slices.Clone(r.Users), slices.Clone(r.Departments)
		out = append(out, c)
	}
	return out
}
