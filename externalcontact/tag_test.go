package externalcontact

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/strategy"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestListCorpTagsDecodesSample(t *testing.T) {
	svc, sent := fakeFile(t, "get_corp_tag_list.json")
	groups, err := svc.ListCorpTags(context.Background(), &ListCorpTagsRequest{TagIDs: []string{"TAG_ID1"}, GroupIDs: []string{"TAG_GROUPID1"}})
	require.NoError(t, err)
	require.Len(t, sent(), 1)
	assert.Equal(t, "POST", sent()[0].Method)
	assert.Equal(t, "/cgi-bin/externalcontact/get_corp_tag_list", sent()[0].Path)
	assert.JSONEq(t, `{"tag_id":["TAG_ID1"],"group_id":["TAG_GROUPID1"]}`, string(sent()[0].Body))
	assert.Equal(t, []TagGroup{{
		GroupID: "TAG_GROUPID1", GroupName: "GOURP_NAME", CreateTime: 1557838797, Order: 1,
		Tags: []Tag{
			{ID: "TAG_ID1", Name: "NAME1", CreateTime: 1557838797, Order: 1},
			{ID: "TAG_ID2", Name: "NAME2", CreateTime: 1557838797, Order: 2, Deleted: true},
		},
	}}, groups)

	svc, sent = fakeFile(t, "get_strategy_tag_list.json")
	groups, err = svc.ListStrategyTags(context.Background(), nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(sent()[0].Body))
	assert.Equal(t, "/cgi-bin/externalcontact/get_strategy_tag_list", sent()[0].Path)
	require.Len(t, groups, 1)
	assert.Equal(t, 1, groups[0].StrategyID)
	assert.Equal(t, []Tag{{ID: "TAG_ID1", Name: "NAME1", CreateTime: 1557838797, Order: 1}}, groups[0].Tags)
}

func tagEvents(s *wecomtest.Server) []string {
	var out []string
	for _, ev := range s.Events() {
		if ev.Event == "change_external_tag" {
			e := ev.ChangeType + " " + ev.Get("TagType") + " " + ev.Get("Id")
			if sid := ev.Get("StrategyId"); sid != "" {
				e += " strategy " + sid
			}
			out = append(out, e)
		}
	}
	return out
}

func TestCorpTagsRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()

	g, err := svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "客户等级", Order: 5, Tags: []TagSpec{{Name: "VIP", Order: 2}, {Name: "普通"}}, AgentID: s.AgentID})
	require.NoError(t, err)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/add_corp_tag")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"group_name":"客户等级","order":5,"tag":[{"name":"VIP","order":2},{"name":"普通"}],"agentid":1000002}`, string(reqs[0].Body))
	assert.Equal(t, "客户等级", g.GroupName)
	assert.Equal(t, 5, g.Order)
	require.Len(t, g.Tags, 2)
	assert.Equal(t, "VIP", g.Tags[0].Name)
	vip, plain := g.Tags[0].ID, g.Tags[1].ID

	// Adding to the group by id, or by an existing name, returns only the new tags.
	g2, err := svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupID: g.GroupID, Tags: []TagSpec{{Name: "待跟进"}}})
	require.NoError(t, err)
	assert.Equal(t, g.GroupID, g2.GroupID)
	require.Len(t, g2.Tags, 1)
	g3, err := svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "客户等级", Tags: []TagSpec{{Name: "流失"}}})
	require.NoError(t, err)
	assert.Equal(t, g.GroupID, g3.GroupID)
	other, err := svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "来源", Order: 9, Tags: []TagSpec{{Name: "门店"}}})
	require.NoError(t, err)

	all, err := svc.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "来源", all[0].GroupName, "larger order first")
	assert.Len(t, all[1].Tags, 4)
	assert.Equal(t, "VIP", all[1].Tags[0].Name, "larger order first")
	only, err := svc.ListCorpTags(ctx, &ListCorpTagsRequest{TagIDs: []string{plain}})
	require.NoError(t, err)
	require.Len(t, only, 1)
	assert.Equal(t, []string{"普通"}, []string{only[0].Tags[0].Name})
	byGroup, err := svc.ListCorpTags(ctx, &ListCorpTagsRequest{TagIDs: []string{plain}, GroupIDs: []string{g.GroupID}})
	require.NoError(t, err)
	assert.Len(t, byGroup[0].Tags, 4, "group_id wins over tag_id")

	require.NoError(t, svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: vip, Name: "SVIP", Order: 10}))
	require.NoError(t, svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: g.GroupID, Name: "等级"}))
	all, err = svc.ListCorpTags(ctx, &ListCorpTagsRequest{GroupIDs: []string{g.GroupID}})
	require.NoError(t, err)
	assert.Equal(t, "等级", all[0].GroupName)
	assert.Equal(t, "SVIP", all[0].Tags[0].Name)
	assert.Equal(t, 10, all[0].Tags[0].Order)

	// Mark a customer, read it back, delete the tag, it is gone from the customer.
	addUsers(t, s, "zhangsan")
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	require.NoError(t, svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, AddTags: []string{vip, plain, other.Tags[0].ID}}))
	require.NoError(t, svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, AddTags: []string{vip}, RemoveTags: []string{plain}}))
	mr := s.RequestsTo("/cgi-bin/externalcontact/mark_tag")
	require.Len(t, mr, 2)
	assert.JSONEq(t, `{"userid":"zhangsan","external_userid":"`+c.ExternalUserID+`","add_tag":["`+vip+`"],"remove_tag":["`+plain+`"]}`, string(mr[1].Body))
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, []FollowTag{
		{GroupName: "等级", TagName: "SVIP", TagID: vip, Type: TagTypeCorp},
		{GroupName: "来源", TagName: "门店", TagID: other.Tags[0].ID, Type: TagTypeCorp},
	}, d.FollowUsers[0].Tags)

	require.NoError(t, svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{TagIDs: []string{vip}}))
	require.NoError(t, svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{TagIDs: []string{other.Tags[0].ID}, AgentID: s.AgentID}))
	rels, err := collect(svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}}))
	require.NoError(t, err)
	require.NotEmpty(t, rels)
	for _, rel := range rels {
		assert.Empty(t, rel.FollowInfo.TagIDs, "deleted tags leave the customer")
	}
	all, err = svc.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 1, "a group without tags is deleted")
	assert.Len(t, all[0].Tags, 3)
	require.NoError(t, svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{GroupIDs: []string{g.GroupID}}))
	all, err = svc.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, all)

	// WeCom sends no callback for a change made through the API.
	assert.Empty(t, tagEvents(s), "API tag changes emit no change_external_tag")
	for _, ev := range s.Events() {
		assert.NotEqual(t, "edit_external_contact", ev.ChangeType, "mark_tag emits no edit_external_contact")
	}
}

// The person-made equivalents (an admin in the console, a member in the
// client) are what emit the callbacks.
func TestTagCallbacksComeFromPeople(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	g, err := s.AdminAddsCorpTags("客户等级", "VIP", "普通")
	require.NoError(t, err)
	require.Len(t, g.Tags, 2)
	more, err := s.AdminAddsCorpTags("客户等级", "流失")
	require.NoError(t, err)
	require.Len(t, more.Tags, 1)
	require.NoError(t, s.AdminEditsCorpTag(g.Tags[0].ID, "SVIP"))
	require.NoError(t, s.AdminEditsCorpTag(g.GroupID, "等级"))
	all, err := svc.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "等级", all[0].GroupName)
	assert.Equal(t, "SVIP", all[0].Tags[0].Name)

	addUsers(t, s, "zhangsan")
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	require.NoError(t, s.MemberMarksTags("zhangsan", c.ExternalUserID, []string{g.Tags[0].ID}, nil))
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	require.Len(t, d.FollowUsers[0].Tags, 1)
	assert.Equal(t, "SVIP", d.FollowUsers[0].Tags[0].TagName)
	assert.Error(t, s.MemberMarksTags("zhangsan", c.ExternalUserID, []string{"etNope"}, nil))

	require.NoError(t, s.AdminDeletesCorpTags(g.Tags[1].ID))
	require.NoError(t, s.AdminDeletesCorpTags(g.GroupID))
	assert.Error(t, s.AdminEditsCorpTag("etNope", "x"))
	assert.Equal(t, []string{
		"create tag_group " + g.GroupID,
		"create tag " + more.Tags[0].ID,
		"update tag " + g.Tags[0].ID,
		"update tag_group " + g.GroupID,
		"delete tag " + g.Tags[1].ID,
		"delete tag_group " + g.GroupID,
	}, tagEvents(s))
	var edits int
	for _, ev := range s.Events() {
		if ev.ChangeType == "edit_external_contact" {
			edits++
			assert.Equal(t, c.ExternalUserID, ev.Get("ExternalUserID"))
		}
	}
	assert.Equal(t, 1, edits, "a member tagging in the client emits edit_external_contact")
}

func TestCorpTagErrors(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	g, err := s.AddTagGroup(wecomtest.TagGroup{GroupName: "等级", Tags: []wecomtest.Tag{{Name: "VIP"}}})
	require.NoError(t, err)
	addUsers(t, s, "zhangsan", "lisi")
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)

	codes := []struct {
		name string
		err  error
		code wecom.Code
	}{
		{"unknown group", ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupID: "etNope", Tags: []TagSpec{{Name: "x"}}})), 40068},
		{"duplicate name", ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupID: g.GroupID, Tags: []TagSpec{{Name: "VIP"}}})), 40071},
		{"long name", ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "g", Tags: []TagSpec{{Name: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"}}})), 40058},
		{"bad agent", ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "g", Tags: []TagSpec{{Name: "x"}}, AgentID: 7})), 40058},
		{"edit unknown", svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: "etNope", Name: "x"}), 40068},
		{"edit to existing name", nil, 0},
		{"delete unknown", svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{TagIDs: []string{"etNope"}}), 40068},
		{"delete unknown group", svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{GroupIDs: []string{"etNope"}}), 40068},
		{"mark unknown tag", svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, AddTags: []string{"etNope"}}), 40068},
		{"mark unknown user", svc.MarkTags(ctx, &MarkTagsRequest{UserID: "ghost", ExternalUserID: c.ExternalUserID, AddTags: []string{g.Tags[0].ID}}), 60111},
		{"mark unknown customer", svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: "wmNope", AddTags: []string{g.Tags[0].ID}}), 40096},
		{"mark without relation", svc.MarkTags(ctx, &MarkTagsRequest{UserID: "lisi", ExternalUserID: c.ExternalUserID, AddTags: []string{g.Tags[0].ID}}), 84061},
	}
	_, err = svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupID: g.GroupID, Tags: []TagSpec{{Name: "普通"}}})
	require.NoError(t, err)
	codes[5].err, codes[5].code = svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: g.Tags[0].ID, Name: "普通"}), 40071
	for _, tc := range codes {
		assert.Equal(t, tc.code, wecom.ErrorCode(tc.err), "%s: %v", tc.name, tc.err)
	}

	// Misuse is caught before sending.
	n := len(s.Requests())
	assert.Error(t, ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "g"})))
	assert.Error(t, ignore(svc.AddCorpTags(ctx, nil)))
	assert.Error(t, svc.EditCorpTag(ctx, &EditCorpTagRequest{}))
	assert.Error(t, svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{}))
	assert.Error(t, svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID}))
	assert.Error(t, svc.MarkTags(ctx, &MarkTagsRequest{AddTags: []string{"x"}}))
	assert.Error(t, ignore(svc.AddStrategyTags(ctx, &AddStrategyTagsRequest{GroupName: "g", Tags: []TagSpec{{Name: "x"}}})))
	assert.Error(t, svc.EditStrategyTag(ctx, nil))
	assert.Error(t, svc.DeleteStrategyTags(ctx, nil))
	assert.Len(t, s.Requests(), n)
}

func ignore[T any](_ T, err error) error { return err }

func TestStrategyTagsRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	sid, err := svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "华南区", AdminList: []string{"zhangsan"}, Range: []strategy.Range{strategy.Member("zhangsan")}})
	require.NoError(t, err)
	corp, err := s.AddTagGroup(wecomtest.TagGroup{GroupName: "企业", Tags: []wecomtest.Tag{{Name: "A"}}})
	require.NoError(t, err)

	g, err := svc.AddStrategyTags(ctx, &AddStrategyTagsRequest{StrategyID: sid, GroupName: "华南标签", Order: 3, Tags: []TagSpec{{Name: "广州"}, {Name: "深圳"}}})
	require.NoError(t, err)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/add_strategy_tag")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"strategy_id":1,"group_name":"华南标签","order":3,"tag":[{"name":"广州"},{"name":"深圳"}]}`, string(reqs[0].Body))
	assert.Equal(t, sid, g.StrategyID)

	groups, err := svc.ListStrategyTags(ctx, &ListStrategyTagsRequest{StrategyID: sid})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, "华南标签", groups[0].GroupName)
	corpGroups, err := svc.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	require.Len(t, corpGroups, 1, "strategy tags are not corp tags")
	assert.Equal(t, corp.GroupID, corpGroups[0].GroupID)

	require.NoError(t, svc.EditStrategyTag(ctx, &EditStrategyTagRequest{ID: g.Tags[0].ID, Name: "广州市"}))
	assert.Equal(t, wecom.Code(40068), wecom.ErrorCode(svc.EditStrategyTag(ctx, &EditStrategyTagRequest{ID: corp.Tags[0].ID, Name: "x"})), "a corp tag is not a strategy tag")
	assert.Equal(t, wecom.Code(40068), wecom.ErrorCode(svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: g.Tags[0].ID, Name: "x"})), "a strategy tag is not a corp tag")

	// Strategy tags show as type 3 on customers.
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	require.NoError(t, svc.MarkTags(ctx, &MarkTagsRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, AddTags: []string{g.Tags[0].ID}}))
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, []FollowTag{{GroupName: "华南标签", TagName: "广州市", TagID: g.Tags[0].ID, Type: TagTypeStrategy}}, d.FollowUsers[0].Tags)

	require.NoError(t, svc.DeleteStrategyTags(ctx, &DeleteStrategyTagsRequest{GroupIDs: []string{g.GroupID}}))
	groups, err = svc.ListStrategyTags(ctx, &ListStrategyTagsRequest{StrategyID: sid})
	require.NoError(t, err)
	assert.Empty(t, groups)
	assert.Empty(t, tagEvents(s), "no callback for API changes")

	// An admin's changes in the console do emit, with the StrategyId.
	ag, err := s.AdminAddsStrategyTags(sid, "华北标签", "北京市")
	require.NoError(t, err)
	require.NoError(t, s.AdminEditsCorpTag(ag.Tags[0].ID, "北京"))
	require.NoError(t, s.AdminDeletesCorpTags(ag.GroupID))
	assert.Equal(t, []string{
		"create tag_group " + ag.GroupID + " strategy 1",
		"update tag " + ag.Tags[0].ID + " strategy 1",
		"delete tag_group " + ag.GroupID + " strategy 1",
	}, tagEvents(s))

	_, err = svc.AddStrategyTags(ctx, &AddStrategyTagsRequest{StrategyID: 99, GroupName: "x", Tags: []TagSpec{{Name: "y"}}})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	_, err = svc.ListStrategyTags(ctx, &ListStrategyTagsRequest{StrategyID: 99})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}
