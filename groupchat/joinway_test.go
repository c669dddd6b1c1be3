package groupchat_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
)

const (
	addJoinWayPath    = "/cgi-bin/externalcontact/groupchat/add_join_way"
	getJoinWayPath    = "/cgi-bin/externalcontact/groupchat/get_join_way"
	updateJoinWayPath = "/cgi-bin/externalcontact/groupchat/update_join_way"
	delJoinWayPath    = "/cgi-bin/externalcontact/groupchat/del_join_way"
)

func TestGetJoinWayDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_get_join_way.json")
	w, err := svc.GetJoinWay(context.Background(), "9ad7fa5cdaa6511298498f979c472aaa")
	require.NoError(t, err)
	r := ss.only(t)
	assert.Equal(t, getJoinWayPath, r.Path)
	assert.JSONEq(t, `{"config_id":"9ad7fa5cdaa6511298498f979c472aaa"}`, string(r.Body))

	assert.Equal(t, "9ad7fa5cdaa6511298498f979c472aaa", w.ConfigID)
	assert.Equal(t, groupchat.JoinWaySceneQRCode, w.Scene)
	assert.Equal(t, "aa_remark", w.Remark)
	assert.True(t, w.AutoCreateRoom)
	assert.Equal(t, "销售客服群", w.RoomBaseName)
	assert.Equal(t, 10, w.RoomBaseID)
	assert.Equal(t, []string{"wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa", "wrOgQhDgAALPUthpRAKvl7mgiQRwAAA"}, w.ChatIDList)
	assert.Equal(t, "http://p.qpic.cn/wwhead/nMl9ssowtibVGyrmvBiaibzDtp/0", w.QRCode)
	assert.Equal(t, "klsdup3kj3s1", w.State)
	assert.True(t, w.MarkSource)
}

func TestJoinWayJSON(t *testing.T) {
	for in, want := range map[string]bool{`1`: true, `0`: false, `true`: true, `false`: false, `null`: false, `"1"`: true} {
		var w groupchat.JoinWay
		require.NoError(t, json.Unmarshal([]byte(`{"scene":1,"mark_source":`+in+`}`), &w), in)
		assert.Equal(t, want, w.MarkSource, in)
	}
	var w groupchat.JoinWay
	assert.Error(t, json.Unmarshal([]byte(`{"mark_source":"maybe"}`), &w))
	assert.Error(t, json.Unmarshal([]byte(`{"scene":"x"}`), &w))

	// A JoinWay survives a round trip, read-only fields included.
	orig := groupchat.JoinWay{ConfigID: "c", Scene: 2, ChatIDList: []string{"wr"}, QRCode: "https://q", AutoCreateRoom: true, MarkSource: true}
	b, err := json.Marshal(orig)
	require.NoError(t, err)
	var back groupchat.JoinWay
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, orig, back)

	assert.Equal(t, "miniprogram", groupchat.JoinWaySceneMiniProgram.String())
	assert.Equal(t, "qrcode", groupchat.JoinWaySceneQRCode.String())
	assert.Equal(t, "JoinWayScene(3)", groupchat.JoinWayScene(3).String())
}

func TestJoinWayRequests(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_get_join_way.json")
	ctx := context.Background()
	w := groupchat.JoinWaySettings{
		Scene: groupchat.JoinWaySceneQRCode, Remark: "门店",
		AutoCreateRoom: true, RoomBaseName: "门店群", RoomBaseID: 3, ChatIDList: []string{"wrA", "wrB"},
		State: "store-7", MarkSource: true,
	}
	_, err := svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: w})
	require.NoError(t, err)
	require.NoError(t, svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{ConfigID: "cfg", JoinWaySettings: w}))
	require.NoError(t, svc.DeleteJoinWay(ctx, "cfg"))

	reqs := ss.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, addJoinWayPath, reqs[0].Path)
	assert.JSONEq(t, `{"scene":2,"remark":"门店","auto_create_room":1,"room_base_name":"门店群","room_base_id":3,
		"chat_id_list":["wrA","wrB"],"state":"store-7","mark_source":true}`, string(reqs[0].Body))
	assert.Equal(t, updateJoinWayPath, reqs[1].Path)
	assert.JSONEq(t, `{"config_id":"cfg","scene":2,"remark":"门店","auto_create_room":1,"room_base_name":"门店群",
		"room_base_id":3,"chat_id_list":["wrA","wrB"],"state":"store-7","mark_source":true}`, string(reqs[1].Body))
	assert.Equal(t, delJoinWayPath, reqs[2].Path)
	assert.JSONEq(t, `{"config_id":"cfg"}`, string(reqs[2].Body))

	// Switched-off features are sent as such.
	_, err = svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{Scene: 1, ChatIDList: []string{"wrA"}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"scene":1,"auto_create_room":0,"chat_id_list":["wrA"],"mark_source":false}`, string(ss.requests()[3].Body))
}

func TestJoinWayValidation(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_get_join_way.json")
	ctx := context.Background()
	ok := groupchat.JoinWaySettings{Scene: 2, ChatIDList: []string{"wr"}}
	with := func(f func(*groupchat.JoinWaySettings)) groupchat.JoinWaySettings { w := ok; f(&w); return w }
	bad := map[string]groupchat.JoinWaySettings{
		"scene":      with(func(w *groupchat.JoinWaySettings) { w.Scene = 0 }),
		"no chats":   with(func(w *groupchat.JoinWaySettings) { w.ChatIDList = nil }),
		"six chats":  with(func(w *groupchat.JoinWaySettings) { w.ChatIDList = []string{"a", "b", "c", "d", "e", "f"} }),
		"empty chat": with(func(w *groupchat.JoinWaySettings) { w.ChatIDList = []string{""} }),
		"long state": with(func(w *groupchat.JoinWaySettings) { w.State = strings.Repeat("状", 31) }),
	}
	for name, w := range bad {
		_, err := svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: w})
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
		assert.ErrorIs(t, svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{ConfigID: "cfg", JoinWaySettings: w}), wecom.ErrInvalidArgument, name)
	}
	assert.ErrorIs(t, svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{JoinWaySettings: ok}), wecom.ErrInvalidArgument, "no config id")
	_, err := svc.AddJoinWay(ctx, nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument, "nil is the zero request")
	assert.ErrorIs(t, svc.UpdateJoinWay(ctx, nil), wecom.ErrInvalidArgument, "nil is the zero request")
	_, err = svc.GetJoinWay(ctx, "")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.ErrorIs(t, svc.DeleteJoinWay(ctx, ""), wecom.ErrInvalidArgument)
	assert.Empty(t, ss.requests())

	_, err = svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: with(func(w *groupchat.JoinWaySettings) {
		w.ChatIDList = []string{"a", "b", "c", "d", "e"}
		w.State = strings.Repeat("状", 30)
	})})
	assert.NoError(t, err, "5 chats and 30 characters are allowed")
}

func TestJoinWayLifecycleAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 7)
	ctx := context.Background()

	id, err := svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{
		Scene: groupchat.JoinWaySceneQRCode, Remark: "门店", AutoCreateRoom: true, RoomBaseName: "门店群",
		RoomBaseID: 1, ChatIDList: ids(chats, 0, 1), State: "store-7", MarkSource: true,
	}})
	require.NoError(t, err)
	require.NotEmpty(t, id)

	w, err := svc.GetJoinWay(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, id, w.ConfigID)
	assert.True(t, strings.HasPrefix(w.QRCode, "https://"), w.QRCode)
	qr := w.QRCode
	w.QRCode = ""
	assert.Equal(t, groupchat.JoinWay{
		ConfigID: id, Scene: 2, Remark: "门店", AutoCreateRoom: true, RoomBaseName: "门店群", RoomBaseID: 1,
		ChatIDList: ids(chats, 0, 1), State: "store-7", MarkSource: true,
	}, *w)

	w.ChatIDList = ids(chats, 2, 3, 4)
	w.AutoCreateRoom = false
	w.State = "store-8"
	require.NoError(t, svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{ConfigID: w.ConfigID, JoinWaySettings: w.Settings()}))
	got, err := svc.GetJoinWay(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, ids(chats, 2, 3, 4), got.ChatIDList)
	assert.False(t, got.AutoCreateRoom)
	assert.Empty(t, got.RoomBaseName, "no base name without auto creation")
	assert.Equal(t, "store-8", got.State)
	assert.Equal(t, qr, got.QRCode, "the QR code survives an update")

	w.ChatIDList = []string{"wrNoSuchChat"}
	assert.Equal(t, wecom.CodeChatNotFound, wecom.ErrorCode(svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{ConfigID: w.ConfigID, JoinWaySettings: w.Settings()})))
	got, _ = svc.GetJoinWay(ctx, id)
	assert.Equal(t, ids(chats, 2, 3, 4), got.ChatIDList, "a refused update changes nothing")

	require.NoError(t, svc.DeleteJoinWay(ctx, id))
	_, err = svc.GetJoinWay(ctx, id)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.DeleteJoinWay(ctx, id)))
	w.ChatIDList = ids(chats, 0)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.UpdateJoinWay(ctx, &groupchat.UpdateJoinWayRequest{ConfigID: w.ConfigID, JoinWaySettings: w.Settings()})))

	_, err = svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{Scene: 1, ChatIDList: []string{"wrNoSuchChat"}}})
	assert.Equal(t, wecom.CodeChatNotFound, wecom.ErrorCode(err))

	mini, err := svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{Scene: 1, ChatIDList: ids(chats, 6)}})
	require.NoError(t, err)
	got, err = svc.GetJoinWay(ctx, mini)
	require.NoError(t, err)
	assert.Empty(t, got.QRCode, "mini program join ways have no QR code")
	assert.False(t, got.MarkSource)
}

func TestJoinWayServerValidation(t *testing.T) {
	s, _ := newTestServer(t)
	chats := seedChats(t, s, 1)
	c, err := s.Client()
	require.NoError(t, err)
	chat := `"` + chats[0].ChatID + `"`
	for body, code := range map[string]wecom.Code{
		`{"scene":3,"chat_id_list":[` + chat + `]}`: 40058,
		`{"scene":1}`: 40058,
		`{"scene":1,"chat_id_list":["a","b","c","d","e","f"]}`:                                 40058,
		`{"scene":1,"chat_id_list":[` + chat + `],"state":"` + strings.Repeat("s", 31) + `"}`:  40058,
		`{"scene":1,"chat_id_list":[` + chat + `],"remark":"` + strings.Repeat("r", 31) + `"}`: 40058,
		`{"scene":1,"chat_id_list":[` + chat + `],"auto_create_room":2}`:                       40058,
		`{"scene":1,"chat_id_list":[` + chat + `],"mark_source":"x"}`:                          40058,
		`{"scene":1,"chat_id_list":[` + chat + `],"mark_source":0}`:                            0,
	} {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: addJoinWayPath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
	err = c.Do(context.Background(), &wecom.Request{Method: "POST", Path: getJoinWayPath, Body: []byte(`{}`)}, nil)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}
