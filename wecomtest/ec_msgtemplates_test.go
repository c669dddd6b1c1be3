package wecomtest

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// When several members have a customer, a single-chat mass message goes
// only through the member who last chatted with them (the sheet): by
// default the newest relation, else whom MemberChatsWith names, unless a
// relation was added after that chat.
func TestMassMessageGoesThroughTheMemberWhoLastChatted(t *testing.T) {
	clk := NewManualClock(time.Unix(1_700_000_000, 0))
	s := Start(t, WithClock(clk))
	for _, id := range []string{"zhangsan", "lisi", "wangwu"} {
		require.NoError(t, s.AddUser(User{UserID: id, Name: id, CustomerContact: true}))
	}
	// c1: zhangsan first, lisi a minute later. c2: zhangsan only.
	c1, err := s.AddCustomer(Customer{Name: "小鱼儿"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	clk.Advance(time.Minute)
	require.NoError(t, s.AddFollow(Follow{UserID: "lisi", ExternalUserID: c1.ExternalUserID}))
	c2, err := s.AddCustomer(Customer{Name: "王芳"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)

	q := url.Values{"access_token": {token(t, s)}}
	send := func() string {
		t.Helper()
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/add_msg_template", q,
			`{"external_userid":["`+c1.ExternalUserID+`","`+c2.ExternalUserID+`"],"text":{"content":"hi"}}`)
		require.EqualValues(t, 0, out["errcode"], out)
		return out["msgid"].(string)
	}
	tasks := func(msgID string) []any {
		t.Helper()
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/get_groupmsg_task", q, `{"msgid":"`+msgID+`"}`)
		require.EqualValues(t, 0, out["errcode"], out)
		var ids []any
		for _, tk := range out["task_list"].([]any) {
			ids = append(ids, tk.(map[string]any)["userid"])
		}
		return ids
	}
	results := func(msgID, userID string) []any {
		t.Helper()
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/get_groupmsg_send_result", q, `{"msgid":"`+msgID+`","userid":"`+userID+`"}`)
		require.EqualValues(t, 0, out["errcode"], out)
		var ids []any
		for _, r := range out["send_list"].([]any) {
			ids = append(ids, r.(map[string]any)["external_userid"])
		}
		return ids
	}

	// The newest relation of c1 is lisi's.
	m1 := send()
	assert.Equal(t, []any{"lisi", "zhangsan"}, tasks(m1))
	assert.Equal(t, []any{c1.ExternalUserID}, results(m1, "lisi"))
	assert.Equal(t, []any{c2.ExternalUserID}, results(m1, "zhangsan"), "c1 not through zhangsan too")

	// zhangsan chats with c1: the next one goes through zhangsan alone.
	clk.Advance(time.Minute)
	require.NoError(t, s.MemberChatsWith("zhangsan", c1.ExternalUserID))
	m2 := send()
	assert.Equal(t, []any{"zhangsan"}, tasks(m2))
	assert.Equal(t, []any{c1.ExternalUserID, c2.ExternalUserID}, results(m2, "zhangsan"))
	assert.Nil(t, results(m2, "lisi"))

	// wangwu adds c1 later: a new relation starts with a chat.
	clk.Advance(time.Minute)
	require.NoError(t, s.AddFollow(Follow{UserID: "wangwu", ExternalUserID: c1.ExternalUserID}))
	m3 := send()
	assert.Equal(t, []any{"wangwu", "zhangsan"}, tasks(m3))
	assert.Equal(t, []any{c1.ExternalUserID}, results(m3, "wangwu"))

	// A sender restricts to their own relation whoever chatted last.
	_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/add_msg_template", q,
		`{"sender":"lisi","external_userid":["`+c1.ExternalUserID+`"],"text":{"content":"hi"}}`)
	require.EqualValues(t, 0, out["errcode"], out)
	assert.Equal(t, []any{"lisi"}, tasks(out["msgid"].(string)))

	assert.Error(t, s.MemberChatsWith("wangwu", c2.ExternalUserID), "not wangwu's customer")
	assert.Error(t, s.MemberChatsWith("zhangsan", "wmNobody"))
}
