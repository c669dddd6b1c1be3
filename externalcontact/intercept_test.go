package externalcontact

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

func TestInterceptEnums(t *testing.T) {
	assert.Equal(t, []string{"warn and block", "warn only", "InterceptType(0)"},
		[]string{InterceptWarnAndBlock.String(), InterceptWarnOnly.String(), InterceptType(0).String()})
	assert.Equal(t, []string{"phone number", "email", "red packet", "InterceptSemantic(4)"},
		[]string{InterceptPhoneNumber.String(), InterceptEmail.String(), InterceptRedPacket.String(), InterceptSemantic(4).String()})
}

func TestInterceptRuleSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	st.handle("/cgi-bin/externalcontact/add_intercept_rule", func([]byte) string { return `{"errcode":0,"errmsg":"ok","rule_id":"xxx"}` })
	st.file(t, "/cgi-bin/externalcontact/get_intercept_rule", "get_intercept_rule.json")
	st.file(t, "/cgi-bin/externalcontact/get_intercept_rule_list", "get_intercept_rule_list.json")
	ok := func([]byte) string { return `{"errcode":0,"errmsg":"ok"}` }
	st.handle("/cgi-bin/externalcontact/update_intercept_rule", ok)
	st.handle("/cgi-bin/externalcontact/del_intercept_rule", ok)

	id, err := svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{
		RuleName: "rulename", WordList: []string{"敏感词1", "敏感词2"},
		SemanticsList: []InterceptSemantic{InterceptPhoneNumber, InterceptEmail, InterceptRedPacket},
		InterceptType: InterceptWarnAndBlock, ApplicableRange: InterceptRange{UserList: []string{"zhangshan"}, DepartmentList: []int{2, 3}},
	})
	require.NoError(t, err)
	assert.Equal(t, "xxx", id)
	assert.Equal(t, jsonOf(t, `{"rule_name":"rulename","word_list":["敏感词1","敏感词2"],"semantics_list":[1,2,3],"intercept_type":1,
		"applicable_range":{"user_list":["zhangshan"],"department_list":[2,3]}}`), jsonBody(t, st.requests()[0].Body))

	rules, err := svc.ListInterceptRules(ctx)
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{}`), jsonBody(t, st.requests()[1].Body))
	require.Len(t, rules, 2)
	assert.Equal(t, InterceptRuleSummary{"ruleIDxxxxxx", "rulename", 1600000000}, rules[0])
	assert.Equal(t, "12345", rules[1].RuleID, "a numeric rule_id")
	assert.Equal(t, time.Unix(1600000001, 0), rules[1].CreateAt())

	r, err := svc.GetInterceptRule(ctx, "ruleIDxxxxxx")
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"rule_id":"ruleIDxxxxxx"}`), jsonBody(t, st.requests()[2].Body))
	assert.Equal(t, "ruleIDxxxxxx", r.RuleID)
	assert.Equal(t, "rulename", r.RuleName)
	assert.Equal(t, []string{"敏感词1", "敏感词2"}, r.WordList)
	assert.Equal(t, []InterceptSemantic{1, 2, 3}, r.SemanticsList)
	assert.Equal(t, InterceptWarnAndBlock, r.InterceptType)
	assert.Equal(t, InterceptRange{UserList: []string{"zhangshan"}, DepartmentList: []int{2, 3}}, r.ApplicableRange)
	assert.Contains(t, string(r.Raw), `"extra_rule"`)

	require.NoError(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{
		RuleID: "ruleIDxxxxxx", RuleName: "新名字", WordList: []string{"敏感词3"}, SemanticsList: []InterceptSemantic{},
		InterceptType: InterceptWarnOnly, AddApplicableRange: &InterceptRange{UserList: []string{"lisi"}},
		RemoveApplicableRange: &InterceptRange{DepartmentList: []int{3}},
	}))
	assert.Equal(t, jsonOf(t, `{"rule_id":"ruleIDxxxxxx","rule_name":"新名字","word_list":["敏感词3"],"extra_rule":{"semantics_list":[]},
		"intercept_type":2,"add_applicable_range":{"user_list":["lisi"]},"remove_applicable_range":{"department_list":[3]}}`), jsonBody(t, st.requests()[3].Body))
	require.NoError(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{RuleID: "r"}))
	assert.Equal(t, jsonOf(t, `{"rule_id":"r"}`), jsonBody(t, st.requests()[4].Body))

	require.NoError(t, svc.DeleteInterceptRule(ctx, "ruleIDxxxxxx"))
	assert.Equal(t, "/cgi-bin/externalcontact/del_intercept_rule", st.requests()[5].Path)
	assert.Equal(t, jsonOf(t, `{"rule_id":"ruleIDxxxxxx"}`), jsonBody(t, st.requests()[5].Body))
}

func TestInterceptRuleLenientDecoding(t *testing.T) {
	var r InterceptRule
	require.NoError(t, json.Unmarshal([]byte(`{"rule_id":7,"semantics_list":[2]}`), &r))
	assert.Equal(t, "7", r.RuleID)
	assert.Equal(t, []InterceptSemantic{InterceptEmail}, r.SemanticsList, "top-level semantics_list")
	assert.Error(t, json.Unmarshal([]byte(`{"rule_id":true}`), &r))
	assert.Error(t, json.Unmarshal([]byte(`{"rule_id":"x","word_list":"no"}`), &r))
	var sum InterceptRuleSummary
	assert.Error(t, json.Unmarshal([]byte(`{"rule_id":[1]}`), &sum))
	assert.Error(t, json.Unmarshal([]byte(`[]`), &sum))
	require.NoError(t, json.Unmarshal([]byte(`{"rule_id":null}`), &sum))
	assert.Empty(t, sum.RuleID)
}

func TestInterceptRuleValidation(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	rng := InterceptRange{UserList: []string{"a"}}
	for name, req := range map[string]*AddInterceptRuleRequest{
		"nil":        nil,
		"no name":    {WordList: []string{"w"}, InterceptType: 1, ApplicableRange: rng},
		"long name":  {RuleName: strings.Repeat("名", 21), WordList: []string{"w"}, InterceptType: 1, ApplicableRange: rng},
		"no words":   {RuleName: "r", InterceptType: 1, ApplicableRange: rng},
		"301 words":  {RuleName: "r", WordList: make([]string, 301), InterceptType: 1, ApplicableRange: rng},
		"empty word": {RuleName: "r", WordList: []string{""}, InterceptType: 1, ApplicableRange: rng},
		"long word":  {RuleName: "r", WordList: []string{strings.Repeat("词", 33)}, InterceptType: 1, ApplicableRange: rng},
		"no type":    {RuleName: "r", WordList: []string{"w"}, ApplicableRange: rng},
		"no range":   {RuleName: "r", WordList: []string{"w"}, InterceptType: 2},
	} {
		_, err := svc.AddInterceptRule(ctx, req)
		assert.Error(t, err, name)
	}
	assert.Error(t, svc.UpdateInterceptRule(ctx, nil))
	assert.Error(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{}))
	assert.Error(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{RuleID: "r", InterceptType: 3}))
	assert.Error(t, svc.DeleteInterceptRule(ctx, ""))
	_, err := svc.GetInterceptRule(ctx, "")
	assert.Error(t, err)
	assert.Empty(t, st.requests())

	st.handle("/cgi-bin/externalcontact/get_intercept_rule_list", func([]byte) string { return `{"errcode":48002,"errmsg":"api forbidden"}` })
	_, err = svc.ListInterceptRules(ctx)
	assert.True(t, wecom.IsPermissionDenied(err))
	st.handle("/cgi-bin/externalcontact/get_intercept_rule", func([]byte) string { return `{"errcode":40058,"errmsg":"x"}` })
	_, err = svc.GetInterceptRule(ctx, "r")
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	st.handle("/cgi-bin/externalcontact/add_intercept_rule", func([]byte) string { return `{"errcode":60111,"errmsg":"x"}` })
	_, err = svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{RuleName: "r", WordList: []string{"w"}, InterceptType: 1, ApplicableRange: rng})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
}

func TestInterceptRuleRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan", "lisi")
	ctx := testCtx(t)
	id, err := svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{
		RuleName: "禁止私下交易", WordList: []string{"转账", "私聊"}, SemanticsList: []InterceptSemantic{InterceptPhoneNumber},
		InterceptType: InterceptWarnAndBlock, ApplicableRange: InterceptRange{UserList: []string{"zhangsan"}, DepartmentList: []int{1}},
	})
	require.NoError(t, err)
	_, err = svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{RuleName: "禁止私下交易", WordList: []string{"x"}, InterceptType: 1,
		ApplicableRange: InterceptRange{UserList: []string{"zhangsan"}}})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "names are unique")
	_, err = svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{RuleName: "r2", WordList: []string{"x"}, InterceptType: 1,
		ApplicableRange: InterceptRange{UserList: []string{"nobody"}}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))

	list, err := svc.ListInterceptRules(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, InterceptRuleSummary{id, "禁止私下交易", testStart.Unix()}, list[0])

	require.NoError(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{
		RuleID: id, WordList: []string{"转账", "加微信"}, InterceptType: InterceptWarnOnly,
		AddApplicableRange: &InterceptRange{UserList: []string{"lisi"}}, RemoveApplicableRange: &InterceptRange{UserList: []string{"zhangsan"}},
	}))
	r, err := svc.GetInterceptRule(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "禁止私下交易", r.RuleName, "unchanged")
	assert.Equal(t, []string{"转账", "加微信"}, r.WordList)
	assert.Equal(t, []InterceptSemantic{InterceptPhoneNumber}, r.SemanticsList, "unchanged")
	assert.Equal(t, InterceptWarnOnly, r.InterceptType)
	assert.Equal(t, InterceptRange{UserList: []string{"lisi"}, DepartmentList: []int{1}}, r.ApplicableRange)

	require.NoError(t, svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{RuleID: id, SemanticsList: []InterceptSemantic{}}))
	r, err = svc.GetInterceptRule(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, r.SemanticsList)
	err = svc.UpdateInterceptRule(ctx, &UpdateInterceptRuleRequest{RuleID: id, AddApplicableRange: &InterceptRange{UserList: []string{"nobody"}}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))

	require.NoError(t, svc.DeleteInterceptRule(ctx, id))
	_, err = svc.GetInterceptRule(ctx, id)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.DeleteInterceptRule(ctx, id)))
	assert.Empty(t, s.InterceptRules())
}
