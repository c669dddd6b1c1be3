package externalcontact

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestMsgEnumsString(t *testing.T) {
	assert.Equal(t, "single", ChatTypeSingle.String())
	assert.Equal(t, "group", ChatTypeGroup.String())
	assert.Equal(t, []string{"pending", "sent", "GroupMsgTaskStatus(1)"},
		[]string{GroupMsgTaskPending.String(), GroupMsgTaskSent.String(), GroupMsgTaskStatus(1).String()})
	assert.Equal(t, []string{"not sent", "sent", "not a contact", "quota reached", "GroupMsgSendStatus(9)"},
		[]string{GroupMsgNotSent.String(), GroupMsgSent.String(), GroupMsgNotFriend.String(), GroupMsgQuotaReached.String(), GroupMsgSendStatus(9).String()})
}

func TestAddMsgTemplateSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/add_msg_template", "add_msg_template.json")
	res, err := svc.AddMsgTemplate(testCtx(t), &AddMsgTemplateRequest{
		ChatType:        ChatTypeSingle,
		ExternalUserIDs: []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", "wmqfasd1e1927831123109rBAAAA"},
		TagFilter:       &MsgTemplateTagFilter{GroupList: []MsgTemplateTagGroup{{TagList: []string{"etXXXXXXXXXX", "etYYYYYYYYYY"}}}},
		Sender:          "zhangsan",
		AllowSelect:     true,
		Text:            &message.Text{Content: "春季新品上市，会员专享八折"},
		Attachments: []message.Attachment{
			message.ImageAttachment("MEDIA_ID"),
			message.LinkAttachment(message.Link{Title: "新品", PicURL: "https://example.pic.com/path", Desc: "点击查看", URL: "https://example.link.com/path"}),
			message.MiniProgramAttachment(message.MiniProgram{Title: "商城", PicMediaID: "MEDIA_ID", AppID: "wx8bd80126147dfAAA", Page: "/path/index.html"}),
			message.VideoAttachment("VIDEO_ID"),
			message.FileAttachment("FILE_ID"),
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "msgGCAAAXtWyujaWJHDDGi0mACAAAA", res.MsgID)
	assert.Equal(t, []string{"wmqfasd1e1927831123109rBAAAA"}, res.FailList)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, jsonOf(t, `{
		"chat_type":"single",
		"external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA","wmqfasd1e1927831123109rBAAAA"],
		"tag_filter":{"group_list":[{"tag_list":["etXXXXXXXXXX","etYYYYYYYYYY"]}]},
		"sender":"zhangsan",
		"allow_select":true,
		"text":{"content":"春季新品上市，会员专享八折"},
		"attachments":[
			{"msgtype":"image","image":{"media_id":"MEDIA_ID"}},
			{"msgtype":"link","link":{"title":"新品","picurl":"https://example.pic.com/path","desc":"点击查看","url":"https://example.link.com/path"}},
			{"msgtype":"miniprogram","miniprogram":{"title":"商城","pic_media_id":"MEDIA_ID","appid":"wx8bd80126147dfAAA","page":"/path/index.html"}},
			{"msgtype":"video","video":{"media_id":"VIDEO_ID"}},
			{"msgtype":"file","file":{"media_id":"FILE_ID"}}
		]}`), jsonBody(t, reqs[0].Body))

	// A minimal message sends only what is set.
	_, err = svc.AddMsgTemplate(testCtx(t), &AddMsgTemplateRequest{Text: &message.Text{Content: "hi"}})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"text":{"content":"hi"}}`), jsonBody(t, st.requests()[1].Body))
}

func TestAddMsgTemplateValidation(t *testing.T) {
	st, svc := newStub(t)
	text := &message.Text{Content: "hi"}
	ten := make([]message.Attachment, 10)
	for i := range ten {
		ten[i] = message.ImageAttachment("m")
	}
	cases := []struct {
		name string
		req  *AddMsgTemplateRequest
		text string
	}{
		{"nil is the zero request", nil, "neither text nor attachments"},
		{"chat type", &AddMsgTemplateRequest{ChatType: "room", Text: text}, `unknown chat type "room"`},
		{"group without sender", &AddMsgTemplateRequest{ChatType: ChatTypeGroup, Text: text}, "needs a sender"},
		{"empty", &AddMsgTemplateRequest{}, "neither text nor attachments"},
		{"empty text", &AddMsgTemplateRequest{Text: &message.Text{}}, "neither text nor attachments"},
		{"10 attachments", &AddMsgTemplateRequest{Attachments: ten}, "10 attachments, at most 9"},
		{"bad attachment", &AddMsgTemplateRequest{Attachments: []message.Attachment{{MsgType: message.TypeVideo, Image: &message.Image{MediaID: "m"}}}}, "attachment 0"},
		{"10001 customers", &AddMsgTemplateRequest{Text: text, ExternalUserIDs: make([]string, 10001)}, "10001 external_userid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.AddMsgTemplate(testCtx(t), tc.req)
			invalid(t, err)
			assert.ErrorContains(t, err, tc.text)
		})
	}
	assert.Empty(t, st.requests())
}

func TestGroupMsgsDecode(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/get_groupmsg_list_v2", "get_groupmsg_list_v2.json")
	msgs, next, err := svc.ListGroupMsgs(testCtx(t), &ListGroupMsgsRequest{
		ChatType: ChatTypeSingle, StartTime: 1605171726, EndTime: 1605172726, Creator: "zhangshan",
		FilterType: message.FilterCorp.Ptr(), Limit: 50, Cursor: "CURSOR",
	})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"chat_type":"single","start_time":1605171726,"end_time":1605172726,"creator":"zhangshan",
		"filter_type":0,"limit":50,"cursor":"CURSOR"}`), jsonBody(t, st.requests()[0].Body))
	assert.Equal(t, "CURSOR", next)
	require.Len(t, msgs, 2)
	m := msgs[0]
	assert.Equal(t, "msgGCAAAXtWyujaWJHDDGi0mAAAA", m.MsgID)
	assert.Equal(t, "xxxx", m.Creator)
	assert.Equal(t, int64(1616049874), m.CreateTime, "create_time as a string")
	assert.Equal(t, time.Unix(1616049874, 0), m.CreateAt())
	assert.Equal(t, message.CreatePersonal, m.CreateType)
	assert.Equal(t, "文本消息内容", m.Text.Content)
	require.Len(t, m.Attachments, 5)
	assert.Equal(t, message.TypeImage, m.Attachments[0].MsgType)
	assert.Equal(t, "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0", m.Attachments[0].Image.PicURL)
	assert.Equal(t, "https://example.link.com/path", m.Attachments[1].Link.URL)
	assert.Equal(t, "wx8bd80126147dfAAA", m.Attachments[2].MiniProgram.AppID)
	assert.Equal(t, "MEDIA_ID", m.Attachments[3].Video.MediaID)
	assert.Equal(t, "MEDIA_ID", m.Attachments[4].File.MediaID)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(m.Raw, &raw))
	assert.Equal(t, map[string]any{"x": float64(1)}, raw["future_field"], "unknown fields stay reachable")
	assert.Equal(t, int64(1616049999), msgs[1].CreateTime, "create_time as a number")
	assert.Equal(t, message.CreateCorp, msgs[1].CreateType)
	assert.Nil(t, msgs[1].Text)

	// nil FilterType leaves it out: WeCom then lists all.
	_, _, _ = svc.ListGroupMsgs(testCtx(t), &ListGroupMsgsRequest{ChatType: ChatTypeGroup, StartTime: 1, EndTime: 2})
	assert.Equal(t, jsonOf(t, `{"chat_type":"group","start_time":1,"end_time":2}`), jsonBody(t, st.requests()[1].Body))
}

func TestGroupMsgBadCreateTime(t *testing.T) {
	var m GroupMsg
	assert.ErrorContains(t, json.Unmarshal([]byte(`{"msgid":"m","create_time":"soon"}`), &m), "create_time")
	assert.Error(t, json.Unmarshal([]byte(`{"msgid":"m","create_time":true}`), &m))
	assert.Error(t, json.Unmarshal([]byte(`{"msgid":7}`), &m))
	require.NoError(t, json.Unmarshal([]byte(`{"msgid":"m","create_time":null}`), &m))
	assert.Zero(t, m.CreateTime)
	assert.True(t, m.CreateAt().IsZero())
	_, err := flex.ParseInt(json.RawMessage(`"unterminated`))
	assert.Error(t, err)
}

func TestGroupMsgsErrcode(t *testing.T) {
	st, svc := newStub(t)
	st.handle("/cgi-bin/externalcontact/get_groupmsg_list_v2", func([]byte) string { return `{"errcode":45009,"errmsg":"api freq out of limit"}` })
	_, _, err := svc.ListGroupMsgs(testCtx(t), &ListGroupMsgsRequest{ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2})
	assert.True(t, wecom.IsRateLimited(err))
}

func TestGroupMsgListValidation(t *testing.T) {
	st, svc := newStub(t)
	month := int64(31 * 86400)
	for name, req := range map[string]*ListGroupMsgsRequest{
		"nil":        nil,
		"chat type":  {StartTime: 1, EndTime: 2},
		"no start":   {ChatType: ChatTypeSingle, EndTime: 2},
		"reversed":   {ChatType: ChatTypeSingle, StartTime: 3, EndTime: 2},
		"span":       {ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2 + month},
		"limit":      {ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2, Limit: 101},
		"neg. limit": {ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2, Limit: -1},
	} {
		_, _, err := svc.ListGroupMsgs(testCtx(t), req)
		assert.Error(t, err, name)
		_, err = collect(svc.AllGroupMsgs(testCtx(t), req))
		assert.Error(t, err, name)
	}
	assert.Empty(t, st.requests())
	for _, f := range []func() error{
		func() error { _, _, err := svc.ListGroupMsgTasks(testCtx(t), nil); return err },
		func() error {
			_, _, err := svc.ListGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "m", Limit: 1001})
			return err
		},
		func() error {
			_, _, err := svc.ListGroupMsgSendResults(testCtx(t), &ListGroupMsgSendResultsRequest{MsgID: "m"})
			return err
		},
		func() error {
			_, _, err := svc.ListGroupMsgSendResults(testCtx(t), &ListGroupMsgSendResultsRequest{UserID: "u"})
			return err
		},
		func() error { return svc.RemindGroupMsgSend(testCtx(t), "") },
		func() error { return svc.CancelGroupMsgSend(testCtx(t), "") },
	} {
		assert.Error(t, f())
	}
	assert.Empty(t, st.requests())
}

func TestGroupMsgTasksAndResultsDecode(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/get_groupmsg_task", "get_groupmsg_task.json")
	st.file(t, "/cgi-bin/externalcontact/get_groupmsg_send_result", "get_groupmsg_send_result.json")
	tasks, next, err := svc.ListGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "msgGCAAAXtWyujaWJHDDGi0mACAAAA", Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, "CURSOR", next)
	assert.Equal(t, []GroupMsgTask{{"zhangsan", GroupMsgTaskSent, 1552536375}, {"lisi", GroupMsgTaskPending, 0}}, tasks)
	assert.Equal(t, jsonOf(t, `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA","limit":100}`), jsonBody(t, st.requests()[0].Body))

	rs, next, err := svc.ListGroupMsgSendResults(testCtx(t), &ListGroupMsgSendResultsRequest{MsgID: "msgGCAAAXtWyujaWJHDDGi0mACAAAA", UserID: "zhangsan", Cursor: "CURSOR"})
	require.NoError(t, err)
	assert.Equal(t, "CURSOR", next)
	assert.Equal(t, jsonOf(t, `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA","userid":"zhangsan","cursor":"CURSOR"}`), jsonBody(t, st.requests()[1].Body))
	require.Len(t, rs, 3)
	assert.Equal(t, GroupMsgSendResult{ExternalUserID: "wmqfasd1e19278asdasAAAA", UserID: "zhangsan", Status: GroupMsgSent, SendTime: 1552536375}, rs[0])
	assert.Equal(t, GroupMsgQuotaReached, rs[1].Status)
	assert.Equal(t, "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", rs[2].ChatID)
	assert.Equal(t, GroupMsgNotSent, rs[2].Status)
}

func TestGroupMsgIterators(t *testing.T) {
	taskPage := func(users string, next string) string {
		var rows []string
		for _, u := range strings.Split(users, ",") {
			if u != "" {
				rows = append(rows, fmt.Sprintf(`{"userid":%q,"status":0}`, u))
			}
		}
		return fmt.Sprintf(`{"errcode":0,"errmsg":"ok","task_list":[%s],"next_cursor":%q}`, strings.Join(rows, ","), next)
	}
	users := func(ts []GroupMsgTask) (out []string) {
		for _, t := range ts {
			out = append(out, t.UserID)
		}
		return out
	}
	path := "/cgi-bin/externalcontact/get_groupmsg_task"
	for name, tc := range map[string]struct {
		pages   map[string]string
		want    []string
		wantErr bool
	}{
		"empty":        {map[string]string{"": taskPage("", "")}, nil, false},
		"one page":     {map[string]string{"": taskPage("a,b", "")}, []string{"a", "b"}, false},
		"many pages":   {map[string]string{"": taskPage("a", "1"), "1": taskPage("b", "2"), "2": taskPage("c", "")}, []string{"a", "b", "c"}, false},
		"error midway": {map[string]string{"": taskPage("a", "1"), "1": `{"errcode":-1,"errmsg":"busy"}`}, []string{"a"}, true},
	} {
		t.Run(name, func(t *testing.T) {
			st, svc := newStub(t)
			st.pages(path, tc.pages)
			got, err := collect(svc.AllGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "m"}))
			assert.Equal(t, tc.wantErr, err != nil)
			assert.Equal(t, tc.want, users(got))
		})
	}
	t.Run("early break", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": taskPage("a,b", "1"), "1": taskPage("c", "")})
		for range svc.AllGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "m"}) {
			break
		}
		assert.Len(t, st.requests(), 1)
	})
	t.Run("send results", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages("/cgi-bin/externalcontact/get_groupmsg_send_result", map[string]string{
			"":  `{"errcode":0,"errmsg":"ok","send_list":[{"external_userid":"w1","userid":"u","status":1}],"next_cursor":"1"}`,
			"1": `{"errcode":0,"errmsg":"ok","send_list":[{"external_userid":"w2","userid":"u","status":0}],"next_cursor":""}`,
		})
		got, err := collect(svc.AllGroupMsgSendResults(testCtx(t), &ListGroupMsgSendResultsRequest{MsgID: "m", UserID: "u", Limit: 1}))
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "w2", got[1].ExternalUserID)
		assert.Equal(t, jsonOf(t, `{"msgid":"m","userid":"u","limit":1,"cursor":"1"}`), jsonBody(t, st.requests()[1].Body))
	})
	t.Run("group msgs", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages("/cgi-bin/externalcontact/get_groupmsg_list_v2", map[string]string{
			"":  `{"errcode":0,"errmsg":"ok","group_msg_list":[{"msgid":"m1","create_time":"1"}],"next_cursor":"1"}`,
			"1": `{"errcode":0,"errmsg":"ok","group_msg_list":[{"msgid":"m2","create_time":2}],"next_cursor":""}`,
		})
		req := &ListGroupMsgsRequest{ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2, Cursor: "ignored"}
		got, err := collect(svc.AllGroupMsgs(testCtx(t), req))
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "m2", got[1].MsgID)
		assert.Equal(t, "ignored", req.Cursor, "the caller's request is not changed")
	})
}

// massFixture: two members, media, customers with tags.
type mass struct {
	s            *wecomtest.Server
	svc          *Service
	c1, c2, c3   string // c1, c2 of zhangsan (c2 tagged VIP), c3 of lisi
	image, video string
}

func massFixture(t *testing.T, opts ...wecomtest.Option) *mass {
	s, svc := newEnv(t, opts...)
	addUsers(t, s, "zhangsan", "lisi")
	m := &mass{s: s, svc: svc}
	m.c1 = addCustomer(t, s, "小鱼儿", "zhangsan")
	c2, err := s.AddCustomer(wecomtest.Customer{Name: "王芳"}, wecomtest.Follow{UserID: "zhangsan", TagIDs: []string{"etVIP"}})
	require.NoError(t, err)
	m.c2 = c2.ExternalUserID
	m.c3 = addCustomer(t, s, "Amy", "lisi")
	m.image = s.AddMedia(wecomtest.Media{Type: "image", FileName: "poster.png"}).MediaID
	m.video = s.AddMedia(wecomtest.Media{Type: "video", FileName: "intro.mp4"}).MediaID
	return m
}

// The quota is per customer per month, as many corp mass messages as
// the month has days (the sheet), not one a day; the admin may change it
// to 7 a week or 1 a day.
func TestMassMessageQuotaIsPerMonth(t *testing.T) {
	// testStart is 2026-03-02 (a Monday) 09:00 Beijing time; March has 31 days.
	m := massFixture(t)
	ctx := testCtx(t)
	send := func() GroupMsgSendStatus {
		t.Helper()
		res, err := m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{ExternalUserIDs: []string{m.c1}, Text: &message.Text{Content: "hi"}})
		require.NoError(t, err)
		require.NoError(t, m.s.ConfirmGroupMsg(res.MsgID, "zhangsan"))
		rs, _, err := m.svc.ListGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "zhangsan"})
		require.NoError(t, err)
		require.Len(t, rs, 1)
		return rs[0].Status
	}
	for i := 0; i < 31; i++ {
		require.Equal(t, GroupMsgSent, send(), "message %d of March", i+1)
	}
	assert.Equal(t, GroupMsgQuotaReached, send(), "the 32nd in March")
	m.s.Clock().Advance(29*24*time.Hour + 15*time.Hour) // 2026-04-01 00:00 Beijing time
	assert.Equal(t, GroupMsgSent, send(), "a new month")

	// The admin's weekly rule: 7 from Monday to Sunday (April 1 is a Wednesday).
	m.s.SetGroupMsgQuota(wecomtest.GroupMsgQuotaWeek)
	for i := 0; i < 6; i++ {
		require.Equal(t, GroupMsgSent, send())
	}
	assert.Equal(t, GroupMsgQuotaReached, send(), "the 8th of the week")
	m.s.Clock().Advance(5 * 24 * time.Hour) // Monday April 6
	assert.Equal(t, GroupMsgSent, send())

	// The daily rule.
	m.s.SetGroupMsgQuota(wecomtest.GroupMsgQuotaDay)
	assert.Equal(t, GroupMsgQuotaReached, send(), "one already today")
	m.s.Clock().Advance(24 * time.Hour)
	assert.Equal(t, GroupMsgSent, send())
	assert.Equal(t, GroupMsgQuotaReached, send())
}

func TestMassMessageRoundTrip(t *testing.T) {
	m := massFixture(t)
	ctx := testCtx(t)
	res, err := m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{
		ExternalUserIDs: []string{m.c1, m.c2, m.c3, "wmUnknown"},
		Text:            &message.Text{Content: "春季上新"},
		Attachments:     []message.Attachment{message.ImageAttachment(m.image), message.VideoAttachment(m.video)},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, res.MsgID)
	assert.Equal(t, []string{"wmUnknown"}, res.FailList)

	// Listed with its content.
	now := testStart.Unix()
	msgs, err := collect(m.svc.AllGroupMsgs(ctx, &ListGroupMsgsRequest{ChatType: ChatTypeSingle, StartTime: now - 60, EndTime: now + 60}))
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, res.MsgID, msgs[0].MsgID)
	assert.Equal(t, now, msgs[0].CreateTime)
	assert.Equal(t, message.CreateCorp, msgs[0].CreateType)
	assert.Equal(t, "春季上新", msgs[0].Text.Content)
	require.Len(t, msgs[0].Attachments, 2)
	assert.Equal(t, m.video, msgs[0].Attachments[1].Video.MediaID)
	none, err := collect(m.svc.AllGroupMsgs(ctx, &ListGroupMsgsRequest{ChatType: ChatTypeGroup, StartTime: now - 60, EndTime: now + 60}))
	require.NoError(t, err)
	assert.Empty(t, none)
	personal, err := collect(m.svc.AllGroupMsgs(ctx, &ListGroupMsgsRequest{ChatType: ChatTypeSingle, StartTime: now - 60, EndTime: now + 60, FilterType: message.FilterPersonal.Ptr()}))
	require.NoError(t, err)
	assert.Empty(t, personal)

	// A task per member, nothing sent yet.
	tasks, err := collect(m.svc.AllGroupMsgTasks(ctx, &ListGroupMsgTasksRequest{MsgID: res.MsgID, Limit: 1}))
	require.NoError(t, err)
	assert.Equal(t, []GroupMsgTask{{UserID: "zhangsan"}, {UserID: "lisi"}}, tasks)
	rs, err := collect(m.svc.AllGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "zhangsan"}))
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, GroupMsgNotSent, rs[0].Status)

	require.NoError(t, m.svc.RemindGroupMsgSend(ctx, res.MsgID))
	m.s.Clock().Advance(time.Minute)
	require.NoError(t, m.s.ConfirmGroupMsg(res.MsgID, "zhangsan"))
	assert.Error(t, m.s.ConfirmGroupMsg(res.MsgID, "zhangsan"), "sent once")
	rs, err = collect(m.svc.AllGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "zhangsan"}))
	require.NoError(t, err)
	require.NotEmpty(t, rs)
	for _, r := range rs {
		assert.Equal(t, GroupMsgSent, r.Status)
		assert.Equal(t, now+60, r.SendTime)
	}
	tasks, err = collect(m.svc.AllGroupMsgTasks(ctx, &ListGroupMsgTasksRequest{MsgID: res.MsgID}))
	require.NoError(t, err)
	assert.Equal(t, GroupMsgTaskSent, tasks[0].Status)
	assert.Equal(t, GroupMsgTaskPending, tasks[1].Status)

	// With the admin's rule of 1 a day, a second mass message the same
	// day reaches c1 no more; after canceling the first, lisi can no
	// longer send it.
	m.s.SetGroupMsgQuota(wecomtest.GroupMsgQuotaDay)
	res2, err := m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{Sender: "zhangsan", Text: &message.Text{Content: "again"}})
	require.NoError(t, err)
	require.NoError(t, m.s.ConfirmGroupMsg(res2.MsgID, "zhangsan"))
	rs, err = collect(m.svc.AllGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res2.MsgID, UserID: "zhangsan"}))
	require.NoError(t, err)
	require.Len(t, rs, 2, "all of zhangsan's customers")
	assert.Equal(t, GroupMsgQuotaReached, rs[0].Status)

	require.NoError(t, m.svc.CancelGroupMsgSend(ctx, res.MsgID))
	assert.Error(t, m.s.ConfirmGroupMsg(res.MsgID, "lisi"))
	err = m.svc.RemindGroupMsgSend(ctx, res.MsgID)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	held := m.s.MsgTemplates()
	require.Len(t, held, 2)
	assert.True(t, held[0].Canceled)
	assert.Equal(t, 1, held[0].Reminders)
	assert.Equal(t, "zhangsan", held[1].Creator)

	_, _, err = m.svc.ListGroupMsgTasks(ctx, &ListGroupMsgTasksRequest{MsgID: "msgNope"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	_, _, err = m.svc.ListGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "nobody"})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
}

func TestMassMessageTargets(t *testing.T) {
	m := massFixture(t)
	ctx := testCtx(t)
	// A tag filter picks tagged customers only.
	res, err := m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{
		TagFilter: &MsgTemplateTagFilter{GroupList: []MsgTemplateTagGroup{{TagList: []string{"etVIP", "etOther"}}}},
		Text:      &message.Text{Content: "VIP"},
	})
	require.NoError(t, err)
	held := m.s.MsgTemplates()
	require.Len(t, held[0].Results, 1)
	assert.Equal(t, m.c2, held[0].Results[0].ExternalUserID)
	assert.Empty(t, res.FailList)

	// A sender limits to their customers; others fail.
	res, err = m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{Sender: "lisi", ExternalUserIDs: []string{m.c1, m.c3}, Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	assert.Equal(t, []string{m.c1}, res.FailList)

	// Groups of the sender.
	g, err := m.s.AddGroupChat(wecomtest.GroupChat{Name: "VIP群", Owner: "zhangsan"})
	require.NoError(t, err)
	_, err = m.s.AddGroupChat(wecomtest.GroupChat{Name: "别人的群", Owner: "lisi"})
	require.NoError(t, err)
	res, err = m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{ChatType: ChatTypeGroup, Sender: "zhangsan", Text: &message.Text{Content: "群发"}})
	require.NoError(t, err)
	require.NoError(t, m.s.ConfirmGroupMsg(res.MsgID, "zhangsan"))
	rs, err := collect(m.svc.AllGroupMsgSendResults(ctx, &ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "zhangsan"}))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, g.ChatID, rs[0].ChatID)
	assert.Equal(t, GroupMsgSent, rs[0].Status)
}

func TestMassMessageServerValidation(t *testing.T) {
	m := massFixture(t)
	ctx := testCtx(t)
	cases := []struct {
		req  *AddMsgTemplateRequest
		code wecom.Code
	}{
		{&AddMsgTemplateRequest{Attachments: []message.Attachment{message.ImageAttachment("nope")}}, 40007},
		{&AddMsgTemplateRequest{Attachments: []message.Attachment{message.FileAttachment("nope")}}, 40007},
		{&AddMsgTemplateRequest{Attachments: []message.Attachment{message.LinkAttachment(message.Link{Title: "t"})}}, wecom.CodeInvalidParameter},
		{&AddMsgTemplateRequest{Attachments: []message.Attachment{message.MiniProgramAttachment(message.MiniProgram{Title: "t", AppID: "wx", Page: "/p"})}}, wecom.CodeInvalidParameter},
		{&AddMsgTemplateRequest{Text: &message.Text{Content: strings.Repeat("长", 4001)}}, wecom.CodeInvalidParameter},
		{&AddMsgTemplateRequest{Sender: "nobody", Text: &message.Text{Content: "x"}}, wecom.CodeUserNotFound},
	}
	for i, tc := range cases {
		_, err := m.svc.AddMsgTemplate(ctx, tc.req)
		assert.Equal(t, tc.code, wecom.ErrorCode(err), "case %d", i)
	}
	// Bypassing the SDK's checks, the server answers like WeCom.
	client, err := m.s.Client()
	require.NoError(t, err)
	for body, code := range map[string]wecom.Code{
		`{"chat_type":"group","text":{"content":"x"}}`: wecom.CodeInvalidParameter,
		`{"chat_type":"room","text":{"content":"x"}}`:  wecom.CodeInvalidParameter,
		`{}`:                                    wecom.CodeInvalidParameter,
		`{"attachments":[{"msgtype":"video"}]}`: wecom.CodeInvalidParameter,
	} {
		err := client.Do(ctx, &wecom.Request{Path: "/cgi-bin/externalcontact/add_msg_template", Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
	for body, code := range map[string]wecom.Code{
		`{"chat_type":"x","start_time":1,"end_time":2}`:                      wecom.CodeInvalidParameter,
		`{"chat_type":"single","start_time":0,"end_time":2}`:                 wecom.CodeInvalidParameter,
		`{"chat_type":"single","start_time":1,"end_time":9999999}`:           wecom.CodeInvalidParameter,
		`{"chat_type":"single","start_time":1,"end_time":2,"filter_type":5}`: wecom.CodeInvalidParameter,
		`{"chat_type":"single","start_time":1,"end_time":2,"limit":101}`:     wecom.CodeInvalidParameter,
	} {
		err := client.Do(ctx, &wecom.Request{Path: "/cgi-bin/externalcontact/get_groupmsg_list_v2", Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
	assert.Empty(t, m.s.MsgTemplates())
}

// The core promise: a mass message is never sent twice because of the SDK.
func TestMassMessageNeverSentTwice(t *testing.T) {
	req := func(m *mass) *AddMsgTemplateRequest {
		return &AddMsgTemplateRequest{ExternalUserIDs: []string{m.c1}, Text: &message.Text{Content: "限时优惠"}}
	}
	const path = "/cgi-bin/externalcontact/add_msg_template"

	for name, f := range map[string]wecomtest.Fault{
		"dropped after apply":     {AfterApply: true, Drop: true},
		"system busy after apply": {AfterApply: true, Code: -1, Message: "system busy"},
		"bad gateway after apply": {AfterApply: true, HTTPStatus: http.StatusBadGateway},
	} {
		t.Run(name, func(t *testing.T) {
			m := massFixture(t)
			m.s.FailNext(path, 1, f)
			res, err := m.svc.AddMsgTemplate(testCtx(t), req(m))
			require.Error(t, err)
			assert.Nil(t, res)
			assert.True(t, wecom.IsMaybeApplied(err), "%v", err)
			assert.Contains(t, err.Error(), "may have been applied")
			sentOnce(t, m.s, err, path)
			assert.Len(t, m.s.MsgTemplates(), 1, "the server holds exactly one template")
		})
	}

	t.Run("busy before apply is not retried either", func(t *testing.T) {
		// The SDK cannot tell a busy before from a busy after: it never guesses.
		m := massFixture(t)
		m.s.FailNext(path, 1, wecomtest.FaultBusy)
		_, err := m.svc.AddMsgTemplate(testCtx(t), req(m))
		assert.True(t, wecom.IsMaybeApplied(err))
		assert.Len(t, m.s.RequestsTo(path), 1)
		assert.Empty(t, m.s.MsgTemplates())
	})

	t.Run("45009 before apply is retried once and succeeds", func(t *testing.T) {
		m := massFixture(t)
		m.s.FailNext(path, 1, wecomtest.FaultRateLimited)
		res, err := m.svc.AddMsgTemplate(testCtx(t), req(m))
		require.NoError(t, err)
		sent := m.s.RequestsTo(path)
		require.Len(t, sent, 2)
		assert.Equal(t, 45009, sent[0].ErrCode)
		assert.Equal(t, 0, sent[1].ErrCode)
		held := m.s.MsgTemplates()
		require.Len(t, held, 1)
		assert.Equal(t, res.MsgID, held[0].MsgID)
	})

	t.Run("connection refused before apply is retried and succeeds", func(t *testing.T) {
		m := massFixture(t)
		// A port nobody listens on: the first dial is refused for real.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		dead := l.Addr().String()
		require.NoError(t, l.Close())
		var dials atomic.Int32
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableKeepAlives = true
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			if dials.Add(1) == 2 { // 1 is gettoken; 2 is the first add_msg_template
				return d.DialContext(ctx, network, dead)
			}
			return d.DialContext(ctx, network, addr)
		}
		client, err := m.s.Client(wecom.WithHTTPClient(&http.Client{Transport: tr}), wecom.WithRetryPolicy(testRetry))
		require.NoError(t, err)
		res, err := New(client).AddMsgTemplate(testCtx(t), req(m))
		require.NoError(t, err)
		assert.Equal(t, int32(3), dials.Load())
		assert.Len(t, m.s.RequestsTo(path), 1, "the refused attempt never reached the server")
		held := m.s.MsgTemplates()
		require.Len(t, held, 1)
		assert.Equal(t, res.MsgID, held[0].MsgID)
	})
}

// Under random faults and concurrent senders, every outcome the SDK
// reports must match what the server holds: a success is exactly one
// template, a failure that is not "maybe applied" is none, and a "maybe
// applied" failure is at most one. No call ever creates two.
func TestMassMessageOutcomesMatchTheServerUnderFaults(t *testing.T) {
	m := massFixture(t, wecomtest.WithSeed(7))
	afterDrop := wecomtest.Fault{AfterApply: true, Drop: true}
	afterBusy := wecomtest.Fault{AfterApply: true, Code: -1}
	m.s.SetFaultRate(0.35, wecomtest.FaultRateLimited, wecomtest.FaultBusy, wecomtest.FaultDropped, wecomtest.FaultBadGateway, afterDrop, afterBusy)
	ctx := testCtx(t)

	const n = 120
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[i] = m.svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{ExternalUserIDs: []string{m.c1}, Text: &message.Text{Content: fmt.Sprintf("msg-%03d", i)}})
		}(i)
	}
	wg.Wait()
	m.s.ClearFaults()

	held := map[string]int{}
	for _, tpl := range m.s.MsgTemplates() {
		held[tpl.Text]++
	}
	var ok, notApplied, maybe, maybeHeld int
	for i, err := range errs {
		c := held[fmt.Sprintf("msg-%03d", i)]
		switch {
		case err == nil:
			ok++
			assert.Equal(t, 1, c, "call %d succeeded", i)
		case wecom.IsMaybeApplied(err):
			maybe++
			maybeHeld += c
			assert.LessOrEqual(t, c, 1, "call %d: %v", i, err)
		default:
			notApplied++
			assert.Equal(t, 0, c, "call %d failed without being applied: %v", i, err)
		}
	}
	t.Logf("%d calls: %d ok, %d maybe applied (%d of them held), %d certainly not applied", n, ok, maybe, maybeHeld, notApplied)
	assert.Positive(t, ok)
	assert.Positive(t, maybe, "the fault mix must produce ambiguous failures")
	assert.Positive(t, maybeHeld, "some ambiguous failures were applied: the reason not to retry them")
}
