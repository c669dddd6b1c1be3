package wecomtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Validation the SDK's own checks never let through, sent raw.
func TestCustomerEndpointsValidateLikeWeCom(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.AddUser(User{UserID: "zhangsan", CustomerContact: true}))
	tok := url.Values{"access_token": {token(t, s)}}
	code := func(method, path, body string, q ...string) any {
		v := url.Values{"access_token": tok["access_token"]}
		for i := 0; i+1 < len(q); i += 2 {
			v.Set(q[i], q[i+1])
		}
		_, out := rawCall(t, s, method, path, v, body)
		return out["errcode"]
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint(`"u`, i, `"`)
	}
	const p = "/cgi-bin/externalcontact/"
	cases := []struct {
		method, path, body string
		q                  []string
		want               int
	}{
		{"GET", p + "list", "", nil, 41009},
		{"GET", p + "get", "", nil, 40096},
		{"GET", p + "get", "", []string{"external_userid", "wmX", "cursor", "!!"}, 40096},
		{"POST", p + "batch/get_by_user", `{}`, nil, 41009},
		{"POST", p + "batch/get_by_user", `{"userid_list":[` + strings.Join(many, ",") + `]}`, nil, 40058},
		{"POST", p + "batch/get_by_user", `{"userid_list":["zhangsan"],"limit":101}`, nil, 0}, // clamped to 100, not refused
		{"POST", p + "batch/get_by_user", `{"userid_list":["zhangsan"],"limit":-1}`, nil, 40058},
		{"POST", p + "batch/get_by_user", `{"userid_list":["zhangsan"],"cursor":"` + encodeCursor("batch_get_by_user", 5) + `"}`, nil, 40058},
		{"POST", p + "batch/get_by_user", `not json`, nil, 47001},
		{"GET", p + "batch/get_by_user", ``, nil, 43002},
		{"POST", p + "remark", `{"external_userid":"wm"}`, nil, 41009},
		{"POST", p + "remark", `{"userid":"zhangsan"}`, nil, 40096},
		{"POST", p + "mark_tag", `{"userid":"zhangsan","external_userid":"wm"}`, nil, 40058},
		{"POST", p + "mark_tag", `{"external_userid":"wm","add_tag":["x"]}`, nil, 41009},
		{"POST", p + "add_corp_tag", `{"group_name":"g"}`, nil, 40058},
		{"POST", p + "add_corp_tag", `{"tag":[{"name":"a"}]}`, nil, 40058},
		{"POST", p + "add_corp_tag", `{"group_name":"g","tag":[{"name":"a"},{"name":"a"}]}`, nil, 40071},
		{"POST", p + "edit_corp_tag", `{}`, nil, 40058},
		{"POST", p + "del_corp_tag", `{}`, nil, 40058},
		{"POST", p + "get_contact_way", `{}`, nil, 41043},
		{"POST", p + "get_contact_way", `{"config_id":"nope"}`, nil, 41044},
		{"POST", p + "add_contact_way", `{"scene":2,"user":["zhangsan"]}`, nil, 41037},
		{"POST", p + "add_contact_way", `{"type":1,"user":["zhangsan"]}`, nil, 41038},
		{"POST", p + "add_contact_way", `{"type":5,"scene":2,"user":["zhangsan"]}`, nil, 41039},
		{"POST", p + "add_contact_way", `{"type":1,"scene":5,"user":["zhangsan"]}`, nil, 41040},
		{"POST", p + "add_contact_way", `{"type":1,"scene":2,"user":["zhangsan","lisi"]}`, nil, 41041},
		{"POST", p + "add_contact_way", `{"type":1,"scene":1,"style":7,"user":["zhangsan"]}`, nil, 41042},
		{"POST", p + "add_contact_way", `{"type":1,"scene":2}`, nil, 40058},
		{"POST", p + "add_contact_way", `{"type":1,"scene":2,"user":["zhangsan"],"state":"` + strings.Repeat("长", 31) + `"}`, nil, 40058},
		{"POST", p + "list_contact_way", `{"limit":1001}`, nil, 40058},
		{"POST", p + "close_temp_chat", `{"external_userid":"wm"}`, nil, 41009},
		{"POST", p + "close_temp_chat", `{"userid":"zhangsan"}`, nil, 40096},
		{"POST", p + "customer_strategy/get", `{}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"strategy_name":"x"}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"strategy_name":"x","admin_list":["zhangsan"]}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"strategy_name":"x","admin_list":["zhangsan"],"range":[{"type":3}]}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"strategy_name":"x","admin_list":["zhangsan"],"range":[{"type":2}]}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"strategy_name":"x","admin_list":["zhangsan"],"range":[{"type":1,"userid":"zhangsan"}],"privilege":{"fly":true}}`, nil, 40058},
		{"POST", p + "customer_strategy/create", `{"parent_id":9,"strategy_name":"x","admin_list":["zhangsan"],"range":[{"type":1,"userid":"zhangsan"}]}`, nil, 40058},
		{"POST", p + "customer_strategy/get_range", `{"strategy_id":9}`, nil, 40058},
		{"POST", p + "unionid_to_external_userid", `{"openid":"x"}`, nil, 40058},
		{"POST", "/cgi-bin/idconvert/unionid_to_external_userid", `{"unionid":"x"}`, nil, 40058},
		{"POST", "/cgi-bin/corpgroup/unionid_to_external_userid", `{"unionid":"x"}`, nil, 40058},
		{"POST", "/cgi-bin/corpgroup/unionid_to_pending_id", `{"openid":"x"}`, nil, 40058},
		{"POST", "/cgi-bin/idconvert/batch/external_userid_to_pending_id", `{}`, nil, 40058},
		{"POST", "/cgi-bin/corpgroup/batch/external_userid_to_pending_id", `{"external_userid":["a"],"chat_id":"wrGhost"}`, nil, 40050},
		{"POST", "/cgi-bin/idconvert/convert_tmp_external_userid", `{"business_type":3,"user_type":1,"tmp_external_userid_list":["a"]}`, nil, 40058},
		{"POST", "/cgi-bin/idconvert/external_tagid", `{}`, nil, 40058},
		{"POST", p + "from_service_external_userid", `{"external_userid":"x"}`, nil, 40058},
		{"POST", p + "groupchat/get_new_external_userid", `{"external_userid_list":["x"]}`, nil, 40058},
		{"POST", p + "groupchat/get_new_external_userid", `{"chatid":"wrGhost","external_userid_list":["x"]}`, nil, 40050},
		{"POST", p + "contact_list", `{"limit":1001}`, nil, 40058},
		{"POST", p + "customer_acquisition/get_chat_info", `{"chat_key":"nope"}`, nil, 40058},
		{"POST", p + "convert_to_openid", `{}`, nil, 40096},
		{"POST", p + "get_new_external_userid", `{}`, nil, 40058},
	}
	for _, tc := range cases {
		assert.EqualValues(t, tc.want, code(tc.method, tc.path, tc.body, tc.q...), "%s %s %s", tc.method, tc.path, tc.body)
	}
}

func TestBatchGetByUserPagesAcrossMembers(t *testing.T) {
	s := Start(t)
	for _, u := range []string{"a", "b", "c"} {
		require.NoError(t, s.AddUser(User{UserID: u, CustomerContact: true}))
	}
	// a: 3, b: 0, c: 4 relations.
	for i := 0; i < 7; i++ {
		u := "a"
		if i >= 3 {
			u = "c"
		}
		_, err := s.AddCustomer(Customer{ExternalUserID: fmt.Sprintf("wm%d", i), Name: fmt.Sprint("n", i)}, Follow{UserID: u})
		require.NoError(t, err)
	}
	tok := token(t, s)
	var got []string
	cursor := ""
	pages := 0
	for {
		body := fmt.Sprintf(`{"userid_list":["a","b","c"],"limit":2,"cursor":%q}`, cursor)
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/batch/get_by_user", url.Values{"access_token": {tok}}, body)
		require.EqualValues(t, 0, out["errcode"], "%v", out)
		pages++
		for _, r := range out["external_contact_list"].([]any) {
			m := r.(map[string]any)
			got = append(got, m["follow_info"].(map[string]any)["userid"].(string)+"/"+m["external_contact"].(map[string]any)["external_userid"].(string))
			_, hasTags := m["follow_info"].(map[string]any)["tag_id"]
			assert.True(t, hasTags, "tag_id is always present")
		}
		cursor, _ = out["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	assert.Equal(t, []string{"a/wm0", "a/wm1", "a/wm2", "c/wm3", "c/wm4", "c/wm5", "c/wm6"}, got)
	assert.Equal(t, 4, pages)

	// The default page size is 50 and the raw JSON matches WeCom's shape.
	_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/batch/get_by_user", url.Values{"access_token": {tok}}, `{"userid_list":["a"]}`)
	b, _ := json.Marshal(out["external_contact_list"].([]any)[0])
	assert.JSONEq(t, `{"external_contact":{"external_userid":"wm0","name":"n0","type":1,"gender":0},"follow_info":{"userid":"a","remark":"","description":"","createtime":`+fmt.Sprint(out["external_contact_list"].([]any)[0].(map[string]any)["follow_info"].(map[string]any)["createtime"])+`,"tag_id":[],"oper_userid":"","add_way":0}}`, string(b))
	assert.Equal(t, "", out["next_cursor"])
}

// get_new_external_userid (and its group form) answers an id that is
// already new with itself (the sheet), and still leaves unknown ids out.
func TestGetNewExternalUserIDKeepsANewID(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.AddUser(User{UserID: "zhangsan", CustomerContact: true}))
	c, err := s.AddCustomer(Customer{Name: "李四"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	old := c.ExternalUserID
	chat, err := s.AddGroupChat(GroupChat{Name: "群", Owner: "zhangsan", Members: []GroupMember{{UserID: "zhangsan", Type: 1}, {UserID: old, Type: 2}}})
	require.NoError(t, err)
	q := url.Values{"access_token": {token(t, s)}}
	items := func(path, body string) []any {
		t.Helper()
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/"+path, q, body)
		require.EqualValues(t, 0, out["errcode"], out)
		return out["items"].([]any)
	}
	first := items("get_new_external_userid", `{"external_userid_list":["`+old+`"]}`)
	require.Len(t, first, 1)
	newID := first[0].(map[string]any)["new_external_userid"].(string)
	require.NotEqual(t, old, newID)

	got := items("get_new_external_userid", `{"external_userid_list":["`+newID+`","`+old+`","wmGhost"]}`)
	assert.Equal(t, []any{
		map[string]any{"external_userid": newID, "new_external_userid": newID},
		map[string]any{"external_userid": old, "new_external_userid": newID},
	}, got)
	got = items("groupchat/get_new_external_userid", `{"chat_id":"`+chat.ChatID+`","external_userid_list":["`+newID+`","wmGhost"]}`)
	assert.Equal(t, []any{map[string]any{"external_userid": newID, "new_external_userid": newID}}, got)
}
