package externalcontact

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wecomkit/wecom/strategy"
)

// The smaller answers of the area, decoded from WeCom's documented
// samples, with the request each call sends.
func TestSmallSamplesDecode(t *testing.T) {
	ctx := context.Background()

	svc, sent := fakeFile(t, "get_follow_user_list.json")
	users, err := svc.ListFollowUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan", "lisi", "wangwu"}, users)
	assert.Equal(t, record{Method: "GET", Path: "/cgi-bin/externalcontact/get_follow_user_list", Query: url.Values{}}, sent()[0])

	svc, sent = fakeFile(t, "list.json")
	ids, err := svc.ListCustomers(ctx, "zhangsan")
	require.NoError(t, err)
	assert.Equal(t, []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAA", "wmqfasd1e1927831291723123109rAAA"}, ids)
	assert.Equal(t, record{Method: "GET", Path: "/cgi-bin/externalcontact/list", Query: url.Values{"userid": {"zhangsan"}}}, sent()[0])

	svc, sent = fakeFile(t, "add_contact_way.json")
	id, qr, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWayMulti, Scene: ContactWaySceneMiniProgram, Style: 1, User: []string{"zhangsan"}, Party: []int{2}})
	require.NoError(t, err)
	assert.Equal(t, "42b34949e138eb6e027c123cba77fAAA", id)
	assert.Equal(t, "http://p.qpic.cn/wwhead/duc2TvpEgSdicZ9RrdUtBkv2UiaA/0", qr)
	assert.JSONEq(t, `{"type":2,"scene":1,"style":1,"user":["zhangsan"],"party":[2]}`, string(sent()[0].Body))

	svc, sent = fakeFile(t, "list_contact_way.json")
	ways, next, err := svc.ListContactWayIDs(ctx, &ListContactWayIDsRequest{StartTime: 1622476800, EndTime: 1625068800, Cursor: "C", Limit: 1000})
	require.NoError(t, err)
	assert.Equal(t, []string{"534b63270045c9ABiKEE814ef56d91c62f", "87bBiKEE811c62f63270041c62f5c9A4"}, ways)
	assert.Equal(t, "NEXT_CURSOR", next)
	assert.JSONEq(t, `{"start_time":1622476800,"end_time":1625068800,"cursor":"C","limit":1000}`, string(sent()[0].Body))

	svc, sent = fakeFile(t, "customer_strategy_list.json")
	sids, next, err := svc.ListStrategyIDs(ctx, &ListStrategyIDsRequest{Cursor: "C", Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, sids)
	assert.Equal(t, "NEXT_CURSOR", next)
	assert.JSONEq(t, `{"cursor":"C","limit":100}`, string(sent()[0].Body))
	assert.Equal(t, "/cgi-bin/externalcontact/customer_strategy/list", sent()[0].Path)

	svc, sent = fakeFile(t, "add_corp_tag.json")
	g, err := svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupID: "TAG_GROUPID1", Tags: []TagSpec{{Name: "NAME1", Order: 1}, {Name: "NAME2", Order: 2}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"group_id":"TAG_GROUPID1","tag":[{"name":"NAME1","order":1},{"name":"NAME2","order":2}]}`, string(sent()[0].Body))
	assert.Equal(t, &TagGroup{GroupID: "TAG_GROUPID1", GroupName: "GOURP_NAME", CreateTime: 1557838797, Order: 1, Tags: []Tag{
		{ID: "TAG_ID1", Name: "NAME1", CreateTime: 1557838797, Order: 1}, {ID: "TAG_ID2", Name: "NAME2", CreateTime: 1557838797, Order: 2},
	}}, g)

	svc, sent = fakeFile(t, "convert_to_openid.json")
	openID, err := svc.ConvertToOpenID(ctx, "wmAAA")
	require.NoError(t, err)
	assert.Equal(t, "ooAAAAAAAAAAAAAAAAAAAAAAAAAA", openID)
	assert.JSONEq(t, `{"external_userid":"wmAAA"}`, string(sent()[0].Body))

	svc, sent = fakeFile(t, "customer_strategy_create.json")
	sid, err := svc.CreateStrategy(ctx, &CreateStrategyRequest{ParentID: 0, StrategyName: "NAME", AdminList: []string{"zhangsan"},
		Privilege: &StrategyPrivilege{ViewCustomerList: true}, Range: []strategy.Range{strategy.Member("zhangsan"), strategy.Department(1)}})
	require.NoError(t, err)
	assert.Equal(t, 1, sid)
	body := jsonBody(t, []byte(string(sent()[0].Body)))
	assert.Equal(t, true, body["privilege"].(map[string]any)["view_customer_list"])
	assert.Equal(t, false, body["privilege"].(map[string]any)["manage_customer_tag"])
	assert.NotContains(t, body, "parent_id")
}
