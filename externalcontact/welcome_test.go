package externalcontact

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestSendWelcomeMsgSends(t *testing.T) {
	st, svc := newStub(t)
	st.handle("/cgi-bin/externalcontact/send_welcome_msg", func([]byte) string { return `{"errcode":0,"errmsg":"ok"}` })
	err := svc.SendWelcomeMsg(testCtx(t), &SendWelcomeMsgRequest{
		WelcomeCode: "CALLBACK_CODE",
		Text:        &message.Text{Content: "您好，我是您的专属顾问"},
		Attachments: []message.Attachment{message.LinkAttachment(message.Link{Title: "会员权益", URL: "https://example.com/vip"})},
	})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/cgi-bin/externalcontact/send_welcome_msg", reqs[0].Path)
	assert.Equal(t, jsonOf(t, `{"welcome_code":"CALLBACK_CODE","text":{"content":"您好，我是您的专属顾问"},
		"attachments":[{"msgtype":"link","link":{"title":"会员权益","url":"https://example.com/vip"}}]}`), jsonBody(t, reqs[0].Body))

	for _, req := range []*SendWelcomeMsgRequest{nil, {Text: &message.Text{Content: "x"}}, {WelcomeCode: "c"}} {
		assert.Error(t, svc.SendWelcomeMsg(testCtx(t), req))
	}
	assert.Len(t, st.requests(), 1)
}

// welcomeCode returns the welcome code of the last add_external_contact
// event of ext.
func welcomeCode(t *testing.T, s *wecomtest.Server, ext string) string {
	t.Helper()
	code := ""
	for _, ev := range s.Events() {
		if ev.ChangeType == "add_external_contact" && ev.Get("ExternalUserID") == ext {
			code = ev.Get("WelcomeCode")
		}
	}
	require.NotEmpty(t, code)
	return code
}

func TestSendWelcomeMsgRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan")
	ctx := testCtx(t)
	ext := addCustomer(t, s, "小鱼儿", "zhangsan")
	code := welcomeCode(t, s, ext)
	img := s.AddMedia(wecomtest.Media{Type: "image"}).MediaID

	bad := svc.SendWelcomeMsg(ctx, &SendWelcomeMsgRequest{WelcomeCode: code, Attachments: []message.Attachment{message.ImageAttachment("nope")}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(bad), "a rejected message leaves the code usable")

	req := &SendWelcomeMsgRequest{WelcomeCode: code, Text: &message.Text{Content: "欢迎"}, Attachments: []message.Attachment{message.ImageAttachment(img)}}
	require.NoError(t, svc.SendWelcomeMsg(ctx, req))
	sent := s.WelcomeMsgs()
	require.Len(t, sent, 1)
	assert.Equal(t, "zhangsan", sent[0].UserID)
	assert.Equal(t, ext, sent[0].ExternalUserID)
	assert.Equal(t, "欢迎", sent[0].Text)
	assert.JSONEq(t, `[{"msgtype":"image","image":{"media_id":"`+img+`"}}]`, string(sent[0].Attachments))

	err := svc.SendWelcomeMsg(ctx, req)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "a code works once")

	ext2 := addCustomer(t, s, "王芳", "zhangsan")
	code2 := welcomeCode(t, s, ext2)
	s.Clock().Advance(20 * time.Second)
	err = svc.SendWelcomeMsg(ctx, &SendWelcomeMsgRequest{WelcomeCode: code2, Text: &message.Text{Content: "迟到"}})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "expired after 20 seconds")
	assert.Contains(t, err.Error(), "expired")
	assert.Len(t, s.WelcomeMsgs(), 1)
}

func TestSendWelcomeMsgIsNotRepeated(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan")
	ext := addCustomer(t, s, "小鱼儿", "zhangsan")
	s.FailNext("/cgi-bin/externalcontact/send_welcome_msg", 1, wecomtest.Fault{AfterApply: true, Drop: true})
	err := svc.SendWelcomeMsg(testCtx(t), &SendWelcomeMsgRequest{WelcomeCode: welcomeCode(t, s, ext), Text: &message.Text{Content: "欢迎"}})
	assert.True(t, wecom.IsMaybeApplied(err))
	sentOnce(t, s, err, "/cgi-bin/externalcontact/send_welcome_msg")
	assert.Len(t, s.WelcomeMsgs(), 1)
}
