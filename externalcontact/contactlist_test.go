package externalcontact

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestListContactsDecodesSample(t *testing.T) {
	svc, sent := fakeFile(t, `{"errcode":0,"errmsg":"ok","info_list":[
		{"is_customer":false,"name":"***开","tmp_openid":"TMP_ID","follow_userid":"USER_ID","chat_name":"外联群1","add_time":1694418699},
		{"is_customer":true,"tmp_openid":"TMP_ID2","external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","chat_id":"CHATID","add_time":1694418699}],
		"next_cursor":"NEXT_CURSOR"}`)
	cs, next, err := svc.ListContacts(context.Background(), &ListContactsRequest{Cursor: "CURSOR", Limit: 1000})
	require.NoError(t, err)
	assert.Equal(t, "NEXT_CURSOR", next)
	assert.Equal(t, "POST", sent()[0].Method)
	assert.Equal(t, "/cgi-bin/externalcontact/contact_list", sent()[0].Path)
	assert.JSONEq(t, `{"cursor":"CURSOR","limit":1000}`, string(sent()[0].Body))
	assert.Equal(t, []Contact{
		{Name: "***开", TmpOpenID: "TMP_ID", FollowUserID: "USER_ID", ChatName: "外联群1", AddTime: 1694418699},
		{IsCustomer: true, TmpOpenID: "TMP_ID2", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", ChatID: "CHATID", AddTime: 1694418699},
	}, cs)
	assert.Equal(t, time.Unix(1694418699, 0), cs[0].AddAt())
	assert.True(t, Contact{}.AddAt().IsZero())
}

// contact_list lists every external contact served: customers of each
// member, non-customers, and external members of groups.
func TestAllContacts(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi")
	var custs []string
	for i := 0; i < 5; i++ {
		custs = append(custs, addCustomer(t, s, fmt.Sprint("客户", i), "zhangsan"))
	}
	require.NoError(t, s.AddFollow(wecomtest.Follow{UserID: "lisi", ExternalUserID: custs[0]}))
	require.NoError(t, s.AddOtherContact(wecomtest.OtherContact{Name: "供应商", FollowUserID: "lisi"}))
	chat, err := s.AddGroupChat(wecomtest.GroupChat{Name: "外联群", Owner: "zhangsan", Members: []wecomtest.GroupMember{
		{UserID: "zhangsan", Type: 1}, {UserID: custs[1], Type: 2}, {UserID: "wmStranger", Type: 2, Name: "路人"}}})
	require.NoError(t, err)

	s.ResetRequests()
	var got []Contact
	for c, err := range svc.AllContacts(ctx, &ListContactsRequest{Limit: 3}) {
		require.NoError(t, err)
		got = append(got, c)
	}
	reqs := s.RequestsTo("/cgi-bin/externalcontact/contact_list")
	require.Len(t, reqs, 3, "9 rows, 3 a page")
	assert.JSONEq(t, `{"limit":3}`, string(reqs[0].Body))
	require.Len(t, got, 9)
	byKind := map[string]int{}
	for _, c := range got {
		assert.NotEmpty(t, c.TmpOpenID)
		assert.NotZero(t, c.AddTime)
		switch {
		case c.ChatID != "":
			byKind["group"]++
			assert.Equal(t, chat.ChatID, c.ChatID)
			assert.Equal(t, "外联群", c.ChatName)
			assert.Equal(t, c.IsCustomer, c.ExternalUserID != "")
		case c.IsCustomer:
			byKind["customer"]++
			assert.NotEmpty(t, c.ExternalUserID)
			assert.NotEmpty(t, c.FollowUserID)
		default:
			byKind["other"]++
			assert.Equal(t, "供应商", c.Name)
			assert.Empty(t, c.ExternalUserID)
		}
	}
	assert.Equal(t, map[string]int{"customer": 6, "other": 1, "group": 2}, byKind)
	assert.NotEqual(t, got[0].TmpOpenID, got[2].TmpOpenID)
	assert.Equal(t, got[0].TmpOpenID, got[1].TmpOpenID, "one tmp_openid per contact: custs[0] for zhangsan and lisi")

	// The tmp_openid lasts 4 hours, then a contact gets a new one.
	again, _, err := svc.ListContacts(ctx, &ListContactsRequest{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, got[0].TmpOpenID, again[0].TmpOpenID)
	s.Clock().Advance(4 * time.Hour)
	again, _, err = svc.ListContacts(ctx, &ListContactsRequest{Limit: 1})
	require.NoError(t, err)
	assert.NotEqual(t, got[0].TmpOpenID, again[0].TmpOpenID)

	s.ResetRequests()
	for range svc.AllContacts(ctx, nil) {
		break
	}
	reqs = s.RequestsTo("/cgi-bin/externalcontact/contact_list")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"limit":1000}`, string(reqs[0].Body), "the iterator asks for the maximum")

	_, _, err = svc.ListContacts(ctx, &ListContactsRequest{Limit: 1001})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, _, err = svc.ListContacts(ctx, &ListContactsRequest{Cursor: "bogus"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

// A customer who came through an acquisition link and writes again:
// message_from_customer carries a ChatKey, and get_chat_info answers for
// it during 30 minutes.
func TestAcquisitionChatInfo(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	l, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "春季", Range: AcquisitionRange{UserList: []string{"zhangsan"}}})
	require.NoError(t, err)
	c, err := s.AcquireCustomer(l.LinkID, "ad_1", wecomtest.Customer{Name: "新客"})
	require.NoError(t, err)
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, AddWayAcquisitionLink, d.FollowUsers[0].AddWay, "a customer from a link has add way 16")

	key1, err := s.CustomerMessagesThroughLink(l.LinkID, c.ExternalUserID)
	require.NoError(t, err)
	key2, err := s.CustomerMessagesThroughLink(l.LinkID, c.ExternalUserID)
	require.NoError(t, err)
	var keys []string
	for _, ev := range s.Events() {
		if ev.Event == "customer_acquisition" && ev.ChangeType == "message_from_customer" {
			assert.Equal(t, l.LinkID, ev.Get("LinkId"))
			assert.Empty(t, ev.Get("ExternalUserID"), "no longer sent since 2024-12-19")
			keys = append(keys, ev.Get("ChatKey"))
		}
	}
	assert.Equal(t, []string{key1, key2}, keys)

	info, err := svc.GetAcquisitionChatInfo(ctx, key2)
	require.NoError(t, err)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/customer_acquisition/get_chat_info")
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"chat_key":"`+key2+`"}`, string(reqs[0].Body))
	assert.Equal(t, "zhangsan", info.UserID)
	assert.Equal(t, c.ExternalUserID, info.ExternalUserID)
	assert.Equal(t, 2, info.ChatInfo.RecvMsgCnt)
	assert.Equal(t, l.LinkID, info.ChatInfo.LinkID)
	assert.Equal(t, "ad_1", info.ChatInfo.State)

	s.Clock().Advance(30*time.Minute - time.Second)
	_, err = svc.GetAcquisitionChatInfo(ctx, key1)
	require.NoError(t, err, "valid for 30 minutes")
	s.Clock().Advance(time.Second)
	_, err = svc.GetAcquisitionChatInfo(ctx, key1)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "expired")
	_, err = svc.GetAcquisitionChatInfo(ctx, "")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = s.CustomerMessagesThroughLink(l.LinkID, "wmGhost")
	assert.Error(t, err)
}

func TestAcquisitionAppPermit(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	p, err := svc.GetAcquisitionAppPermit(ctx)
	require.NoError(t, err)
	assert.Empty(t, p.UserList)
	s.SetAcquisitionAppPermit(wecomtest.AcquisitionAppPermit{UserList: []string{"zhangsan"}, DepartmentList: []int{2}, TagList: []int{7}})
	p, err = svc.GetAcquisitionAppPermit(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan"}, p.UserList)
	assert.Equal(t, []int{2}, p.DepartmentList)
	assert.Equal(t, []int{7}, p.TagList)
	assert.Contains(t, string(p.Raw), `"user_list":["zhangsan"]`)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/customer_acquisition_app/get_permit")
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET", reqs[0].Method)
}
