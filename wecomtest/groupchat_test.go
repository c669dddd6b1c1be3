package wecomtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The customer-group endpoints are exercised through the SDK in package
// groupchat; these tests cover the answers the SDK never provokes.

func groupPaths() []string {
	return []string{
		"/cgi-bin/externalcontact/groupchat/list",
		"/cgi-bin/externalcontact/groupchat/get",
		"/cgi-bin/externalcontact/opengid_to_chatid",
		"/cgi-bin/externalcontact/groupchat/add_join_way",
		"/cgi-bin/externalcontact/groupchat/get_join_way",
		"/cgi-bin/externalcontact/groupchat/update_join_way",
		"/cgi-bin/externalcontact/groupchat/del_join_way",
		"/cgi-bin/externalcontact/groupchat/transfer",
		"/cgi-bin/externalcontact/groupchat/onjob_transfer",
		"/cgi-bin/externalcontact/groupchat/statistic",
		"/cgi-bin/externalcontact/groupchat/statistic_group_by_day",
		"/cgi-bin/externalcontact/group_welcome_template/add",
		"/cgi-bin/externalcontact/group_welcome_template/edit",
		"/cgi-bin/externalcontact/group_welcome_template/get",
		"/cgi-bin/externalcontact/group_welcome_template/del",
	}
}

func TestGroupChatEndpointsAnswerLikeWeCom(t *testing.T) {
	s := Start(t)
	q := url.Values{"access_token": {token(t, s)}}
	for _, p := range groupPaths() {
		assert.Contains(t, s.Paths(), p)
		_, out := rawCall(t, s, "POST", p, q, "not json")
		assert.EqualValues(t, codeDataFormat, out["errcode"], p)
		_, out = rawCall(t, s, "GET", p, q, "")
		assert.EqualValues(t, codeRequirePOST, out["errcode"], p)
	}
	for p, body := range map[string]string{
		"/cgi-bin/externalcontact/groupchat/get":                    `{}`,
		"/cgi-bin/externalcontact/opengid_to_chatid":                `{}`,
		"/cgi-bin/externalcontact/groupchat/get_join_way":           `{}`,
		"/cgi-bin/externalcontact/groupchat/update_join_way":        `{"config_id":"nope"}`,
		"/cgi-bin/externalcontact/groupchat/del_join_way":           `{}`,
		"/cgi-bin/externalcontact/group_welcome_template/get":       `{}`,
		"/cgi-bin/externalcontact/group_welcome_template/edit":      `{"template_id":"nope"}`,
		"/cgi-bin/externalcontact/group_welcome_template/del":       `{"template_id":""}`,
		"/cgi-bin/externalcontact/groupchat/onjob_transfer":         `{"chat_id_list":["wr"],"new_owner":""}`,
		"/cgi-bin/externalcontact/groupchat/statistic_group_by_day": `{"day_begin_time":1749484800,"owner_filter":{"userid_list":[` + strings.Repeat(`"a",`, 100) + `"a"]}}`,
	} {
		_, out := rawCall(t, s, "POST", p, q, body)
		assert.EqualValues(t, codeInvalidParameter, out["errcode"], p)
	}
}

func TestGroupStatisticOrders(t *testing.T) {
	s := Start(t)
	day := time.Date(2025, 6, 10, 0, 0, 0, 0, groupStatZone)
	for i, u := range []string{"a", "b"} {
		require.NoError(t, s.AddUser(User{UserID: u}))
		// b leads every figure.
		for k := 0; k <= i; k++ {
			g, err := s.AddGroupChat(GroupChat{Owner: u, CreateTime: day.Unix(), Members: []GroupMember{{UserID: u, JoinTime: day.Unix()}}})
			require.NoError(t, err)
			require.NoError(t, s.AddGroupMessages(g.ChatID, u, day, 1))
		}
	}
	q := url.Values{"access_token": {token(t, s)}}
	for order := 1; order <= 7; order++ {
		for asc, first := range []string{"b", "a"} {
			body, _ := json.Marshal(map[string]any{"day_begin_time": day.Unix(), "order_by": order, "order_asc": asc})
			_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/groupchat/statistic", q, string(body))
			require.EqualValues(t, 0, out["errcode"], out)
			items := out["items"].([]any)
			assert.Equal(t, first, items[0].(map[string]any)["owner"], "order_by %d asc %d", order, asc)
		}
	}
}

func TestOpenGIDOfARemovedGroup(t *testing.T) {
	s := Start(t)
	g, err := s.AddGroupChat(GroupChat{Owner: "x"})
	require.NoError(t, err)
	gid, ok := s.OpenGID(g.ChatID)
	require.True(t, ok)
	s.mu.Lock()
	delete(s.st.chats, g.ChatID)
	s.mu.Unlock()
	_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/opengid_to_chatid", url.Values{"access_token": {token(t, s)}}, `{"opengid":"`+gid+`"}`)
	assert.EqualValues(t, codeInvalidChatID, out["errcode"])
}

func TestGroupStatusFollowsTheOwner(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.AddUser(User{UserID: "alice", CustomerContact: true}))
	_, err := s.AddGroupChat(GroupChat{ChatID: "wrDone", Owner: "alice", Status: chatStatusTransferred})
	require.NoError(t, err)
	_, err = s.AddGroupChat(GroupChat{ChatID: "wrBusy", Owner: "alice", Status: chatStatusTransferring})
	require.NoError(t, err)
	q := url.Values{"access_token": {token(t, s)}}
	list := func() []any {
		_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/groupchat/list", q, `{"limit":10}`)
		require.EqualValues(t, 0, out["errcode"], out)
		return out["group_chat_list"].([]any)
	}
	assert.EqualValues(t, 3, list()[0].(map[string]any)["status"])

	// The new owner leaves as well: the group awaits a transfer again,
	// unless one is in progress.
	s.mu.Lock()
	s.st.users["alice"].Resigned = true
	s.mu.Unlock()
	got := list()
	assert.EqualValues(t, 1, got[0].(map[string]any)["status"])
	assert.EqualValues(t, 2, got[1].(map[string]any)["status"])
}
