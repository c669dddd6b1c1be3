package externalcontact

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
)

// Limits of intercept rules, checked before any call.
const (
	MaxInterceptRuleNameLength = 20  // characters of rule_name
	MaxInterceptWords          = 300 // entries of word_list
	MaxInterceptWordLength     = 32  // characters of one word
)

// InterceptType is what happens when a member's message hits a rule.
type InterceptType int

// Intercept behaviors.
const (
	InterceptWarnAndBlock InterceptType = 1 // warn the member and block the message
	InterceptWarnOnly     InterceptType = 2 // warn the member, send the message
)

// String returns the behavior in words.
func (t InterceptType) String() string {
	switch t {
	case InterceptWarnAndBlock:
		return "warn and block"
	case InterceptWarnOnly:
		return "warn only"
	}
	return "InterceptType(" + strconv.Itoa(int(t)) + ")"
}

// InterceptSemantic is a kind of content a rule catches beyond its words.
type InterceptSemantic int

// Semantic matches of an intercept rule.
const (
	InterceptPhoneNumber InterceptSemantic = 1 // 手机号
	InterceptEmail       InterceptSemantic = 2 // 邮箱地址
	InterceptRedPacket   InterceptSemantic = 3 // 红包
)

// String returns the semantic match in words.
func (s InterceptSemantic) String() string {
	switch s {
	case InterceptPhoneNumber:
		return "phone number"
	case InterceptEmail:
		return "email"
	case InterceptRedPacket:
		return "red packet"
	}
	return "InterceptSemantic(" + strconv.Itoa(int(s)) + ")"
}

// InterceptRange is the members (and departments) a rule applies to.
type InterceptRange struct {
	UserList       []string `json:"user_list,omitempty"`
	DepartmentList []int    `json:"department_list,omitempty"`
}

func (r *InterceptRange) empty() bool {
	return r == nil || (len(r.UserList) == 0 && len(r.DepartmentList) == 0)
}

// AddInterceptRuleRequest creates a sensitive-word rule (聊天敏感词).
type AddInterceptRuleRequest struct {
	RuleName        string              `json:"rule_name"` // at most 20 characters
	WordList        []string            `json:"word_list"` // 1..300 words of at most 32 characters
	SemanticsList   []InterceptSemantic `json:"semantics_list,omitempty"`
	InterceptType   InterceptType       `json:"intercept_type"`
	ApplicableRange InterceptRange      `json:"applicable_range"`
}

// InterceptRuleSummary is an entry of get_intercept_rule_list.
type InterceptRuleSummary struct {
	RuleID     string `json:"rule_id"`
	RuleName   string `json:"rule_name"`
	CreateTime int64  `json:"create_time"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (r InterceptRuleSummary) CreateAt() time.Time { return wecom.UnixTime(r.CreateTime) }

// UnmarshalJSON accepts rule_id as a string or a number.
func (r *InterceptRuleSummary) UnmarshalJSON(b []byte) error {
	type plain InterceptRuleSummary
	var v struct {
		plain
		RuleID json.RawMessage `json:"rule_id"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = InterceptRuleSummary(v.plain)
	id, err := flex.ParseString(v.RuleID)
	r.RuleID = id
	return err
}

// InterceptRule is a sensitive-word rule with its settings.
type InterceptRule struct {
	RuleID          string
	RuleName        string
	WordList        []string
	SemanticsList   []InterceptSemantic
	InterceptType   InterceptType
	ApplicableRange InterceptRange
	// Raw is the rule as WeCom sent it, for fields the SDK does not model.
	Raw json.RawMessage
}

// UnmarshalJSON reads WeCom's rule, whose semantics list sits in
// extra_rule (older answers had it at the top level), and whose rule_id
// may be a string or a number.
func (r *InterceptRule) UnmarshalJSON(b []byte) error {
	var v struct {
		RuleID        json.RawMessage     `json:"rule_id"`
		RuleName      string              `json:"rule_name"`
		WordList      []string            `json:"word_list"`
		SemanticsList []InterceptSemantic `json:"semantics_list"`
		ExtraRule     struct {
			SemanticsList []InterceptSemantic `json:"semantics_list"`
		} `json:"extra_rule"`
		InterceptType   InterceptType  `json:"intercept_type"`
		ApplicableRange InterceptRange `json:"applicable_range"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	id, err := flex.ParseString(v.RuleID)
	if err != nil {
		return fmt.Errorf("rule_id: %w", err)
	}
	*r = InterceptRule{
		RuleID: id, RuleName: v.RuleName, WordList: v.WordList, SemanticsList: v.ExtraRule.SemanticsList,
		InterceptType: v.InterceptType, ApplicableRange: v.ApplicableRange, Raw: append(json.RawMessage(nil), b...),
	}
	if r.SemanticsList == nil {
		r.SemanticsList = v.SemanticsList
	}
	return nil
}

func checkInterceptFields(op, name string, words []string, typ InterceptType, create bool) error {
	if create && name == "" {
		return wecom.InvalidArgument("externalcontact: %s: rule_name is required", op)
	}
	if n := utf8.RuneCountInString(name); n > MaxInterceptRuleNameLength {
		return wecom.InvalidArgument("externalcontact: %s: rule_name has %d characters, at most %d", op, n, MaxInterceptRuleNameLength)
	}
	if create && len(words) == 0 {
		return wecom.InvalidArgument("externalcontact: %s: word_list is required", op)
	}
	if len(words) > MaxInterceptWords {
		return wecom.InvalidArgument("externalcontact: %s: %d words, at most %d", op, len(words), MaxInterceptWords)
	}
	for i, w := range words {
		if n := utf8.RuneCountInString(w); n == 0 || n > MaxInterceptWordLength {
			return wecom.InvalidArgument("externalcontact: %s: word %d has %d characters (want 1..%d)", op, i, n, MaxInterceptWordLength)
		}
	}
	if (create || typ != 0) && typ != InterceptWarnAndBlock && typ != InterceptWarnOnly {
		return wecom.InvalidArgument("externalcontact: %s: intercept type %d is not 1 or 2", op, typ)
	}
	return nil
}

// AddInterceptRule creates a sensitive-word rule and returns its rule_id.
//
// WeCom: POST /cgi-bin/externalcontact/add_intercept_rule
func (s *Service) AddInterceptRule(ctx context.Context, req *AddInterceptRuleRequest, opts ...wecom.CallOption) (string, error) {
	r := deref(req)
	if err := checkInterceptFields("add intercept rule", r.RuleName, r.WordList, r.InterceptType, true); err != nil {
		return "", err
	}
	if r.ApplicableRange.empty() {
		return "", wecom.InvalidArgument("externalcontact: add intercept rule: applicable_range has no member or department")
	}
	resp, err := wecom.Call[struct {
		RuleID flex.String `json:"rule_id"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_intercept_rule", Body: &r}, opts...)
	if err != nil {
		return "", err
	}
	return string(resp.RuleID), nil
}

// ListInterceptRules returns every sensitive-word rule of the corp.
//
// WeCom: POST /cgi-bin/externalcontact/get_intercept_rule_list
func (s *Service) ListInterceptRules(ctx context.Context, opts ...wecom.CallOption) ([]InterceptRuleSummary, error) {
	resp, err := wecom.Call[struct {
		RuleList []InterceptRuleSummary `json:"rule_list"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_intercept_rule_list", Body: struct{}{}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.RuleList, nil
}

// GetInterceptRule returns a sensitive-word rule with its settings.
//
// WeCom: POST /cgi-bin/externalcontact/get_intercept_rule
func (s *Service) GetInterceptRule(ctx context.Context, ruleID string, opts ...wecom.CallOption) (*InterceptRule, error) {
	if ruleID == "" {
		return nil, wecom.InvalidArgument("externalcontact: get intercept rule: rule_id is required")
	}
	resp, err := wecom.Call[struct {
		Rule InterceptRule `json:"rule"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_intercept_rule", Body: ruleIDBody{ruleID}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Rule, nil
}

// UpdateInterceptRuleRequest changes a rule: empty fields stay as they are,
// WordList and SemanticsList replace the lists when set, and the ranges
// add and remove members or departments.
type UpdateInterceptRuleRequest struct {
	RuleID                string
	RuleName              string
	WordList              []string
	SemanticsList         []InterceptSemantic
	InterceptType         InterceptType
	AddApplicableRange    *InterceptRange
	RemoveApplicableRange *InterceptRange
}

// MarshalJSON writes the update in WeCom's shape (semantics in
// extra_rule).
func (u UpdateInterceptRuleRequest) MarshalJSON() ([]byte, error) {
	type extra struct {
		SemanticsList []InterceptSemantic `json:"semantics_list"`
	}
	v := struct {
		RuleID                string          `json:"rule_id"`
		RuleName              string          `json:"rule_name,omitempty"`
		WordList              []string        `json:"word_list,omitempty"`
		ExtraRule             *extra          `json:"extra_rule,omitempty"`
		InterceptType         InterceptType   `json:"intercept_type,omitempty"`
		AddApplicableRange    *InterceptRange `json:"add_applicable_range,omitempty"`
		RemoveApplicableRange *InterceptRange `json:"remove_applicable_range,omitempty"`
	}{u.RuleID, u.RuleName, u.WordList, nil, u.InterceptType, u.AddApplicableRange, u.RemoveApplicableRange}
	if u.SemanticsList != nil {
		v.ExtraRule = &extra{u.SemanticsList}
	}
	return json.Marshal(v)
}

// UpdateInterceptRule changes a sensitive-word rule.
//
// WeCom: POST /cgi-bin/externalcontact/update_intercept_rule
func (s *Service) UpdateInterceptRule(ctx context.Context, req *UpdateInterceptRuleRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.RuleID == "" {
		return wecom.InvalidArgument("externalcontact: update intercept rule: rule_id is required")
	}
	if err := checkInterceptFields("update intercept rule", r.RuleName, r.WordList, r.InterceptType, false); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/update_intercept_rule",
		Body:       r,
		Idempotent: true, // set semantics: repeating it changes nothing more
	}, nil, opts...)
}

// DeleteInterceptRule deletes a sensitive-word rule.
//
// WeCom: POST /cgi-bin/externalcontact/del_intercept_rule
func (s *Service) DeleteInterceptRule(ctx context.Context, ruleID string, opts ...wecom.CallOption) error {
	if ruleID == "" {
		return wecom.InvalidArgument("externalcontact: delete intercept rule: rule_id is required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/del_intercept_rule", Body: ruleIDBody{ruleID}}, nil, opts...)
}

type ruleIDBody struct {
	RuleID string `json:"rule_id"`
}
