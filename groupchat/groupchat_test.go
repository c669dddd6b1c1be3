package groupchat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	listPath = "/cgi-bin/externalcontact/groupchat/list"
	getPath  = "/cgi-bin/externalcontact/groupchat/get"
)

func TestGetDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_get.json")
	g, err := svc.GetGroupChat(context.Background(), &groupchat.GetGroupChatRequest{ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", NeedName: true})
	require.NoError(t, err)

	r := ss.only(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, getPath, r.Path)
	assert.Empty(t, r.RawQuery)
	assert.JSONEq(t, `{"chat_id":"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA","need_name":1}`, string(r.Body))

	assert.Equal(t, "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", g.ChatID)
	assert.Equal(t, "销售客服群", g.Name)
	assert.Equal(t, "ZhuShengBen", g.Owner)
	assert.Equal(t, int64(1572505490), g.CreateTime)
	assert.Equal(t, time.Unix(1572505490, 0), g.CreateAt())
	assert.Equal(t, "文档详情", g.Notice)
	assert.Equal(t, "71217227bbd112ecfe3a49c482195cb4", g.MemberVersion)
	assert.Equal(t, []groupchat.UserRef{{UserID: "sam"}, {UserID: "pony"}}, g.Admins)
	require.Len(t, g.Members, 2)

	m := g.Members[0]
	assert.Equal(t, "abel", m.UserID)
	assert.Equal(t, groupchat.MemberTypeUser, m.Type)
	assert.Empty(t, m.UnionID)
	assert.Equal(t, int64(1572505491), m.JoinTime)
	assert.Equal(t, time.Unix(1572505491, 0), m.JoinAt())
	assert.Equal(t, groupchat.JoinSceneInvited, m.JoinScene)
	require.NotNil(t, m.Invitor)
	assert.Equal(t, "jack", m.Invitor.UserID)
	assert.Equal(t, "客服小张", m.GroupNickname)
	assert.Equal(t, "张三丰", m.Name)

	m = g.Members[1]
	assert.Equal(t, "wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA", m.UserID)
	assert.Equal(t, groupchat.MemberTypeCustomer, m.Type)
	assert.Equal(t, "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", m.UnionID)
	assert.Equal(t, groupchat.JoinSceneQRCode, m.JoinScene)
	assert.Nil(t, m.Invitor)
	assert.Equal(t, "顾客老王", m.GroupNickname)
	assert.Equal(t, "王语嫣", m.Name)
}

func TestGetWithoutNamesSendsZero(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_get.json")
	_, err := svc.GetGroupChat(context.Background(), &groupchat.GetGroupChatRequest{ChatID: "wrX", NeedName: false})
	require.NoError(t, err)
	assert.JSONEq(t, `{"chat_id":"wrX","need_name":0}`, string(ss.only(t).Body))
}

func TestListDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_list.json")
	items, next, err := svc.ListGroupChats(context.Background(), &groupchat.ListGroupChatsRequest{
		StatusFilter: groupchat.StatusFilterResigned,
		OwnerFilter:  &groupchat.OwnerFilter{UserIDList: []string{"abel", "jack"}},
		Cursor:       "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI",
		Limit:        10,
	})
	require.NoError(t, err)
	r := ss.only(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, listPath, r.Path)
	assert.JSONEq(t, `{"status_filter":1,"owner_filter":{"userid_list":["abel","jack"]},
		"cursor":"r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI","limit":10}`, string(r.Body))

	assert.Equal(t, "tJzlB9tdqfh-g7i_J-ehOz_TWcd7dSKa39_AqCIeMFw", next)
	assert.Equal(t, []groupchat.ListedChat{
		{ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", Status: groupchat.StatusNormal},
		{ChatID: "wrOgQhDgAAcwMTB7YmDkbeBsAAAA", Status: groupchat.StatusResigned},
		{ChatID: "wrOgQhDgAAcwMTB7YmDkbeBsBBBB", Status: groupchat.StatusTransferring},
		{ChatID: "wrOgQhDgAAcwMTB7YmDkbeBsCCCC", Status: groupchat.StatusTransferred},
	}, items)
}

func TestListDefaultsLimitAndOmitsEmptyFilters(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_list.json")
	_, _, err := svc.ListGroupChats(context.Background(), &groupchat.ListGroupChatsRequest{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"limit":1000}`, string(ss.only(t).Body))
}

func TestInvalidArgumentsAreNotSent(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_list.json")
	ctx := context.Background()
	many := make([]string, 101)
	for i := range many {
		many[i] = "u"
	}
	cases := map[string]func() error{
		"limit negative": func() error {
			_, _, err := svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: -1})
			return err
		},
		"limit too big": func() error {
			_, _, err := svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 1001})
			return err
		},
		"bad status": func() error {
			_, _, err := svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{StatusFilter: 4})
			return err
		},
		"owners over 100": func() error {
			_, _, err := svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{OwnerFilter: &groupchat.OwnerFilter{UserIDList: many}})
			return err
		},
		"iterator": func() error {
			for _, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 5000}) {
				return err
			}
			return nil
		},
		"get empty": func() error {
			_, err := svc.GetGroupChat(ctx, &groupchat.GetGroupChatRequest{ChatID: "", NeedName: false})
			return err
		},
		"opengid empty": func() error { _, err := svc.OpenGIDToChatID(ctx, ""); return err },
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.Error(t, err)
			assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
		})
	}
	assert.Empty(t, ss.requests())
}

func TestOpenGIDToChatIDDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "opengid_to_chatid.json")
	id, err := svc.OpenGIDToChatID(context.Background(), "oAAAAAAA")
	require.NoError(t, err)
	assert.Equal(t, "ooAAAAAAAAAAA", id)
	r := ss.only(t)
	assert.Equal(t, "/cgi-bin/externalcontact/opengid_to_chatid", r.Path)
	assert.JSONEq(t, `{"opengid":"oAAAAAAA"}`, string(r.Body))
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "all", groupchat.StatusFilterAll.String())
	assert.Equal(t, "resigned", groupchat.StatusFilterResigned.String())
	assert.Equal(t, "transferring", groupchat.StatusFilterTransferring.String())
	assert.Equal(t, "transferred", groupchat.StatusFilterTransferred.String())
	assert.Equal(t, "StatusFilter(9)", groupchat.StatusFilter(9).String())
	assert.Equal(t, "normal", groupchat.StatusNormal.String())
	assert.Equal(t, "resigned", groupchat.StatusResigned.String())
	assert.Equal(t, "transferring", groupchat.StatusTransferring.String())
	assert.Equal(t, "transferred", groupchat.StatusTransferred.String())
	assert.Equal(t, "Status(9)", groupchat.Status(9).String())
	assert.Equal(t, "user", groupchat.MemberTypeUser.String())
	assert.Equal(t, "customer", groupchat.MemberTypeCustomer.String())
	assert.Equal(t, "MemberType(0)", groupchat.MemberType(0).String())
	assert.Equal(t, "invited", groupchat.JoinSceneInvited.String())
	assert.Equal(t, "link", groupchat.JoinSceneLink.String())
	assert.Equal(t, "qrcode", groupchat.JoinSceneQRCode.String())
	assert.Equal(t, "JoinScene(0)", groupchat.JoinScene(0).String())
}

// seedChats adds members alice, bob and carol (resigned) and n groups
// owned in turn by them.
func seedChats(t *testing.T, s *wecomtest.Server, n int) []wecomtest.GroupChat {
	t.Helper()
	for _, u := range []wecomtest.User{
		{UserID: "alice", Name: "李爱丽", CustomerContact: true},
		{UserID: "bob", Name: "王博", CustomerContact: true},
		{UserID: "carol", Name: "陈卡罗", CustomerContact: true, Resigned: true, DimissionTime: 1_700_000_000},
	} {
		require.NoError(t, s.AddUser(u))
	}
	owners := []string{"alice", "bob", "carol"}
	var out []wecomtest.GroupChat
	for i := 0; i < n; i++ {
		owner := owners[i%3]
		g, err := s.AddGroupChat(wecomtest.GroupChat{
			Name:       "客户群" + string(rune('A'+i)),
			Owner:      owner,
			CreateTime: 1_700_000_000 + int64(i)*86400,
			Members: []wecomtest.GroupMember{
				{UserID: owner, Type: 1, JoinTime: 1_700_000_000, JoinScene: 1, Name: "群主"},
				{UserID: "wmCustomer" + string(rune('A'+i)), Type: 2, UnionID: "oUnion" + string(rune('A'+i)),
					JoinTime: 1_700_000_100, JoinScene: 3, Invitor: owner, GroupNickname: "老客户", Name: "客户"},
			},
			Admins: []string{"bob"},
		})
		require.NoError(t, err)
		out = append(out, g)
	}
	return out
}

func ids(chats []wecomtest.GroupChat, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, chats[i].ChatID)
	}
	return out
}

func TestListAgainstServerFiltersAndPages(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 7)
	ctx := context.Background()

	collect := func(req groupchat.ListGroupChatsRequest) ([]string, []groupchat.Status) {
		var got []string
		var sts []groupchat.Status
		for c, err := range svc.AllGroupChats(ctx, &req) {
			require.NoError(t, err)
			got = append(got, c.ChatID)
			sts = append(sts, c.Status)
		}
		return got, sts
	}

	all, sts := collect(groupchat.ListGroupChatsRequest{Limit: 2})
	assert.Equal(t, ids(chats, 0, 1, 2, 3, 4, 5, 6), all)
	assert.Equal(t, []groupchat.Status{0, 0, 1, 0, 0, 1, 0}, sts)
	assert.Len(t, s.RequestsTo(listPath), 4, "7 groups at 2 a page")

	got, _ := collect(groupchat.ListGroupChatsRequest{StatusFilter: groupchat.StatusFilterResigned})
	assert.Equal(t, ids(chats, 2, 5), got)
	got, _ = collect(groupchat.ListGroupChatsRequest{OwnerFilter: &groupchat.OwnerFilter{UserIDList: []string{"bob"}}})
	assert.Equal(t, ids(chats, 1, 4), got)
	got, _ = collect(groupchat.ListGroupChatsRequest{StatusFilter: groupchat.StatusFilterTransferred})
	assert.Empty(t, got)

	// The page method hands out cursors a caller can store.
	page, next, err := svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 3})
	require.NoError(t, err)
	assert.Len(t, page, 3)
	require.NotEmpty(t, next)
	page, next, err = svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 5, Cursor: next})
	require.NoError(t, err)
	assert.Len(t, page, 4)
	assert.Empty(t, next)

	_, _, err = svc.ListGroupChats(ctx, &groupchat.ListGroupChatsRequest{Cursor: "not-a-cursor"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

func TestAllIterator(t *testing.T) {
	ctx := context.Background()
	t.Run("empty", func(t *testing.T) {
		s, svc := newTestServer(t)
		n := 0
		for _, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{}) {
			require.NoError(t, err)
			n++
		}
		assert.Zero(t, n)
		assert.Equal(t, []string{`{"limit":1000}`}, bodies(s, listPath))
	})
	t.Run("one page", func(t *testing.T) {
		s, svc := newTestServer(t)
		seedChats(t, s, 3)
		n := 0
		for _, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 3}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 3, n)
		assert.Len(t, s.RequestsTo(listPath), 1)
	})
	t.Run("error midway", func(t *testing.T) {
		s, svc := newTestServer(t)
		seedChats(t, s, 5)
		var got []string
		var gotErr error
		for c, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 2}) {
			if err != nil {
				gotErr = err
				continue
			}
			got = append(got, c.ChatID)
			if len(got) == 2 {
				s.FailNext(listPath, 1, wecomtest.Fault{Code: 48002, Message: "api forbidden"})
			}
		}
		assert.Len(t, got, 2)
		assert.True(t, wecom.IsPermissionDenied(gotErr), "%v", gotErr)
	})
	t.Run("early break", func(t *testing.T) {
		s, svc := newTestServer(t)
		seedChats(t, s, 6)
		n := 0
		for range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{Limit: 2}) {
			n++
			break
		}
		assert.Equal(t, 1, n)
		assert.Len(t, s.RequestsTo(listPath), 1)
	})
	t.Run("request untouched", func(t *testing.T) {
		s, svc := newTestServer(t)
		seedChats(t, s, 3)
		req := &groupchat.ListGroupChatsRequest{Cursor: "ignored", Limit: 2}
		n := 0
		for _, err := range svc.AllGroupChats(ctx, req) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 3, n)
		assert.Equal(t, &groupchat.ListGroupChatsRequest{Cursor: "ignored", Limit: 2}, req)
		b := bodies(s, listPath)
		require.Len(t, b, 2)
		assert.JSONEq(t, `{"limit":2}`, b[0], "the iterator starts at the first page")
	})
}

func TestListServerValidation(t *testing.T) {
	s, _ := newTestServer(t)
	c, err := s.Client()
	require.NoError(t, err)
	for body, code := range map[string]wecom.Code{
		`{"limit":0}`:                   wecom.CodeInvalidParameter,
		`{"limit":1001}`:                wecom.CodeInvalidParameter,
		`{"limit":1,"status_filter":7}`: wecom.CodeInvalidParameter,
		`{"limit":1,"owner_filter":1}`:  47001,
		`not json`:                      47001,
	} {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: listPath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
}

func TestGetAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 1)
	ctx := context.Background()

	g, err := svc.GetGroupChat(ctx, &groupchat.GetGroupChatRequest{ChatID: chats[0].ChatID, NeedName: true})
	require.NoError(t, err)
	assert.Equal(t, chats[0].ChatID, g.ChatID)
	assert.Equal(t, "客户群A", g.Name)
	assert.Equal(t, "alice", g.Owner)
	assert.Equal(t, int64(1_700_000_000), g.CreateTime)
	assert.Equal(t, chats[0].MemberVersion, g.MemberVersion)
	assert.Equal(t, []groupchat.UserRef{{UserID: "bob"}}, g.Admins)
	assert.Equal(t, []groupchat.Member{
		{UserID: "alice", Type: groupchat.MemberTypeUser, JoinTime: 1_700_000_000, JoinScene: groupchat.JoinSceneInvited, Name: "群主"},
		{UserID: "wmCustomerA", Type: groupchat.MemberTypeCustomer, UnionID: "oUnionA", JoinTime: 1_700_000_100,
			JoinScene: groupchat.JoinSceneQRCode, Invitor: &groupchat.UserRef{UserID: "alice"}, GroupNickname: "老客户", Name: "客户"},
	}, g.Members)

	g, err = svc.GetGroupChat(ctx, &groupchat.GetGroupChatRequest{ChatID: chats[0].ChatID, NeedName: false})
	require.NoError(t, err)
	for _, m := range g.Members {
		assert.Empty(t, m.Name, "names only on request")
	}

	_, err = svc.GetGroupChat(ctx, &groupchat.GetGroupChatRequest{ChatID: "wrNoSuchChat", NeedName: false})
	assert.Equal(t, wecom.CodeChatNotFound, wecom.ErrorCode(err))
	var we *wecom.Error
	require.True(t, errors.As(err, &we))
	assert.Equal(t, getPath, we.Path)
}

func TestOpenGIDToChatIDAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 2)
	gid, ok := s.OpenGID(chats[1].ChatID)
	require.True(t, ok)
	again, _ := s.OpenGID(chats[1].ChatID)
	assert.Equal(t, gid, again, "one opengid per group")
	_, ok = s.OpenGID("wrUnknown")
	assert.False(t, ok)

	id, err := svc.OpenGIDToChatID(context.Background(), gid)
	require.NoError(t, err)
	assert.Equal(t, chats[1].ChatID, id)

	_, err = svc.OpenGIDToChatID(context.Background(), "wxopengid_unknown")
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.True(t, strings.Contains(err.Error(), "opengid_to_chatid"))
}
