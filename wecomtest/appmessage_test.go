package wecomtest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/appmessage"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// appFixture: zhangsan and lisi in department 2 (below it 3 with wangwu),
// zhaoliu in 1, a tag with lisi and department 3, on a manual clock.
func appFixture(t *testing.T) (*wecomtest.Server, *appmessage.Service, *wecom.Client) {
	t.Helper()
	s := wecomtest.Start(t, wecomtest.WithClock(wecomtest.NewManualClock(time.Unix(1_700_000_000, 0))))
	_, err := s.AddDepartment(wecomtest.Department{ID: 2, Name: "销售部"})
	require.NoError(t, err)
	_, err = s.AddDepartment(wecomtest.Department{ID: 3, Name: "华东", ParentID: 2})
	require.NoError(t, err)
	for _, u := range []wecomtest.User{
		{UserID: "zhangsan", DepartmentIDs: []int{2}}, {UserID: "LiSi", DepartmentIDs: []int{2}},
		{UserID: "wangwu", DepartmentIDs: []int{3}}, {UserID: "zhaoliu", DepartmentIDs: []int{1}},
	} {
		require.NoError(t, s.AddUser(u))
	}
	_, err = s.AddMemberTag(wecomtest.MemberTag{ID: 7, Name: "店长", UserIDs: []string{"LiSi"}, PartyIDs: []int{3}})
	require.NoError(t, err)
	c, err := s.Client(wecom.WithAgentID(s.AgentID))
	require.NoError(t, err)
	return s, appmessage.New(c), c
}

func text(s string) *message.Text { return &message.Text{Content: s} }

func TestAppMessageRecipients(t *testing.T) {
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	cases := []struct {
		name string
		req  appmessage.SendRequest
		want []string
		inv  [3][]string // users, parties, tags
	}{
		{"users", appmessage.SendRequest{ToUser: []string{"zhangsan", "lisi", "Nobody"}}, []string{"zhangsan", "LiSi"}, [3][]string{{"nobody"}}},
		{"party and below", appmessage.SendRequest{ToParty: []int{2, 9}}, []string{"zhangsan", "LiSi", "wangwu"}, [3][]string{nil, {"9"}}},
		{"tag", appmessage.SendRequest{ToTag: []int{7, 8}}, []string{"LiSi", "wangwu"}, [3][]string{nil, nil, {"8"}}},
		{"overlap once", appmessage.SendRequest{ToUser: []string{"wangwu"}, ToParty: []int{3}, ToTag: []int{7}}, []string{"wangwu", "LiSi"}, [3][]string{}},
		{"everyone", appmessage.SendRequest{ToAll: true}, []string{"zhangsan", "LiSi", "wangwu", "zhaoliu"}, [3][]string{}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Text = text(tc.name)
			res, err := svc.Send(ctx, &tc.req)
			require.NoError(t, err)
			assert.Equal(t, tc.inv[0], res.InvalidUsers)
			assert.Equal(t, tc.inv[1], res.InvalidParties)
			assert.Equal(t, tc.inv[2], res.InvalidTags)
			assert.Nil(t, res.UnlicensedUsers)
			assert.Len(t, res.MsgID, 86)
			assert.Empty(t, res.ResponseCode)
			msgs := s.AppMessages()
			require.Len(t, msgs, i+1)
			m := msgs[i]
			assert.Equal(t, res.MsgID, m.MsgID)
			assert.Equal(t, tc.want, m.Recipients)
			assert.Empty(t, m.Dropped)
			assert.Equal(t, "text", m.MsgType)
			assert.Equal(t, tc.name, m.Content)
			assert.JSONEq(t, `{"content":"`+tc.name+`"}`, string(m.Body))
			assert.Equal(t, s.AgentID, m.AgentID)
			assert.Equal(t, time.Unix(1_700_000_000, 0), m.SentAt)
		})
	}
	assert.Equal(t, []string{"@all"}, s.AppMessages()[4].ToUser)
	assert.Len(t, s.AppMessagesTo("wangwu"), 4)
	assert.Len(t, s.AppMessagesTo("zhaoliu"), 1)
}

func TestAppMessageInvalidAndUnlicensed(t *testing.T) {
	s, svc, c := appFixture(t)
	ctx := testCtx(t)
	require.NoError(t, s.UpdateProfile("zhangsan", wecomtest.Profile{Unlicensed: true}))
	require.NoError(t, s.UpdateProfile("wangwu", wecomtest.Profile{Disabled: true}))
	require.NoError(t, s.ResignUser("zhaoliu"))

	res, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan", "LISI", "wangwu", "zhaoliu"}, Markdown: &appmessage.Markdown{Content: "**hi**"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"wangwu", "zhaoliu"}, res.InvalidUsers, "disabled and departed members are invalid")
	assert.Equal(t, []string{"zhangsan"}, res.UnlicensedUsers)
	assert.True(t, res.Partial())
	assert.Equal(t, []string{"LiSi"}, s.AppMessages()[0].Recipients)

	// Every recipient invalid: 81013 and nothing recorded.
	_, err = svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"nobody", "wangwu"}, ToParty: []int{42}, Text: text("x")})
	assert.True(t, wecom.HasCode(err, appmessage.CodeAllRecipientsInvalid), err)
	assert.Len(t, s.AppMessages(), 1)

	// Another app's agentid.
	_, err = svc.Send(ctx, &appmessage.SendRequest{AgentID: 1, ToUser: []string{"LiSi"}, Text: text("x")})
	assert.True(t, wecom.HasCode(err, 40056), err)

	// Bodies WeCom refuses, sent raw.
	for body, code := range map[string]int{
		`{"touser":"LiSi","msgtype":"text","agentid":1000002,"text":{"content":""}}`:                                     44004,
		`{"touser":"LiSi","msgtype":"text","agentid":1000002}`:                                                           40058,
		`{"touser":"LiSi","msgtype":"poster","agentid":1000002,"poster":{}}`:                                             40008,
		`{"touser":"LiSi","msgtype":"textcard","agentid":1000002,"textcard":{"url":"u"}}`:                                40058,
		`{"touser":"LiSi","msgtype":"news","agentid":1000002,"news":{"articles":[]}}`:                                    40058,
		`{"touser":"LiSi","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"x"}}`:                40058,
		`{"touser":"LiSi","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"vote_interaction"}}`: 40058,
		`{"touser":"LiSi","msgtype":"text","agentid":1000002,"text":{"content":"x"},"duplicate_check_interval":14401}`:   40058,
		`{"touser":"LiSi","msgtype":"text","agentid":1000002,"text":"x"}`:                                                47001,
		`not json`: 47001,
	} {
		err := c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/message/send", Body: json.RawMessage(body)}, nil)
		assert.True(t, wecom.HasCode(err, wecom.Code(code)), "%s: %v", body, err)
	}
	assert.Len(t, s.AppMessages(), 1, "no refused message is recorded")
}

func TestAppMessagePerMemberLimit(t *testing.T) {
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	for i := 0; i < 30; i++ {
		_, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("x")})
		require.NoError(t, err)
	}
	res, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan", "wangwu"}, Text: text("31st")})
	require.NoError(t, err, "WeCom says nothing of the drop")
	assert.False(t, res.Partial())
	last := s.AppMessages()[30]
	assert.Equal(t, []string{"wangwu"}, last.Recipients)
	assert.Equal(t, []string{"zhangsan"}, last.Dropped)
	assert.Len(t, s.AppMessagesTo("zhangsan"), 30)

	s.Clock().Advance(time.Minute)
	_, err = svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("later")})
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan"}, s.AppMessages()[31].Recipients, "a minute later the member gets messages again")
}

// The hourly limit: 1000 an hour, reached at 30 a minute.
func TestAppMessageHourlyLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1001 messages")
	}
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	for i := 0; i < 1000; i++ {
		if i > 0 && i%30 == 0 {
			s.Clock().Advance(time.Minute)
		}
		_, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhaoliu"}, Text: text("x")})
		require.NoError(t, err)
	}
	s.Clock().Advance(time.Minute)
	_, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhaoliu"}, Text: text("x")})
	require.NoError(t, err)
	msgs := s.AppMessages()
	assert.Len(t, s.AppMessagesTo("zhaoliu"), 1000)
	assert.Equal(t, []string{"zhaoliu"}, msgs[len(msgs)-1].Dropped, "the 1001st within the hour is dropped")
	s.Clock().Advance(time.Hour)
	_, err = svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhaoliu"}, Text: text("x")})
	require.NoError(t, err)
	assert.Len(t, s.AppMessagesTo("zhaoliu"), 1001)
}

func TestAppMessageDuplicateCheck(t *testing.T) {
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	req := &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("一次"), EnableDuplicateCheck: true, DuplicateCheckInterval: time.Minute}
	_, err := svc.Send(ctx, req)
	require.NoError(t, err)
	_, err = svc.Send(ctx, req)
	require.NoError(t, err)
	s.Clock().Advance(time.Minute)
	_, err = svc.Send(ctx, req)
	require.NoError(t, err)
	_, err = svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("一次")}) // no check: always sent
	require.NoError(t, err)
	msgs := s.AppMessages()
	require.Len(t, msgs, 4)
	assert.False(t, msgs[0].Duplicate)
	assert.True(t, msgs[1].Duplicate)
	assert.Empty(t, msgs[1].Recipients)
	assert.False(t, msgs[2].Duplicate, "the interval is over")
	assert.False(t, msgs[3].Duplicate)
	assert.Len(t, s.AppMessagesTo("zhangsan"), 3)
}

func TestAppMessageRecall(t *testing.T) {
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	a, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("a")})
	require.NoError(t, err)
	b, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, Text: text("b")})
	require.NoError(t, err)

	s.Clock().Advance(time.Hour)
	require.NoError(t, svc.Recall(ctx, a.MsgID))
	assert.True(t, wecom.HasCode(svc.Recall(ctx, a.MsgID), wecom.CodeInvalidParameter), "only once")
	assert.True(t, wecom.HasCode(svc.Recall(ctx, "unknown"), wecom.CodeInvalidParameter))
	s.Clock().Advance(23 * time.Hour)
	err = svc.Recall(ctx, b.MsgID)
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), "24 hours after: %v", err)

	msgs := s.AppMessages()
	assert.True(t, msgs[0].Recalled())
	assert.Equal(t, time.Unix(1_700_000_000, 0).Add(time.Hour), msgs[0].RecalledAt)
	assert.False(t, msgs[1].Recalled())
}

func TestAppMessageTemplateCard(t *testing.T) {
	s, svc, _ := appFixture(t)
	ctx := testCtx(t)
	card := &appmessage.TemplateCard{
		CardType: appmessage.CardButtonInteraction, TaskID: "confirm-1", MainTitle: &appmessage.MainTitle{Title: "群发待确认"},
		ButtonList: []appmessage.Button{{Text: "确认", Key: "ok"}},
	}
	res, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan", "LiSi"}, TemplateCard: card})
	require.NoError(t, err)
	require.NotEmpty(t, res.ResponseCode)
	m := s.AppMessages()[0]
	assert.Equal(t, "template_card", m.MsgType)
	assert.Equal(t, "button_interaction", m.CardType)
	assert.Equal(t, "confirm-1", m.TaskID)
	assert.Equal(t, "群发待确认", m.Content)
	assert.Equal(t, res.ResponseCode, m.ResponseCode)

	s.Clock().Advance(time.Hour)
	up, err := svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{ResponseCode: res.ResponseCode, UserIDs: []string{"zhangsan", "wangwu", "nobody"}, ReplaceName: "已确认"})
	require.NoError(t, err)
	assert.Equal(t, []string{"nobody", "wangwu"}, up.InvalidUsers, "not a recipient, or not a member")
	_, err = svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{ResponseCode: res.ResponseCode, ReplaceName: "again"})
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), "a response code is single use: %v", err)
	m = s.AppMessages()[0]
	require.Len(t, m.CardUpdates, 1)
	assert.Equal(t, wecomtest.CardUpdate{At: time.Unix(1_700_000_000, 0).Add(time.Hour), UserIDs: []string{"zhangsan"}, ReplaceName: "已确认"}, m.CardUpdates[0])

	// A whole new card for everyone, then a code past its 72 hours.
	res2, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan", "LiSi"}, TemplateCard: card})
	require.NoError(t, err)
	up, err = svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{ResponseCode: res2.ResponseCode, AtAll: true,
		TemplateCard: &appmessage.TemplateCard{CardType: appmessage.CardButtonInteraction, MainTitle: &appmessage.MainTitle{Title: "已处理"}, ButtonList: []appmessage.Button{{Text: "已确认", Style: 2}}}})
	require.NoError(t, err)
	assert.Nil(t, up.InvalidUsers)
	u := s.AppMessages()[1].CardUpdates[0]
	assert.True(t, u.AtAll)
	assert.Equal(t, []string{"zhangsan", "LiSi"}, u.UserIDs)
	assert.JSONEq(t, `{"card_type":"button_interaction","main_title":{"title":"已处理"},"button_list":[{"text":"已确认","style":2}]}`, string(u.TemplateCard))

	res3, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, TemplateCard: card})
	require.NoError(t, err)
	s.Clock().Advance(72 * time.Hour)
	_, err = svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{ResponseCode: res3.ResponseCode, ReplaceName: "late"})
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), "past 72 hours: %v", err)
	_, err = svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{AgentID: 5, ResponseCode: res3.ResponseCode, ReplaceName: "x"})
	assert.True(t, wecom.HasCode(err, 40056), err)

	// A notice card has no response code.
	res4, err := svc.Send(ctx, &appmessage.SendRequest{ToUser: []string{"zhangsan"}, TemplateCard: &appmessage.TemplateCard{
		CardType: appmessage.CardTextNotice, MainTitle: &appmessage.MainTitle{Title: "通知"}, CardAction: &appmessage.CardAction{Type: appmessage.LinkURL, URL: "https://example.com"}}})
	require.NoError(t, err)
	assert.Empty(t, res4.ResponseCode)
}
