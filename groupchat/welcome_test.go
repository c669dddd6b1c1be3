package groupchat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	addWelcomePath  = "/cgi-bin/externalcontact/group_welcome_template/add"
	editWelcomePath = "/cgi-bin/externalcontact/group_welcome_template/edit"
	getWelcomePath  = "/cgi-bin/externalcontact/group_welcome_template/get"
	delWelcomePath  = "/cgi-bin/externalcontact/group_welcome_template/del"
)

func TestGetWelcomeTemplateDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "group_welcome_template_get.json")
	tpl, err := svc.GetWelcomeTemplate(context.Background(), "msgXXXXXXX")
	require.NoError(t, err)
	r := ss.only(t)
	assert.Equal(t, getWelcomePath, r.Path)
	assert.JSONEq(t, `{"template_id":"msgXXXXXXX"}`, string(r.Body))

	assert.Equal(t, &message.Text{Content: "亲爱的%NICKNAME%用户，你好"}, tpl.Text)
	assert.Equal(t, &message.Image{PicURL: "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"}, tpl.Image)
	assert.Equal(t, &message.Link{Title: "消息标题", PicURL: "https://example.org/hello.png", Desc: "消息描述", URL: "https://example.org/"}, tpl.Link)
	assert.Equal(t, &message.MiniProgram{Title: "消息标题", PicMediaID: "MEDIA_ID", AppID: "wx8bd80126147dfAAA", Page: "/path/index"}, tpl.MiniProgram)
	assert.Equal(t, &message.File{MediaID: "1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o"}, tpl.File)
	assert.Equal(t, &message.Video{MediaID: "7-zXfHjSjU-7LH-GwtYqDGS-zz6w2Y1Yv"}, tpl.Video)
}

func TestWelcomeTemplateRequests(t *testing.T) {
	ss, svc := newSampleServer(t, "group_welcome_template_get.json")
	ctx := context.Background()
	_, err := svc.AddWelcomeTemplate(ctx, &groupchat.AddWelcomeTemplateRequest{
		WelcomeTemplate: groupchat.WelcomeTemplate{
			Text: &message.Text{Content: "欢迎 %NICKNAME%"},
			Link: &message.Link{Title: "会员福利", URL: "https://example.org/vip"},
		},
		AgentID: 1000014, NoNotify: true,
	})
	require.NoError(t, err)
	_, err = svc.AddWelcomeTemplate(ctx, &groupchat.AddWelcomeTemplateRequest{
		WelcomeTemplate: groupchat.WelcomeTemplate{Video: &message.Video{MediaID: "v1"}},
	})
	require.NoError(t, err)
	require.NoError(t, svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: "msgT", WelcomeTemplate: groupchat.WelcomeTemplate{File: &message.File{MediaID: "f1"}}}))
	require.NoError(t, svc.DeleteWelcomeTemplate(ctx, &groupchat.DeleteWelcomeTemplateRequest{TemplateID: "msgT", AgentID: 1000014}))

	reqs := ss.requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, addWelcomePath, reqs[0].Path)
	assert.JSONEq(t, `{"text":{"content":"欢迎 %NICKNAME%"},"link":{"title":"会员福利","url":"https://example.org/vip"},
		"agentid":1000014,"notify":0}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"video":{"media_id":"v1"}}`, string(reqs[1].Body), "notify left to WeCom's default")
	assert.Equal(t, editWelcomePath, reqs[2].Path)
	assert.JSONEq(t, `{"template_id":"msgT","file":{"media_id":"f1"}}`, string(reqs[2].Body))
	assert.Equal(t, delWelcomePath, reqs[3].Path)
	assert.JSONEq(t, `{"template_id":"msgT","agentid":1000014}`, string(reqs[3].Body))
}

func TestWelcomeTemplateValidation(t *testing.T) {
	ss, svc := newSampleServer(t, "group_welcome_template_get.json")
	ctx := context.Background()
	_, err := svc.AddWelcomeTemplate(ctx, &groupchat.AddWelcomeTemplateRequest{AgentID: 1})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.ErrorIs(t, svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: "", WelcomeTemplate: groupchat.WelcomeTemplate{Text: &message.Text{}}}), wecom.ErrInvalidArgument)
	assert.ErrorIs(t, svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: "msg", WelcomeTemplate: groupchat.WelcomeTemplate{}}), wecom.ErrInvalidArgument)
	_, err = svc.GetWelcomeTemplate(ctx, "")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.ErrorIs(t, svc.DeleteWelcomeTemplate(ctx, &groupchat.DeleteWelcomeTemplateRequest{}), wecom.ErrInvalidArgument)
	assert.Empty(t, ss.requests())
}

func TestWelcomeTemplateLifecycleAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	ctx := context.Background()
	img := s.AddMedia(wecomtest.Media{Type: "image", FileName: "banner.png"})
	vid := s.AddMedia(wecomtest.Media{Type: "video", FileName: "intro.mp4"})

	id, err := svc.AddWelcomeTemplate(ctx, &groupchat.AddWelcomeTemplateRequest{WelcomeTemplate: groupchat.WelcomeTemplate{
		Text:  &message.Text{Content: "欢迎 %NICKNAME% 入群"},
		Image: &message.Image{MediaID: img.MediaID},
	}})
	require.NoError(t, err)
	require.NotEmpty(t, id)

	got, err := svc.GetWelcomeTemplate(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, &groupchat.WelcomeTemplate{
		Text:  &message.Text{Content: "欢迎 %NICKNAME% 入群"},
		Image: &message.Image{MediaID: img.MediaID},
	}, got)

	// A new attachment replaces the image; the text stays.
	require.NoError(t, svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: id, WelcomeTemplate: groupchat.WelcomeTemplate{Video: &message.Video{MediaID: vid.MediaID}}}))
	got, err = svc.GetWelcomeTemplate(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, &groupchat.WelcomeTemplate{Text: &message.Text{Content: "欢迎 %NICKNAME% 入群"}, Video: &message.Video{MediaID: vid.MediaID}}, got)

	require.NoError(t, svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: id, WelcomeTemplate: groupchat.WelcomeTemplate{Text: &message.Text{Content: "新欢迎语"}}}))
	got, _ = svc.GetWelcomeTemplate(ctx, id)
	assert.Equal(t, "新欢迎语", got.Text.Content)
	assert.NotNil(t, got.Video, "the attachment stays")

	err = svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: id, WelcomeTemplate: groupchat.WelcomeTemplate{File: &message.File{MediaID: "nope"}}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err))
	got, _ = svc.GetWelcomeTemplate(ctx, id)
	assert.NotNil(t, got.Video, "a refused edit changes nothing")

	require.NoError(t, svc.DeleteWelcomeTemplate(ctx, &groupchat.DeleteWelcomeTemplateRequest{TemplateID: id}))
	_, err = svc.GetWelcomeTemplate(ctx, id)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.DeleteWelcomeTemplate(ctx, &groupchat.DeleteWelcomeTemplateRequest{TemplateID: id})))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.EditWelcomeTemplate(ctx, &groupchat.EditWelcomeTemplateRequest{TemplateID: id, WelcomeTemplate: *got})))
}

func TestWelcomeTemplateServerValidation(t *testing.T) {
	s, svc := newTestServer(t)
	img := s.AddMedia(wecomtest.Media{Type: "image"})
	c, err := s.Client()
	require.NoError(t, err)
	long := strings.Repeat("a", 4001)
	for body, code := range map[string]wecom.Code{
		`{}`:                                      40058,
		`{"notify":2,"text":{"content":"a"}}`:     40058,
		`{"text":{"content":"` + long + `"}}`:     40058,
		`{"image":{}}`:                            40058,
		`{"image":{"media_id":"x"}}`:              40007,
		`{"image":{"pic_url":"https://x/y.png"}}`: 0,
		`{"image":{"media_id":"` + img.MediaID + `"},"video":{"media_id":"` + img.MediaID + `"}}`: 40058,
		`{"link":{"url":"https://x"}}`:                            40058,
		`{"link":{"title":"t"}}`:                                  40058,
		`{"link":{"title":"t","url":"https://x"}}`:                0,
		`{"miniprogram":{"title":"t","appid":"wx1","page":"/p"}}`: 40058,
		`{"miniprogram":{"title":"t","appid":"wx1","page":"/p","pic_media_id":"` + img.MediaID + `"}}`: 0,
		`{"miniprogram":{"appid":"wx1","page":"/p","pic_media_id":"` + img.MediaID + `"}}`:             40058,
		`{"file":{"media_id":"nope"}}`: 40007,
		`{"video":{"media_id":""}}`:    40058,
	} {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: addWelcomePath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}

	// A corp keeps at most 100 templates; 3 were added above.
	var lastErr error
	for i := 0; i < 100; i++ {
		_, lastErr = svc.AddWelcomeTemplate(context.Background(), &groupchat.AddWelcomeTemplateRequest{
			WelcomeTemplate: groupchat.WelcomeTemplate{Text: &message.Text{Content: "hi"}},
		})
		if lastErr != nil {
			break
		}
	}
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(lastErr))
	assert.Contains(t, lastErr.Error(), "limit 100")
}

func TestAddWelcomeTemplateIsNotRepeated(t *testing.T) {
	s, svc := newTestServer(t)
	s.FailNext(addWelcomePath, 1, wecomtest.FaultBadGateway)
	_, err := svc.AddWelcomeTemplate(context.Background(), &groupchat.AddWelcomeTemplateRequest{
		WelcomeTemplate: groupchat.WelcomeTemplate{Text: &message.Text{Content: "hi"}},
	})
	require.Error(t, err)
	assert.True(t, wecom.IsMaybeApplied(err))
	assert.Len(t, s.RequestsTo(addWelcomePath), 1)
}
