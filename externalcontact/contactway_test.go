package externalcontact

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestGetContactWayDecodesSample(t *testing.T) {
	svc, sent := fakeFile(t, "get_contact_way.json")
	w, err := svc.GetContactWay(context.Background(), "42b34949e138eb6e027c123cba77fAAA")
	require.NoError(t, err)
	require.Len(t, sent(), 1)
	assert.Equal(t, "POST", sent()[0].Method)
	assert.Equal(t, "/cgi-bin/externalcontact/get_contact_way", sent()[0].Path)
	assert.JSONEq(t, `{"config_id":"42b34949e138eb6e027c123cba77fAAA"}`, string(sent()[0].Body))
	assert.Equal(t, &ContactWay{
		ConfigID: "42b34949e138eb6e027c123cba77fAAA", Type: ContactWaySingle, Scene: ContactWaySceneMiniProgram, Style: 2,
		Remark: "test remark", SkipVerify: true, State: "teststate", QRCode: "http://p.qpic.cn/wwhead/duc2TvpEgSdicZ9RrdUtBkv2UiaA/0",
		User: []string{"zhangsan", "lisi", "wangwu"}, Party: []int{2, 3}, IsTemp: true, ExpiresIn: 86400, ChatExpiresIn: 86400,
		UnionID: "oxTWIuGaIt6gTKsQRLau2M0AAAA", IsExclusive: true,
		Conclusions: &ContactWayConclusions{
			Text:        &message.Text{Content: "文本消息内容"},
			Image:       &message.Image{PicURL: "http://p.qpic.cn/pic_wework/XXXXX"},
			Link:        &message.Link{Title: "消息标题", PicURL: "https://example.pic.com/path", Desc: "消息描述", URL: "https://example.link.com/path"},
			MiniProgram: &message.MiniProgram{Title: "消息标题", PicMediaID: "MEDIA_ID", AppID: "wx8bd80126147dfAAA", Page: "/path/index"},
		},
	}, w)
}

func TestContactWayRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi")
	img := s.AddMedia(wecomtest.Media{Type: "image"})

	id, qr, err := svc.AddContactWay(ctx, &AddContactWayRequest{
		Type: ContactWaySingle, Scene: ContactWaySceneQRCode, Remark: "门店A", SkipVerify: Bool(true), State: "store_001",
		User: []string{"zhangsan"}, IsExclusive: true,
	})
	require.NoError(t, err)
	assert.NotEmpty(t, id)
	assert.Contains(t, qr, "https://")
	reqs := s.RequestsTo("/cgi-bin/externalcontact/add_contact_way")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"type":1,"scene":2,"remark":"门店A","skip_verify":true,"state":"store_001","user":["zhangsan"],"is_exclusive":true}`, string(reqs[0].Body))

	w, err := svc.GetContactWay(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, &ContactWay{ConfigID: id, Type: ContactWaySingle, Scene: ContactWaySceneQRCode, Remark: "门店A", SkipVerify: true,
		State: "store_001", QRCode: qr, User: []string{"zhangsan"}, Party: []int{}, IsExclusive: true}, w)

	// The state comes back in the callback and in the follow relation.
	c, err := s.ScanContactWay(id, wecomtest.Customer{Name: "扫码客户"})
	require.NoError(t, err)
	var state string
	for _, ev := range s.Events() {
		if ev.ChangeType == "add_external_contact" && ev.Get("ExternalUserID") == c.ExternalUserID {
			state = ev.Get("State")
		}
	}
	assert.Equal(t, "store_001", state)
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, "store_001", d.FollowUsers[0].State)
	assert.Equal(t, AddWayQRCode, d.FollowUsers[0].AddWay)

	off := false
	require.NoError(t, svc.UpdateContactWay(ctx, &UpdateContactWayRequest{ConfigID: id, SkipVerify: &off, State: "store_002", Remark: "门店B",
		User: []string{"lisi"}, Conclusions: &ContactWayConclusions{Text: &message.Text{Content: "再见"}, Image: &message.Image{MediaID: img.MediaID}}}))
	ur := s.RequestsTo("/cgi-bin/externalcontact/update_contact_way")
	require.Len(t, ur, 1)
	assert.JSONEq(t, `{"config_id":"`+id+`","remark":"门店B","skip_verify":false,"state":"store_002","user":["lisi"],"conclusions":{"text":{"content":"再见"},"image":{"media_id":"`+img.MediaID+`"}}}`, string(ur[0].Body))
	w, err = svc.GetContactWay(ctx, id)
	require.NoError(t, err)
	assert.False(t, w.SkipVerify)
	assert.Equal(t, "store_002", w.State)
	assert.Equal(t, "门店B", w.Remark)
	assert.Equal(t, []string{"lisi"}, w.User)
	assert.Equal(t, &ContactWayConclusions{Text: &message.Text{Content: "再见"}, Image: &message.Image{MediaID: img.MediaID}}, w.Conclusions)

	require.NoError(t, svc.DeleteContactWay(ctx, id))
	_, err = svc.GetContactWay(ctx, id)
	assert.Equal(t, wecom.CodeContactWayBadConfigID, wecom.ErrorCode(err))
	assert.Empty(t, s.ContactWays())
}

// WeCom's default for an absent skip_verify is true, so a contact way
// that asks the member to confirm needs an explicit false on the wire.
func TestContactWaySkipVerifyFalseIsSent(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")

	confirm, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode,
		User: []string{"zhangsan"}, SkipVerify: Bool(false)})
	require.NoError(t, err)
	byDefault, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode,
		User: []string{"zhangsan"}})
	require.NoError(t, err)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/add_contact_way")
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"type":1,"scene":2,"skip_verify":false,"user":["zhangsan"]}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"type":1,"scene":2,"user":["zhangsan"]}`, string(reqs[1].Body), "nil: not sent")

	w, err := svc.GetContactWay(ctx, confirm)
	require.NoError(t, err)
	assert.False(t, w.SkipVerify, "an explicit false is kept")
	w, err = svc.GetContactWay(ctx, byDefault)
	require.NoError(t, err)
	assert.True(t, w.SkipVerify, "absent skip_verify is true, as on WeCom")
}

// A media id lasts 3 days: a conclusion image older than that is refused
// with 40007, as WeCom refuses an invalid media_id.
func TestContactWayRefusesExpiredMedia(t *testing.T) {
	clk := wecomtest.NewManualClock(time.Unix(1_700_000_000, 0))
	s, svc := newEnv(t, wecomtest.WithClock(clk))
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	img := s.AddMedia(wecomtest.Media{Type: "image"})
	req := &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode, User: []string{"zhangsan"}, IsTemp: true,
		Conclusions: &ContactWayConclusions{Image: &message.Image{MediaID: img.MediaID}}}
	clk.Advance(72*time.Hour - time.Second)
	_, _, err := svc.AddContactWay(ctx, req)
	require.NoError(t, err, "still valid just before 3 days")
	clk.Advance(time.Second)
	_, _, err = svc.AddContactWay(ctx, req)
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err), "%v", err)
}

func TestTempChat(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	id, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode, User: []string{"zhangsan"},
		IsTemp: true, UnionID: "oxTWIuGaIt6gTKsQRLau2M0AAAA",
		Conclusions: &ContactWayConclusions{Text: &message.Text{Content: "感谢咨询"}, Link: &message.Link{Title: "官网", URL: "https://example.com"}}})
	require.NoError(t, err)
	w, err := svc.GetContactWay(ctx, id)
	require.NoError(t, err)
	assert.True(t, w.IsTemp)
	assert.Equal(t, 7*86400, w.ExpiresIn, "WeCom's default")
	assert.Equal(t, 86400, w.ChatExpiresIn)
	assert.Equal(t, "官网", w.Conclusions.Link.Title)

	c, err := s.ScanContactWay(id, wecomtest.Customer{Name: "临时客户"})
	require.NoError(t, err)
	require.NoError(t, svc.CloseTempChat(ctx, &CloseTempChatRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID}))
	reqs := s.RequestsTo("/cgi-bin/externalcontact/close_temp_chat")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"userid":"zhangsan","external_userid":"`+c.ExternalUserID+`"}`, string(reqs[0].Body))
	assert.Equal(t, wecom.CodeNoRelationship, wecom.ErrorCode(svc.CloseTempChat(ctx, &CloseTempChatRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID})), "already closed")
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(svc.CloseTempChat(ctx, &CloseTempChatRequest{UserID: "ghost", ExternalUserID: c.ExternalUserID})))
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(svc.CloseTempChat(ctx, &CloseTempChatRequest{UserID: "zhangsan", ExternalUserID: "wmGhost"})))
	assert.Error(t, svc.CloseTempChat(ctx, &CloseTempChatRequest{ExternalUserID: "x"}))
}

func TestContactWayErrors(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "nofeature"}))
	img := s.AddMedia(wecomtest.Media{Type: "image"})
	single := func(r AddContactWayRequest) *AddContactWayRequest {
		if r.Type == 0 {
			r.Type = ContactWaySingle
		}
		if r.Scene == 0 {
			r.Scene = ContactWaySceneQRCode
		}
		if r.User == nil {
			r.User = []string{"zhangsan"}
		}
		return &r
	}
	for name, tc := range map[string]struct {
		req  *AddContactWayRequest
		code wecom.Code
	}{
		"bad type":            {single(AddContactWayRequest{Type: 3}), wecom.CodeContactWayBadType},
		"bad scene":           {single(AddContactWayRequest{Scene: 3}), wecom.CodeContactWayBadScene},
		"no type":             {&AddContactWayRequest{Scene: ContactWaySceneQRCode, User: []string{"zhangsan"}}, wecom.CodeContactWayNoType},
		"no scene":            {&AddContactWayRequest{Type: ContactWaySingle, User: []string{"zhangsan"}}, wecom.CodeContactWayNoScene},
		"bad style":           {single(AddContactWayRequest{Scene: ContactWaySceneMiniProgram, Style: 9}), wecom.CodeContactWayBadStyle},
		"single with two":     {single(AddContactWayRequest{User: []string{"zhangsan", "lisi"}}), wecom.CodeContactWayTooManyUser},
		"unknown user":        {single(AddContactWayRequest{User: []string{"ghost"}}), 60111},
		"no feature":          {single(AddContactWayRequest{User: []string{"nofeature"}}), 84074},
		"temp multi":          {single(AddContactWayRequest{Type: ContactWayMulti, IsTemp: true}), 40058},
		"temp too long":       {single(AddContactWayRequest{IsTemp: true, ExpiresIn: 15 * 86400}), 40058},
		"unknown image":       {single(AddContactWayRequest{Conclusions: &ContactWayConclusions{Image: &message.Image{MediaID: "nope"}}}), 40007},
		"two attachments":     {single(AddContactWayRequest{Conclusions: &ContactWayConclusions{Image: &message.Image{MediaID: img.MediaID}, Link: &message.Link{Title: "t", URL: "u"}}}), 40058},
		"unknown miniprogram": {single(AddContactWayRequest{Conclusions: &ContactWayConclusions{MiniProgram: &message.MiniProgram{PicMediaID: "nope"}}}), 40007},
		"multi with a party":  {single(AddContactWayRequest{Type: ContactWayMulti, Party: []int{-1}}), 40058},
	} {
		_, _, err := svc.AddContactWay(ctx, tc.req)
		assert.Equal(t, tc.code, wecom.ErrorCode(err), "%s: %v", name, err)
	}
	assert.Empty(t, s.ContactWays())

	n := len(s.Requests())
	_, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode})
	assert.Error(t, err)
	_, _, err = svc.AddContactWay(ctx, single(AddContactWayRequest{State: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"}))
	assert.Error(t, err)
	_, err = svc.GetContactWay(ctx, "")
	assert.Error(t, err)
	assert.Error(t, svc.UpdateContactWay(ctx, &UpdateContactWayRequest{}))
	assert.Error(t, svc.UpdateContactWay(ctx, &UpdateContactWayRequest{ConfigID: "x", State: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"}))
	assert.Error(t, svc.DeleteContactWay(ctx, ""))
	assert.Len(t, s.Requests(), n, "misuse is caught before sending")

	assert.Equal(t, wecom.CodeContactWayBadConfigID, wecom.ErrorCode(svc.UpdateContactWay(ctx, &UpdateContactWayRequest{ConfigID: "nope", Remark: "x"})))
	assert.Equal(t, wecom.CodeContactWayBadConfigID, wecom.ErrorCode(svc.DeleteContactWay(ctx, "nope")))
	id, _, err := svc.AddContactWay(ctx, single(AddContactWayRequest{}))
	require.NoError(t, err)
	assert.Equal(t, wecom.CodeContactWayTooManyUser, wecom.ErrorCode(svc.UpdateContactWay(ctx, &UpdateContactWayRequest{ConfigID: id, User: []string{"zhangsan", "lisi"}})))

	// A create that fails after WeCom may have applied it is not repeated.
	s.FailNext("/cgi-bin/externalcontact/add_contact_way", 1, wecomtest.Fault{Code: -1, AfterApply: true})
	_, _, err = svc.AddContactWay(ctx, single(AddContactWayRequest{State: "once"}))
	assert.True(t, wecom.IsMaybeApplied(err), "%v", err)
	assert.Len(t, s.ContactWays(), 2)
}

func TestAllContactWays(t *testing.T) {
	clk := wecomtest.NewManualClock(time.Unix(1_700_000_000, 0))
	s, svc := newEnv(t, wecomtest.WithClock(clk))
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	var ids []string
	for i := 0; i < 110; i++ {
		id, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWayMulti, Scene: ContactWaySceneQRCode, User: []string{"zhangsan"}, State: fmt.Sprint(i)})
		require.NoError(t, err)
		ids = append(ids, id)
		if i == 9 {
			clk.Advance(time.Hour)
		}
	}
	collect := func(start, end int64) ([]string, error) {
		var out []string
		for id, err := range svc.AllContactWayIDs(ctx, &ListContactWayIDsRequest{StartTime: start, EndTime: end, Limit: 50}) {
			if err != nil {
				return out, err
			}
			out = append(out, id)
		}
		return out, nil
	}
	s.ResetRequests()
	got, err := collect(0, 0)
	require.NoError(t, err)
	assert.Equal(t, ids, got)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/list_contact_way")
	require.Len(t, reqs, 3)
	assert.JSONEq(t, `{"limit":50}`, string(reqs[0].Body))

	got, err = collect(1_700_000_000, 1_700_000_001)
	require.NoError(t, err)
	assert.Equal(t, ids[:10], got, "filtered by creation time")
	got, err = collect(1_800_000_000, 1_800_000_001)
	require.NoError(t, err)
	assert.Empty(t, got)

	s.FailNext("/cgi-bin/externalcontact/list_contact_way", 1, wecomtest.Fault{Delay: 1})
	s.FailNext("/cgi-bin/externalcontact/list_contact_way", 1, wecomtest.Fault{Code: 48002})
	got, err = collect(0, 0)
	assert.True(t, wecom.IsPermissionDenied(err))
	assert.Len(t, got, 50)

	s.ResetRequests()
	for range svc.AllContactWayIDs(ctx, nil) {
		break
	}
	assert.Len(t, s.RequestsTo("/cgi-bin/externalcontact/list_contact_way"), 1)

	page, next, err := svc.ListContactWayIDs(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page, 100, "WeCom's default page size")
	assert.NotEmpty(t, next)
	_, _, err = svc.ListContactWayIDs(ctx, &ListContactWayIDsRequest{StartTime: 2, EndTime: 1})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))

	assert.Equal(t, "single", ContactWaySingle.String())
	assert.Equal(t, "multi", ContactWayMulti.String())
	assert.Equal(t, "ContactWayType(0)", ContactWayType(0).String())
	assert.Equal(t, "miniprogram", ContactWaySceneMiniProgram.String())
	assert.Equal(t, "qr_code", ContactWaySceneQRCode.String())
	assert.Equal(t, "ContactWayScene(0)", ContactWayScene(0).String())
}
