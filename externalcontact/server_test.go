package externalcontact

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// TestServerAnswersLikeWeCom sends, past the SDK's own checks, what the
// SDK would refuse, and asserts the errcode wecomtest answers with: so a
// client that skips validation still meets WeCom's.
func TestServerAnswersLikeWeCom(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan", "lisi")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "gone", Resigned: true, CustomerContact: true}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "staff", CustomerContact: false}))
	ctx := testCtx(t)
	addCustomer(t, s, "小鱼儿", "zhangsan")
	msg, err := svc.AddMsgTemplate(ctx, &AddMsgTemplateRequest{Text: &message.Text{Content: "hi"}})
	require.NoError(t, err)
	rule, err := svc.AddInterceptRule(ctx, &AddInterceptRuleRequest{RuleName: "r", WordList: []string{"w"}, InterceptType: 1,
		ApplicableRange: InterceptRange{UserList: []string{"zhangsan"}}})
	require.NoError(t, err)
	img := s.AddMedia(wecomtest.Media{Type: "image", AttachmentType: 2}).MediaID
	product, err := svc.AddProductAlbum(ctx, &AddProductAlbumRequest{Description: "d", Price: 1, Attachments: []AlbumAttachment{AlbumImageAttachment(img)}})
	require.NoError(t, err)
	link, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "l", Range: AcquisitionRange{UserList: []string{"zhangsan"}}})
	require.NoError(t, err)
	client, err := s.Client()
	require.NoError(t, err)

	const (
		bad     = 40058
		badJSON = 47001
		noUser  = 60111
	)
	ec := "/cgi-bin/externalcontact/"
	ids := func(n int) string { return `["` + strings.TrimSuffix(strings.Repeat(`w",`+`"`, n), `,"`) + `]` }
	cases := []struct {
		path, body string
		code       int
	}{
		// transfers
		{ec + "transfer_customer", `{`, badJSON},
		{ec + "transfer_customer", `{"takeover_userid":"lisi","external_userid":["w"]}`, bad},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","external_userid":["w"]}`, bad},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":[]}`, bad},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":` + ids(101) + `}`, bad},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":["w"],"transfer_success_msg":"` + strings.Repeat("长", 201) + `"}`, bad},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","takeover_userid":"nobody","external_userid":["w"]}`, noUser},
		{ec + "transfer_customer", `{"handover_userid":"zhangsan","takeover_userid":"staff","external_userid":["w"]}`, 48002},
		{ec + "resigned/transfer_customer", `{"handover_userid":"gone","takeover_userid":"lisi","external_userid":["w"],"transfer_success_msg":"x"}`, bad},
		{ec + "transfer_result", `{`, badJSON},
		{ec + "transfer_result", `{"takeover_userid":"lisi"}`, bad},
		{ec + "transfer_result", `{"handover_userid":"zhangsan"}`, bad},
		{ec + "transfer_result", `{"handover_userid":"nobody","takeover_userid":"lisi"}`, noUser},
		{ec + "transfer_result", `{"handover_userid":"zhangsan","takeover_userid":"lisi","cursor":"bogus"}`, bad},
		{ec + "get_unassigned_list", `{`, badJSON},
		{ec + "get_unassigned_list", `{"page_size":1001}`, bad},
		{ec + "get_unassigned_list", `{"cursor":"bogus"}`, bad},
		// mass messages
		{ec + "add_msg_template", `{`, badJSON},
		{ec + "add_msg_template", `{"external_userid":` + ids(10001) + `,"text":{"content":"x"}}`, bad},
		{ec + "add_msg_template", `{"sender":"staff","text":{"content":"x"}}`, 48002},
		{ec + "add_msg_template", `{"attachments":` + strings.Repeat(`[{"msgtype":"link","link":{"title":"t","url":"u"}}`, 1) + strings.Repeat(`,{"msgtype":"link","link":{"title":"t","url":"u"}}`, 9) + `]}`, bad},
		{ec + "add_msg_template", `{"attachments":[{"msgtype":"image","image":{}}]}`, bad},
		{ec + "get_groupmsg_list_v2", `{`, badJSON},
		{ec + "get_groupmsg_list_v2", `{"chat_type":"single","start_time":1,"end_time":2,"cursor":"bogus"}`, bad},
		{ec + "get_groupmsg_task", `{`, badJSON},
		{ec + "get_groupmsg_task", `{}`, bad},
		{ec + "get_groupmsg_task", `{"msgid":"` + msg.MsgID + `","limit":1001}`, bad},
		{ec + "get_groupmsg_task", `{"msgid":"` + msg.MsgID + `","cursor":"bogus"}`, bad},
		{ec + "get_groupmsg_send_result", `{`, badJSON},
		{ec + "get_groupmsg_send_result", `{"msgid":"nope","userid":"zhangsan"}`, bad},
		{ec + "get_groupmsg_send_result", `{"msgid":"` + msg.MsgID + `"}`, bad},
		{ec + "get_groupmsg_send_result", `{"msgid":"` + msg.MsgID + `","userid":"zhangsan","limit":1001}`, bad},
		{ec + "get_groupmsg_send_result", `{"msgid":"` + msg.MsgID + `","userid":"zhangsan","cursor":"bogus"}`, bad},
		{ec + "remind_groupmsg_send", `{`, badJSON},
		{ec + "cancel_groupmsg_send", `{"msgid":"nope"}`, bad},
		// welcome
		{ec + "send_welcome_msg", `{`, badJSON},
		{ec + "send_welcome_msg", `{"text":{"content":"x"}}`, bad},
		{ec + "send_welcome_msg", `{"welcome_code":"nope","text":{"content":"x"}}`, bad},
		// statistics
		{ec + "get_user_behavior_data", `{`, badJSON},
		// intercept rules
		{ec + "add_intercept_rule", `{`, badJSON},
		{ec + "add_intercept_rule", `{"word_list":["w"],"intercept_type":1,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"` + strings.Repeat("名", 21) + `","word_list":["w"],"intercept_type":1,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"x","word_list":[],"intercept_type":1,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"x","word_list":[""],"intercept_type":1,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"x","word_list":["w"],"semantics_list":[4],"intercept_type":1,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"x","word_list":["w"],"intercept_type":3,"applicable_range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "add_intercept_rule", `{"rule_name":"x","word_list":["w"],"intercept_type":1}`, bad},
		{ec + "get_intercept_rule", `{`, badJSON},
		{ec + "update_intercept_rule", `{`, badJSON},
		{ec + "update_intercept_rule", `{"rule_id":"nope"}`, bad},
		{ec + "update_intercept_rule", `{"rule_id":"` + rule + `","intercept_type":5}`, bad},
		{ec + "del_intercept_rule", `{`, badJSON},
		{ec + "del_intercept_rule", `{}`, bad},
		// product albums
		{ec + "add_product_album", `{`, badJSON},
		{ec + "add_product_album", `{"description":"` + strings.Repeat("好", 301) + `","price":1}`, bad},
		{ec + "add_product_album", `{"description":"d","price":1,"product_sn":"` + strings.Repeat("x", 129) + `","attachments":[{"type":"image","image":{"media_id":"` + img + `"}}]}`, bad},
		{ec + "get_product_album", `{`, badJSON},
		{ec + "get_product_album_list", `{`, badJSON},
		{ec + "get_product_album_list", `{"limit":101}`, bad},
		{ec + "get_product_album_list", `{"cursor":"bogus"}`, bad},
		{ec + "update_product_album", `{`, badJSON},
		{ec + "update_product_album", `{"product_id":"` + product + `","price":-5}`, bad},
		{ec + "delete_product_album", `{`, badJSON},
		{ec + "delete_product_album", `{"product_id":"nope"}`, bad},
		// acquisition
		{ec + "customer_acquisition/create_link", `{`, badJSON},
		{ec + "customer_acquisition/create_link", `{"range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "customer_acquisition/create_link", `{"link_name":"` + strings.Repeat("链", 31) + `","range":{"user_list":["zhangsan"]}}`, bad},
		{ec + "customer_acquisition/create_link", `{"link_name":"n"}`, bad},
		{ec + "customer_acquisition/create_link", `{"link_name":"n","range":{"user_list":` + ids(501) + `}}`, bad},
		{ec + "customer_acquisition/create_link", `{"link_name":"n","range":{"user_list":["zhangsan"]},"priority_option":{"priority_type":3}}`, bad},
		{ec + "customer_acquisition/create_link", `{"link_name":"n","range":{"user_list":["zhangsan"]},"priority_option":{"priority_type":2,"priority_userid_list":["nobody"]}}`, noUser},
		{ec + "customer_acquisition/get", `{`, badJSON},
		{ec + "customer_acquisition/list_link", `{`, badJSON},
		{ec + "customer_acquisition/list_link", `{"cursor":"bogus"}`, bad},
		{ec + "customer_acquisition/update_link", `{`, badJSON},
		{ec + "customer_acquisition/update_link", `{"link_id":"nope"}`, bad},
		{ec + "customer_acquisition/update_link", `{"link_id":"` + link.LinkID + `","link_name":"` + strings.Repeat("链", 31) + `"}`, bad},
		{ec + "customer_acquisition/delete_link", `{`, badJSON},
		{ec + "customer_acquisition/customer", `{`, badJSON},
		{ec + "customer_acquisition/customer", `{"link_id":"nope"}`, bad},
		{ec + "customer_acquisition/customer", `{"link_id":"` + link.LinkID + `","cursor":"bogus"}`, bad},
		{ec + "customer_acquisition/statistic", `{`, badJSON},
		{ec + "customer_acquisition/statistic", `{"link_id":"nope","start_time":1,"end_time":2}`, bad},
		{ec + "customer_acquisition/statistic", `{"link_id":"` + link.LinkID + `","start_time":0,"end_time":2}`, bad},
	}
	for _, tc := range cases {
		err := client.Do(ctx, &wecom.Request{Path: tc.path, Body: []byte(tc.body)}, nil)
		body := tc.body
		if len(body) > 80 {
			body = body[:80] + "…"
		}
		assert.Equal(t, wecom.Code(tc.code), wecom.ErrorCode(err), "%s %s", tc.path, body)
	}
}

func TestTickSettlesTransfersForFixtures(t *testing.T) {
	s, svc, ids := transferFixture(t)
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	require.NoError(t, err)
	s.Clock().Advance(24 * time.Hour)
	assert.Len(t, s.FollowsOf("lisi"), 0, "no call since the clock moved")
	s.Tick()
	assert.Len(t, s.FollowsOf("lisi"), 2)
	assert.Len(t, s.InterceptRules(), 0)
	assert.Empty(t, s.Products())
	assert.Empty(t, s.AcquisitionLinks())
	assert.Empty(t, s.WelcomeMsgs())
	assert.Error(t, s.ConfirmGroupMsg("nope", "zhangsan"))
	assert.Error(t, s.ClickAcquisitionLink("nope"))
	assert.Error(t, s.StartAcquisitionChat("nope", "x"))
	_, err = s.AcquireCustomer("nope", "", wecomtest.Customer{})
	assert.Error(t, err)
	assert.Error(t, s.RefuseTransfer("wmNone"))
}
