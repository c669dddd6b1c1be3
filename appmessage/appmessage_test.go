package appmessage

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
)

const agent = 1000002

func TestSendTextSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t, wecom.WithAgentID(agent))
	st.file(t, "/cgi-bin/message/send", "message_send.json")
	res, err := svc.Send(testCtx(t), &SendRequest{
		ToUser:                 []string{"zhangsan", "lisi"},
		ToParty:                []int{2, 3},
		ToTag:                  []int{7},
		Text:                   &message.Text{Content: "您有一条群发任务待确认"},
		Safe:                   true,
		EnableDuplicateCheck:   true,
		DuplicateCheckInterval: 10 * time.Minute,
	})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/message/send", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, jsonOf(t, `{"touser":"zhangsan|lisi","toparty":"2|3","totag":"7","msgtype":"text","agentid":1000002,
		"text":{"content":"您有一条群发任务待确认"},"safe":1,"enable_duplicate_check":1,"duplicate_check_interval":600}`), jsonOf(t, reqs[0].Body))

	assert.Equal(t, []string{"userid1", "userid2"}, res.InvalidUsers)
	assert.Equal(t, []string{"partyid1", "partyid2"}, res.InvalidParties)
	assert.Equal(t, []string{"tagid1", "tagid2"}, res.InvalidTags)
	assert.Equal(t, []string{"userid3", "userid4"}, res.UnlicensedUsers)
	assert.Equal(t, "xxxx", res.MsgID)
	assert.Equal(t, "xyzxyz", res.ResponseCode)
	assert.True(t, res.Partial())
}

func TestSendEveryoneReached(t *testing.T) {
	st, svc := newStub(t) // no agent id on the client: the request names it
	st.file(t, "/cgi-bin/message/send", "message_send_ok.json")
	res, err := svc.Send(testCtx(t), &SendRequest{ToAll: true, AgentID: 42, Markdown: &Markdown{Content: "**周末会员日**"}})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"touser":"@all","msgtype":"markdown","agentid":42,"markdown":{"content":"**周末会员日**"}}`),
		jsonOf(t, st.requests()[0].Body))
	assert.Nil(t, res.InvalidUsers)
	assert.Nil(t, res.InvalidParties)
	assert.Nil(t, res.InvalidTags)
	assert.Nil(t, res.UnlicensedUsers)
	assert.False(t, res.Partial())
	assert.Equal(t, "", res.ResponseCode)
	assert.True(t, strings.HasPrefix(res.MsgID, "iCtF1_"))
}

func TestSendBodies(t *testing.T) {
	cases := []struct {
		name string
		req  SendRequest
		want string
	}{
		{"textcard", SendRequest{ToUser: []string{"a"}, TextCard: &TextCard{Title: "群发待确认", Description: `<div class="gray">2026年12月2日</div>`, URL: "https://example.com/t", BtnTxt: "去确认"}},
			`{"touser":"a","msgtype":"textcard","agentid":1000002,"textcard":{"title":"群发待确认","description":"<div class=\"gray\">2026年12月2日</div>","url":"https://example.com/t","btntxt":"去确认"}}`},
		{"news", SendRequest{ToParty: []int{1}, News: &News{Articles: []Article{
			{Title: "新品上市", Description: "冬季新品", URL: "https://example.com/n", PicURL: "https://example.com/p.png"},
			{Title: "小程序", AppID: "wx123", PagePath: "pages/index"},
		}}},
			`{"toparty":"1","msgtype":"news","agentid":1000002,"news":{"articles":[{"title":"新品上市","description":"冬季新品","url":"https://example.com/n","picurl":"https://example.com/p.png"},{"title":"小程序","appid":"wx123","pagepath":"pages/index"}]}}`},
		{"text notice", SendRequest{ToTag: []int{3, 4}, EnableIDTrans: true, TemplateCard: &TemplateCard{
			CardType:        CardTextNotice,
			Source:          &CardSource{IconURL: "https://example.com/i.png", Desc: "客户运营", DescColor: SourceGreen},
			MainTitle:       &MainTitle{Title: "群发任务待确认", Desc: "周末会员日"},
			EmphasisContent: &EmphasisContent{Title: "120", Desc: "位客户"},
			QuoteArea:       &QuoteArea{Type: LinkURL, URL: "https://example.com/q", Title: "内容", QuoteText: "全场 8 折"},
			SubTitleText:    "请在企业微信中确认发送",
			HorizontalContentList: []HorizontalContent{
				{KeyName: "创建人", Value: "运营中心"},
				{Type: ContentMember, KeyName: "负责人", UserID: "zhangsan"},
				{Type: ContentFile, KeyName: "附件", Value: "规则.pdf", MediaID: "MEDIA"},
			},
			JumpList:   []Jump{{Type: LinkMiniProgram, Title: "打开小程序", AppID: "wx1", PagePath: "p/i"}},
			CardAction: &CardAction{Type: LinkURL, URL: "https://example.com/c"},
		}},
			`{"totag":"3|4","msgtype":"template_card","agentid":1000002,"enable_id_trans":1,"template_card":{"card_type":"text_notice",
			"source":{"icon_url":"https://example.com/i.png","desc":"客户运营","desc_color":3},
			"main_title":{"title":"群发任务待确认","desc":"周末会员日"},
			"quote_area":{"type":1,"url":"https://example.com/q","title":"内容","quote_text":"全场 8 折"},
			"emphasis_content":{"title":"120","desc":"位客户"},"sub_title_text":"请在企业微信中确认发送",
			"horizontal_content_list":[{"keyname":"创建人","value":"运营中心"},{"type":3,"keyname":"负责人","userid":"zhangsan"},{"type":2,"keyname":"附件","value":"规则.pdf","media_id":"MEDIA"}],
			"jump_list":[{"type":2,"title":"打开小程序","appid":"wx1","pagepath":"p/i"}],
			"card_action":{"type":1,"url":"https://example.com/c"}}}`},
		{"news notice", SendRequest{ToUser: []string{"a"}, TemplateCard: &TemplateCard{
			CardType:            CardNewsNotice,
			MainTitle:           &MainTitle{Title: "新品"},
			ImageTextArea:       &ImageTextArea{Type: LinkURL, URL: "https://example.com/a", Title: "冬装", Desc: "上新", ImageURL: "https://example.com/a.png"},
			CardImage:           &CardImage{URL: "https://example.com/big.png", AspectRatio: 2.25},
			VerticalContentList: []VerticalContent{{Title: "羽绒服", Desc: "8 折"}},
			CardAction:          &CardAction{Type: LinkMiniProgram, AppID: "wx1", PagePath: "p"},
			ActionMenu:          &ActionMenu{Desc: "更多", ActionList: []Action{{Text: "不再提醒", Key: "mute"}}},
			TaskID:              "task-1",
		}},
			`{"touser":"a","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"news_notice","action_menu":{"desc":"更多","action_list":[{"text":"不再提醒","key":"mute"}]},"task_id":"task-1",
			"main_title":{"title":"新品"},"card_action":{"type":2,"appid":"wx1","pagepath":"p"},
			"image_text_area":{"type":1,"url":"https://example.com/a","title":"冬装","desc":"上新","image_url":"https://example.com/a.png"},
			"card_image":{"url":"https://example.com/big.png","aspect_ratio":2.25},"vertical_content_list":[{"title":"羽绒服","desc":"8 折"}]}}`},
		{"button interaction", SendRequest{ToUser: []string{"a"}, TemplateCard: &TemplateCard{
			CardType:        CardButtonInteraction,
			TaskID:          "confirm-msg1",
			MainTitle:       &MainTitle{Title: "群发待确认"},
			ButtonSelection: &Selection{QuestionKey: "when", Title: "发送时间", OptionList: []SelectOption{{ID: "now", Text: "立即"}, {ID: "later", Text: "稍后"}}, SelectedID: "now"},
			ButtonList:      []Button{{Text: "确认", Style: 1, Key: "ok"}, {Type: ButtonURL, Text: "查看", URL: "https://example.com"}},
			ReplaceText:     "已处理",
		}},
			`{"touser":"a","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"button_interaction","task_id":"confirm-msg1","main_title":{"title":"群发待确认"},
			"button_selection":{"question_key":"when","title":"发送时间","option_list":[{"id":"now","text":"立即"},{"id":"later","text":"稍后"}],"selected_id":"now"},
			"button_list":[{"text":"确认","style":1,"key":"ok"},{"type":1,"text":"查看","url":"https://example.com"}],"replace_text":"已处理"}}`},
		{"vote", SendRequest{ToUser: []string{"a"}, TemplateCard: &TemplateCard{
			CardType:     CardVoteInteraction,
			TaskID:       "vote-1",
			MainTitle:    &MainTitle{Title: "团建去哪"},
			Checkbox:     &Checkbox{QuestionKey: "place", Mode: CheckboxMultiple, OptionList: []CheckboxOption{{ID: "1", Text: "爬山", IsChecked: true}, {ID: "2", Text: "露营"}}},
			SubmitButton: &SubmitButton{Text: "提交", Key: "submit"},
			ReplaceText:  "已投票",
		}},
			`{"touser":"a","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"vote_interaction","task_id":"vote-1","main_title":{"title":"团建去哪"},
			"checkbox":{"question_key":"place","option_list":[{"id":"1","text":"爬山","is_checked":true},{"id":"2","text":"露营"}],"mode":1},
			"submit_button":{"text":"提交","key":"submit"},"replace_text":"已投票"}}`},
		{"multiple", SendRequest{ToUser: []string{"a"}, TemplateCard: &TemplateCard{
			CardType:     CardMultipleInteraction,
			TaskID:       "m-1",
			MainTitle:    &MainTitle{Title: "排班"},
			SelectList:   []Selection{{QuestionKey: "day", Title: "日期", OptionList: []SelectOption{{ID: "sat", Text: "周六"}}}},
			SubmitButton: &SubmitButton{Text: "提交", Key: "go"},
		}},
			`{"touser":"a","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"multiple_interaction","task_id":"m-1","main_title":{"title":"排班"},
			"select_list":[{"question_key":"day","title":"日期","option_list":[{"id":"sat","text":"周六"}]}],"submit_button":{"text":"提交","key":"go"}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, svc := newStub(t, wecom.WithAgentID(agent))
			st.file(t, "/cgi-bin/message/send", "message_send_ok.json")
			_, err := svc.Send(testCtx(t), &tc.req)
			require.NoError(t, err)
			reqs := st.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, jsonOf(t, tc.want), jsonOf(t, reqs[0].Body))
		})
	}
}

func TestSendValidation(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("u%d", i)
		}
		return out
	}
	ints := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
	text := &message.Text{Content: "x"}
	to := []string{"a"}
	card := func(c TemplateCard) *TemplateCard { return &c }
	cases := []struct {
		name string
		req  *SendRequest
		text string
	}{
		{"nil", nil, "no recipient"},
		{"no recipient", &SendRequest{Text: text}, "no recipient"},
		{"all and users", &SendRequest{ToAll: true, ToUser: to, Text: text}, "ToAll sends to everyone"},
		{"all and party", &SendRequest{ToAll: true, ToParty: []int{1}, Text: text}, "ToAll sends to everyone"},
		{"1001 users", &SendRequest{ToUser: many(1001), Text: text}, "1001 users: at most 1000"},
		{"101 parties", &SendRequest{ToParty: ints(101), Text: text}, "101 parties: at most 100"},
		{"101 tags", &SendRequest{ToTag: ints(101), Text: text}, "101 tags: at most 100"},
		{"empty userid", &SendRequest{ToUser: []string{"a", ""}, Text: text}, "userid 1 is empty"},
		{"@all userid", &SendRequest{ToUser: []string{All}, Text: text}, "set ToAll instead"},
		{"bar in userid", &SendRequest{ToUser: []string{"a|b"}, Text: text}, "contains '|'"},
		{"zero party", &SendRequest{ToParty: []int{0}, Text: text}, "party id 0 is 0"},
		{"negative tag", &SendRequest{ToTag: []int{-2}, Text: text}, "tag id 0 is -2"},
		{"no body", &SendRequest{ToUser: to}, "no body"},
		{"two bodies", &SendRequest{ToUser: to, Text: text, Markdown: &Markdown{Content: "y"}}, "2 bodies"},
		{"empty text", &SendRequest{ToUser: to, Text: &message.Text{}}, "text content is required"},
		{"empty markdown", &SendRequest{ToUser: to, Markdown: &Markdown{}}, "markdown content is required"},
		{"textcard title", &SendRequest{ToUser: to, TextCard: &TextCard{Description: "d", URL: "u"}}, "textcard title"},
		{"textcard description", &SendRequest{ToUser: to, TextCard: &TextCard{Title: "t", URL: "u"}}, "textcard description"},
		{"textcard url", &SendRequest{ToUser: to, TextCard: &TextCard{Title: "t", Description: "d"}}, "textcard url"},
		{"no articles", &SendRequest{ToUser: to, News: &News{}}, "0 news articles"},
		{"9 articles", &SendRequest{ToUser: to, News: &News{Articles: make([]Article, 9)}}, "9 news articles"},
		{"article title", &SendRequest{ToUser: to, News: &News{Articles: []Article{{URL: "u"}}}}, "news article 0: title"},
		{"article link", &SendRequest{ToUser: to, News: &News{Articles: []Article{{Title: "t"}}}}, "url or appid"},
		{"card type", &SendRequest{ToUser: to, TemplateCard: &TemplateCard{}}, "template card type is required"},
		{"card unknown", &SendRequest{ToUser: to, TemplateCard: &TemplateCard{CardType: "poll"}}, `unknown template card type "poll"`},
		{"task id", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardButtonInteraction, MainTitle: &MainTitle{Title: "t"}, ButtonList: []Button{{Text: "b"}}})}, "task_id is required"},
		{"menu task id", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardTextNotice, ActionMenu: &ActionMenu{}, MainTitle: &MainTitle{Title: "t"}, CardAction: &CardAction{Type: LinkURL}})}, "task_id is required"},
		{"notice title", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardTextNotice, CardAction: &CardAction{Type: LinkURL}})}, "main_title.title or sub_title_text"},
		{"news title", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardNewsNotice, CardAction: &CardAction{Type: LinkURL}})}, "news_notice card: main_title.title is required"},
		{"card action", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardTextNotice, SubTitleText: "s"})}, "card_action is required"},
		{"no buttons", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardButtonInteraction, TaskID: "t", MainTitle: &MainTitle{Title: "t"}})}, "0 buttons"},
		{"7 buttons", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardButtonInteraction, TaskID: "t", MainTitle: &MainTitle{Title: "t"}, ButtonList: make([]Button, 7)})}, "7 buttons"},
		{"no checkbox", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardVoteInteraction, TaskID: "t", MainTitle: &MainTitle{Title: "t"}, SubmitButton: &SubmitButton{}})}, "checkbox with 1..20"},
		{"no select", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardMultipleInteraction, TaskID: "t", MainTitle: &MainTitle{Title: "t"}, SubmitButton: &SubmitButton{}})}, "0 selections"},
		{"no submit", &SendRequest{ToUser: to, TemplateCard: card(TemplateCard{CardType: CardVoteInteraction, TaskID: "t", MainTitle: &MainTitle{Title: "t"}, Checkbox: &Checkbox{OptionList: make([]CheckboxOption, 1)}})}, "submit_button is required"},
		{"interval without check", &SendRequest{ToUser: to, Text: text, DuplicateCheckInterval: time.Minute}, "needs EnableDuplicateCheck"},
		{"interval too long", &SendRequest{ToUser: to, Text: text, EnableDuplicateCheck: true, DuplicateCheckInterval: 4*time.Hour + time.Second}, "not whole seconds in 1s..4h0m0s"},
		{"interval fraction", &SendRequest{ToUser: to, Text: text, EnableDuplicateCheck: true, DuplicateCheckInterval: 1500 * time.Millisecond}, "not whole seconds"},
	}
	st, svc := newStub(t, wecom.WithAgentID(agent))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := svc.Send(testCtx(t), tc.req)
			assert.Nil(t, res)
			require.ErrorIs(t, err, wecom.ErrInvalidArgument)
			assert.True(t, strings.HasPrefix(err.Error(), "appmessage: send: "), err.Error())
			assert.Contains(t, err.Error(), tc.text)
		})
	}
	assert.Empty(t, st.requests(), "nothing was sent")

	// A Client without an agent id and a request without one.
	st2, noAgent := newStub(t)
	_, err := noAgent.Send(testCtx(t), &SendRequest{ToUser: to, Text: text})
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "appmessage: send: no agentid")
	assert.Empty(t, st2.requests())
}

func TestSendAllRecipientsInvalid(t *testing.T) {
	st, svc := newStub(t, wecom.WithAgentID(agent))
	st.file(t, "/cgi-bin/message/send", "message_send_81013.json")
	res, err := svc.Send(testCtx(t), &SendRequest{ToUser: []string{"nobody"}, Text: &message.Text{Content: "x"}})
	assert.Nil(t, res)
	var e *wecom.Error
	require.True(t, errors.As(err, &e), err)
	assert.Equal(t, CodeAllRecipientsInvalid, e.Code)
	assert.True(t, wecom.HasCode(err, CodeAllRecipientsInvalid))
	assert.Equal(t, "/cgi-bin/message/send", e.Path)
	assert.Equal(t, "1700000000_1_a1b2c3d4", e.Hint)
	assert.Len(t, st.requests(), 1)
}

// A send where WeCom may have applied it is never repeated, even with
// the default retry policy.
func TestSendNeverRepeatedWhenMaybeApplied(t *testing.T) {
	for _, path := range []string{"/cgi-bin/message/send", "/cgi-bin/message/recall", "/cgi-bin/message/update_template_card"} {
		t.Run(path, func(t *testing.T) {
			st, svc := newStub(t, wecom.WithAgentID(agent), wecom.WithRetryPolicy(wecom.DefaultRetryPolicy()))
			st.answer(path, `{"errcode":-1,"errmsg":"system busy"}`)
			var err error
			switch path {
			case "/cgi-bin/message/send":
				_, err = svc.Send(testCtx(t), &SendRequest{ToUser: []string{"a"}, Text: &message.Text{Content: "x"}})
			case "/cgi-bin/message/recall":
				err = svc.Recall(testCtx(t), "msg1")
			default:
				_, err = svc.UpdateTemplateCard(testCtx(t), &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "done"})
			}
			require.Error(t, err)
			assert.True(t, wecom.IsMaybeApplied(err), err)
			assert.Len(t, st.requests(), 1, "sent once")
		})
	}
}

func TestRecall(t *testing.T) {
	st, svc := newStub(t)
	require.NoError(t, svc.Recall(testCtx(t), "vcT8gGc-7dFb4bX8JBvrUVAPwzeIOyz2"))
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/message/recall", reqs[0].Path)
	assert.Equal(t, jsonOf(t, `{"msgid":"vcT8gGc-7dFb4bX8JBvrUVAPwzeIOyz2"}`), jsonOf(t, reqs[0].Body))

	err := svc.Recall(testCtx(t), "")
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Equal(t, "appmessage: recall: msgid is required", err.Error())

	st.answer("/cgi-bin/message/recall", `{"errcode":40058,"errmsg":"invalid msgid"}`)
	err = svc.Recall(testCtx(t), "old")
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), err)
	assert.Len(t, st.requests(), 2)
}

func TestUpdateTemplateCardReplaceName(t *testing.T) {
	st, svc := newStub(t, wecom.WithAgentID(agent))
	st.file(t, "/cgi-bin/message/update_template_card", "message_update_template_card.json")
	res, err := svc.UpdateTemplateCard(testCtx(t), &UpdateTemplateCardRequest{
		UserIDs: []string{"zhangsan", "lisi"}, PartyIDs: []int{2}, TagIDs: []int{5},
		ResponseCode: "RESPONSE", ReplaceName: "已确认", EnableIDTrans: true,
	})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/message/update_template_card", reqs[0].Path)
	assert.Equal(t, jsonOf(t, `{"userids":["zhangsan","lisi"],"partyids":[2],"tagids":[5],"agentid":1000002,
		"response_code":"RESPONSE","enable_id_trans":1,"button":{"replace_name":"已确认"}}`), jsonOf(t, reqs[0].Body))
	assert.Equal(t, []string{"userid1", "userid2"}, res.InvalidUsers)
}

func TestUpdateTemplateCardWholeCard(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/message/update_template_card", `{"errcode":0,"errmsg":"ok","invaliduser":"a|b"}`)
	res, err := svc.UpdateTemplateCard(testCtx(t), &UpdateTemplateCardRequest{
		AtAll: true, AgentID: 7, ResponseCode: "RC",
		TemplateCard: &TemplateCard{CardType: CardButtonInteraction, MainTitle: &MainTitle{Title: "已处理"}, ButtonList: []Button{{Text: "已确认", Style: 2, Key: "ok"}}, ReplaceText: "已确认"},
	})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"atall":1,"agentid":7,"response_code":"RC","template_card":{"card_type":"button_interaction",
		"main_title":{"title":"已处理"},"button_list":[{"text":"已确认","style":2,"key":"ok"}],"replace_text":"已确认"}}`), jsonOf(t, st.requests()[0].Body))
	assert.Equal(t, []string{"a", "b"}, res.InvalidUsers, "a bar-joined answer decodes too")
}

func TestUpdateTemplateCardValidation(t *testing.T) {
	st, svc := newStub(t, wecom.WithAgentID(agent))
	cases := []struct {
		name string
		req  *UpdateTemplateCardRequest
		text string
	}{
		{"nil", nil, "response code is required"},
		{"no change", &UpdateTemplateCardRequest{ResponseCode: "rc"}, "set ReplaceName or TemplateCard"},
		{"both", &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x", TemplateCard: &TemplateCard{CardType: CardTextNotice}}, "not both"},
		{"all and users", &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x", AtAll: true, UserIDs: []string{"a"}}, "AtAll updates every recipient"},
		{"users", &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x", UserIDs: make([]string, 1001)}, "1001 users"},
		{"parties", &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x", PartyIDs: make([]int, 101)}, "101 parties"},
		{"tags", &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x", TagIDs: make([]int, 101)}, "101 tags"},
		{"card type", &UpdateTemplateCardRequest{ResponseCode: "rc", TemplateCard: &TemplateCard{}}, "template card type is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := svc.UpdateTemplateCard(testCtx(t), tc.req)
			assert.Nil(t, res)
			require.ErrorIs(t, err, wecom.ErrInvalidArgument)
			assert.True(t, strings.HasPrefix(err.Error(), "appmessage: update template card: "), err.Error())
			assert.Contains(t, err.Error(), tc.text)
		})
	}
	st2, noAgent := newStub(t)
	_, err := noAgent.UpdateTemplateCard(testCtx(t), &UpdateTemplateCardRequest{ResponseCode: "rc", ReplaceName: "x"})
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "no agentid")
	assert.Empty(t, st.requests())
	assert.Empty(t, st2.requests())

	st.answer("/cgi-bin/message/update_template_card", `{"errcode":40058,"errmsg":"invalid response_code"}`)
	res, err := svc.UpdateTemplateCard(testCtx(t), &UpdateTemplateCardRequest{ResponseCode: "used", ReplaceName: "x"})
	assert.Nil(t, res)
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), err)
}

func TestIDList(t *testing.T) {
	cases := map[string][]string{
		`""`:        nil,
		`null`:      nil,
		`"a"`:       {"a"},
		`"a|b||c"`:  {"a", "b", "c"},
		`[]`:        nil,
		`["x","y"]`: {"x", "y"},
		`[1, 22]`:   {"1", "22"},
		`["", "z"]`: {"z"},
	}
	for in, want := range cases {
		var l idList
		require.NoError(t, json.Unmarshal([]byte(in), &l), in)
		assert.Equal(t, want, []string(l), in)
	}
	var l idList
	assert.Error(t, json.Unmarshal([]byte(`{"a":1}`), &l))
	assert.Error(t, json.Unmarshal([]byte(`"unterminated`), &l))
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "text_notice", CardTextNotice.String())
	assert.Equal(t, "template_card", MsgTypeTemplateCard.String())
	for ct, want := range map[CardType]bool{CardTextNotice: false, CardNewsNotice: false, CardButtonInteraction: true, CardVoteInteraction: true, CardMultipleInteraction: true} {
		assert.Equal(t, want, ct.Interactive(), ct)
	}
	for v, want := range map[SourceColor]string{SourceGrey: "grey", SourceBlack: "black", SourceRed: "red", SourceGreen: "green", 9: "SourceColor(9)"} {
		assert.Equal(t, want, v.String())
	}
	for v, want := range map[LinkType]string{LinkNone: "none", LinkURL: "url", LinkMiniProgram: "miniprogram", 5: "LinkType(5)"} {
		assert.Equal(t, want, v.String())
	}
	for v, want := range map[ContentType]string{ContentText: "text", ContentURL: "url", ContentFile: "file", ContentMember: "member", 8: "ContentType(8)"} {
		assert.Equal(t, want, v.String())
	}
	for v, want := range map[ButtonType]string{ButtonCallback: "callback", ButtonURL: "url", 4: "ButtonType(4)"} {
		assert.Equal(t, want, v.String())
	}
	for v, want := range map[CheckboxMode]string{CheckboxSingle: "single", CheckboxMultiple: "multiple", 3: "CheckboxMode(3)"} {
		assert.Equal(t, want, v.String())
	}
}
