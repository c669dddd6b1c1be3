package groupchat_test

import (
	"context"
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
	transferPath      = "/cgi-bin/externalcontact/groupchat/transfer"
	onjobTransferPath = "/cgi-bin/externalcontact/groupchat/onjob_transfer"
)

func TestTransferDecodesSample(t *testing.T) {
	for _, tc := range []struct {
		path string
		call func(*groupchat.Service) ([]groupchat.FailedChat, error)
	}{
		{transferPath, func(svc *groupchat.Service) ([]groupchat.FailedChat, error) {
			return svc.TransferResignedChats(context.Background(), &groupchat.TransferResignedChatsRequest{ChatIDs: []string{"wrA", "wrB"}, NewOwner: "zhangsan"})
		}},
		{onjobTransferPath, func(svc *groupchat.Service) ([]groupchat.FailedChat, error) {
			return svc.TransferOnJobChats(context.Background(), &groupchat.TransferOnJobChatsRequest{ChatIDs: []string{"wrA", "wrB"}, NewOwner: "zhangsan"})
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			ss, svc := newSampleServer(t, "groupchat_transfer.json")
			failed, err := tc.call(svc)
			require.NoError(t, err)
			r := ss.only(t)
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, tc.path, r.Path)
			assert.JSONEq(t, `{"chat_id_list":["wrA","wrB"],"new_owner":"zhangsan"}`, string(r.Body))
			require.Len(t, failed, 2)
			assert.Equal(t, groupchat.FailedChat{ChatID: "wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA", ItemStatus: wecom.ItemStatus{Code: 90500, Message: "the owner of this chat has not resigned"}}, failed[0])
			assert.Equal(t, "wrOgQhDgAAcwMTB7YmDkbeBsgT_KBBBB", failed[1].ChatID)
			assert.Equal(t, wecom.CodeChatNotFound, failed[1].Code)
			err = failed[1].Err(tc.path)
			assert.True(t, wecom.HasCode(err, wecom.CodeChatNotFound))
			assert.Contains(t, err.Error(), tc.path)
		})
	}
}

func TestTransferValidation(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_transfer.json")
	ctx := context.Background()
	many := make([]string, 101)
	for i := range many {
		many[i] = "wr"
	}
	for name, call := range map[string]func() error{
		"nil": func() error { _, err := svc.TransferOnJobChats(ctx, nil); return err },
		"none": func() error {
			_, err := svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: nil, NewOwner: "u"})
			return err
		},
		"over 100": func() error {
			_, err := svc.TransferOnJobChats(ctx, &groupchat.TransferOnJobChatsRequest{ChatIDs: many, NewOwner: "u"})
			return err
		},
		"no owner": func() error {
			_, err := svc.TransferOnJobChats(ctx, &groupchat.TransferOnJobChatsRequest{ChatIDs: []string{"wr"}, NewOwner: ""})
			return err
		},
		"empty id": func() error {
			_, err := svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: []string{"wr", ""}, NewOwner: "u"})
			return err
		},
	} {
		assert.ErrorIs(t, call(), wecom.ErrInvalidArgument, name)
	}
	assert.Empty(t, ss.requests())
	_, err := svc.TransferOnJobChats(ctx, &groupchat.TransferOnJobChatsRequest{ChatIDs: many[:100], NewOwner: "u"})
	assert.NoError(t, err, "100 is allowed")
}

func TestTransferResignedAgainstServer(t *testing.T) {
	clk := wecomtest.NewManualClock(time.Unix(1_750_000_000, 0))
	s, svc := newTestServer(t, wecomtest.WithClock(clk))
	chats := seedChats(t, s, 6) // carol (resigned) owns 2 and 5
	s.SetGroupTransferDelay(time.Hour)
	ctx := context.Background()

	failed, err := svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: []string{chats[2].ChatID, chats[1].ChatID, "wrGone", chats[5].ChatID}, NewOwner: "alice"})
	require.NoError(t, err)
	assert.Equal(t, []groupchat.FailedChat{
		{ChatID: chats[1].ChatID, ItemStatus: wecom.ItemStatus{Code: 90500, Message: "group owner not resigned"}},
		{ChatID: "wrGone", ItemStatus: wecom.ItemStatus{Code: wecom.CodeChatNotFound, Message: "chatid not exist"}},
	}, failed)

	// The owner changes at once; the new owner joins the group.
	g, err := svc.GetGroupChat(ctx, &groupchat.GetGroupChatRequest{ChatID: chats[2].ChatID, NeedName: false})
	require.NoError(t, err)
	assert.Equal(t, "alice", g.Owner)
	assert.Equal(t, "alice", g.Members[len(g.Members)-1].UserID)
	assert.NotEqual(t, chats[2].MemberVersion, g.MemberVersion, "member list changed")

	status := func(f groupchat.StatusFilter) []string {
		var out []string
		for c, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{StatusFilter: f}) {
			require.NoError(t, err)
			out = append(out, c.ChatID)
		}
		return out
	}
	assert.Equal(t, ids(chats, 2, 5), status(groupchat.StatusFilterTransferring))
	assert.Empty(t, status(groupchat.StatusFilterResigned))

	failed, err = svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: ids(chats, 2), NewOwner: "bob"})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Equal(t, wecom.Code(90507), failed[0].Code, "transfer in progress")

	clk.Advance(time.Hour)
	assert.Equal(t, ids(chats, 2, 5), status(groupchat.StatusFilterTransferred))
	assert.Empty(t, status(groupchat.StatusFilterTransferring))

	failed, err = svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: ids(chats, 5), NewOwner: "bob"})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Equal(t, wecom.Code(90508), failed[0].Code, "already transferred")

	var changes []string
	for _, ev := range s.Events() {
		if ev.Event == "change_external_chat" {
			changes = append(changes, ev.ChangeType+"/"+ev.Get("UpdateDetail")+"/"+ev.Get("ChatId"))
		}
	}
	assert.Equal(t, []string{"update/change_owner/" + chats[2].ChatID, "update/change_owner/" + chats[5].ChatID}, changes)
}

func TestTransferOnJobAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 3) // alice 0, bob 1, carol (resigned) 2
	ctx := context.Background()

	failed, err := svc.TransferOnJobChats(ctx, &groupchat.TransferOnJobChatsRequest{ChatIDs: ids(chats, 1, 2, 0, 1), NewOwner: "alice"})
	require.NoError(t, err)
	assert.Equal(t, []groupchat.FailedChat{
		{ChatID: chats[2].ChatID, ItemStatus: wecom.ItemStatus{Code: 90502, Message: "group owner resigned"}},
		{ChatID: chats[0].ChatID, ItemStatus: wecom.ItemStatus{Code: 90504, Message: "group owner unchanged"}},
	}, failed, "a repeated id is transferred once")
	g, ok := s.GroupChat(chats[1].ChatID)
	require.True(t, ok)
	assert.Equal(t, "alice", g.Owner)
	assert.Equal(t, []string{"bob"}, g.Admins, "admins other than the new owner stay")

	var st []groupchat.Status
	for c, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{OwnerFilter: &groupchat.OwnerFilter{UserIDList: []string{"alice"}}}) {
		require.NoError(t, err)
		st = append(st, c.Status)
	}
	assert.Equal(t, []groupchat.Status{groupchat.StatusNormal, groupchat.StatusNormal}, st)
}

func TestTransferNewOwnerChecks(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 2)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "dave", CustomerContact: true, Inactive: true}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "erin"}))
	ctx := context.Background()
	for owner, code := range map[string]wecom.Code{
		"nobody": wecom.CodeUserNotFound,
		"carol":  wecom.CodeUserNotFound, // resigned
		"dave":   wecom.CodeMemberNotActivated,
		"erin":   84074,
	} {
		_, err := svc.TransferOnJobChats(ctx, &groupchat.TransferOnJobChatsRequest{ChatIDs: ids(chats, 0), NewOwner: owner})
		assert.Equal(t, code, wecom.ErrorCode(err), owner)
	}
	g, _ := s.GroupChat(chats[0].ChatID)
	assert.Equal(t, "alice", g.Owner)
}

func TestTransferIsNotRepeated(t *testing.T) {
	s, svc := newTestServer(t)
	chats := seedChats(t, s, 2)
	s.FailNext(onjobTransferPath, 1, wecomtest.Fault{Code: -1, Message: "system busy", AfterApply: true})
	_, err := svc.TransferOnJobChats(context.Background(), &groupchat.TransferOnJobChatsRequest{ChatIDs: ids(chats, 1), NewOwner: "alice"})
	require.Error(t, err)
	assert.True(t, wecom.IsMaybeApplied(err), "%v", err)
	assert.Len(t, s.RequestsTo(onjobTransferPath), 1, "a transfer is never sent twice")
	g, _ := s.GroupChat(chats[1].ChatID)
	assert.Equal(t, "alice", g.Owner, "it was applied")
	assert.True(t, strings.Contains(err.Error(), "check before repeating"))
}

func TestTransferServerValidation(t *testing.T) {
	s, _ := newTestServer(t)
	c, err := s.Client()
	require.NoError(t, err)
	many := `"` + strings.Repeat(`wr","`, 100) + `wr"`
	for body, code := range map[string]wecom.Code{
		`{"new_owner":"alice"}`:                           wecom.CodeInvalidParameter,
		`{"chat_id_list":[` + many + `],"new_owner":"x"}`: wecom.CodeInvalidParameter,
		`{"chat_id_list":["wr"]}`:                         wecom.CodeInvalidParameter,
	} {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: transferPath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
}
