package groupchat_test

import (
	"context"
	"strconv"
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
	statisticPath      = "/cgi-bin/externalcontact/groupchat/statistic"
	statisticByDayPath = "/cgi-bin/externalcontact/groupchat/statistic_group_by_day"
)

func TestStatisticDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_statistic.json")
	page, err := svc.ListOwnerStatistics(context.Background(), &groupchat.ListOwnerStatisticsRequest{
		DayBegin: 1600272000, DayEnd: 1600444800, OwnerIDs: []string{"zhangsan", "lisi"},
		OrderBy: groupchat.OrderByMemberTotal, OrderAsc: true, Offset: 0, Limit: 1000,
	})
	require.NoError(t, err)
	r := ss.only(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, statisticPath, r.Path)
	assert.JSONEq(t, `{"day_begin_time":1600272000,"day_end_time":1600444800,"owner_filter":{"userid_list":["zhangsan","lisi"]},
		"order_by":5,"order_asc":1,"limit":1000}`, string(r.Body))

	assert.Equal(t, 2, page.Total)
	assert.Equal(t, 2, page.NextOffset)
	require.Len(t, page.Items, 2)
	assert.Equal(t, groupchat.OwnerStatistic{Owner: "zhangsan", Data: groupchat.StatisticData{
		NewChatCount: 2, ChatTotal: 2, MemberTotal: 6, MigrateTraineeChatCount: 3,
	}}, page.Items[0])
	assert.Equal(t, groupchat.OwnerStatistic{Owner: "lisi", Data: groupchat.StatisticData{
		NewChatCount: 1, ChatTotal: 3, ChatHasMsg: 2, NewMemberCount: 4, MemberTotal: 20, MemberHasMsg: 7, MessageTotal: 48,
	}}, page.Items[1])
}

func TestStatisticByDayDecodesSample(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_statistic_group_by_day.json")
	days, err := svc.GetDayStatistics(context.Background(), &groupchat.GetDayStatisticsRequest{
		DayBegin: 1600272000, DayEnd: 1600358400, OwnerIDs: []string{"zhangsan"},
	})
	require.NoError(t, err)
	r := ss.only(t)
	assert.Equal(t, statisticByDayPath, r.Path)
	assert.JSONEq(t, `{"day_begin_time":1600272000,"day_end_time":1600358400,"owner_filter":{"userid_list":["zhangsan"]}}`, string(r.Body))
	require.Len(t, days, 2)
	assert.Equal(t, int64(1600272000), days[0].StatTime)
	assert.True(t, (&groupchat.DayStatistic{}).StatAt().IsZero(), "0 is the zero time, not 1970")
	assert.Equal(t, time.Unix(1600358400, 0), days[1].StatAt())
	assert.Equal(t, groupchat.StatisticData{NewChatCount: 2, ChatTotal: 2, MemberTotal: 6, MigrateTraineeChatCount: 3}, days[1].Data)
}

func TestStatisticValidation(t *testing.T) {
	ss, svc := newSampleServer(t, "groupchat_statistic.json")
	ctx := context.Background()
	many := make([]string, 101)
	for name, req := range map[string]groupchat.ListOwnerStatisticsRequest{
		"no begin":   {},
		"end first":  {DayBegin: 100, DayEnd: 50},
		"owners":     {DayBegin: 100, OwnerIDs: many},
		"order":      {DayBegin: 100, OrderBy: 8},
		"limit":      {DayBegin: 100, Limit: 1001},
		"neg limit":  {DayBegin: 100, Limit: -1},
		"neg offset": {DayBegin: 100, Offset: -1},
	} {
		_, err := svc.ListOwnerStatistics(ctx, &req)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
		var errs []error
		for _, err := range svc.AllOwnerStatistics(ctx, &req) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1, name)
		assert.ErrorIs(t, errs[0], wecom.ErrInvalidArgument, name)
	}
	for name, req := range map[string]groupchat.GetDayStatisticsRequest{
		"no begin":  {},
		"end first": {DayBegin: 100, DayEnd: 50},
		"owners":    {DayBegin: 100, OwnerIDs: many},
	} {
		_, err := svc.GetDayStatistics(ctx, &req)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
	}
	assert.Empty(t, ss.requests())

	assert.Equal(t, "new_chat_cnt", groupchat.OrderByNewChatCount.String())
	assert.Equal(t, "chat_total", groupchat.OrderByChatTotal.String())
	assert.Equal(t, "chat_has_msg", groupchat.OrderByChatHasMsg.String())
	assert.Equal(t, "new_member_cnt", groupchat.OrderByNewMemberCount.String())
	assert.Equal(t, "member_total", groupchat.OrderByMemberTotal.String())
	assert.Equal(t, "member_has_msg", groupchat.OrderByMemberHasMsg.String())
	assert.Equal(t, "msg_total", groupchat.OrderByMessageTotal.String())
	assert.Equal(t, "OrderBy(0)", groupchat.OrderBy(0).String())
}

// statDay is the day the statistic tests look at, in WeCom's zone.
var statDay = time.Date(2025, 6, 10, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// seedStats sets up alice with two groups and bob with one, plus messages.
func seedStats(t *testing.T, s *wecomtest.Server) (aliceOld, aliceNew, bobs string) {
	t.Helper()
	d := statDay.Unix()
	for _, u := range []string{"alice", "bob"} {
		require.NoError(t, s.AddUser(wecomtest.User{UserID: u, CustomerContact: true}))
	}
	add := func(owner string, created int64, members ...wecomtest.GroupMember) string {
		g, err := s.AddGroupChat(wecomtest.GroupChat{Owner: owner, CreateTime: created, Members: members})
		require.NoError(t, err)
		return g.ChatID
	}
	aliceOld = add("alice", d-5*86400,
		wecomtest.GroupMember{UserID: "alice", Type: 1, JoinTime: d - 5*86400},
		wecomtest.GroupMember{UserID: "wmA", Type: 2, JoinTime: d + 3600})
	aliceNew = add("alice", d+60,
		wecomtest.GroupMember{UserID: "alice", Type: 1, JoinTime: d + 60},
		wecomtest.GroupMember{UserID: "wmB", Type: 2, JoinTime: d + 86400 + 60})
	bobs = add("bob", d-86400,
		wecomtest.GroupMember{UserID: "bob", Type: 1, JoinTime: d - 86400},
		wecomtest.GroupMember{UserID: "wmC", Type: 2, JoinTime: d - 86400},
		wecomtest.GroupMember{UserID: "wmD", Type: 2, JoinTime: d - 86400})
	require.NoError(t, s.AddGroupMessages(aliceOld, "alice", statDay.Add(time.Hour), 3))
	require.NoError(t, s.AddGroupMessages(aliceOld, "wmA", statDay.Add(2*time.Hour), 2))
	require.NoError(t, s.AddGroupMessages(bobs, "bob", statDay.Add(-time.Hour), 1))
	assert.Error(t, s.AddGroupMessages("wrNone", "bob", statDay, 1))
	assert.Error(t, s.AddGroupMessages(bobs, "bob", statDay, 0))
	return
}

func TestStatisticAgainstServer(t *testing.T) {
	s, svc := newTestServer(t)
	seedStats(t, s)
	ctx := context.Background()
	alice := groupchat.OwnerStatistic{Owner: "alice", Data: groupchat.StatisticData{
		NewChatCount: 1, ChatTotal: 2, ChatHasMsg: 1, NewMemberCount: 2, MemberTotal: 3, MemberHasMsg: 2, MessageTotal: 5,
	}}
	bob := groupchat.OwnerStatistic{Owner: "bob", Data: groupchat.StatisticData{ChatTotal: 1, MemberTotal: 3}}

	page, err := svc.ListOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Add(5 * time.Hour).Unix()})
	require.NoError(t, err)
	assert.Equal(t, &groupchat.OwnerStatisticsPage{Total: 2, NextOffset: 2, Items: []groupchat.OwnerStatistic{alice, bob}}, page)

	page, err = svc.ListOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{
		DayBegin: statDay.Unix(), OrderBy: groupchat.OrderByChatTotal, OrderAsc: true, Limit: 1,
	})
	require.NoError(t, err)
	assert.Equal(t, &groupchat.OwnerStatisticsPage{Total: 2, NextOffset: 1, Items: []groupchat.OwnerStatistic{bob}}, page)

	page, err = svc.ListOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix(), OwnerIDs: []string{"bob"}})
	require.NoError(t, err)
	assert.Equal(t, []groupchat.OwnerStatistic{bob}, page.Items)

	// Two days: bob's message of the day before counts.
	page, err = svc.ListOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{
		DayBegin: statDay.AddDate(0, 0, -1).Unix(), DayEnd: statDay.Unix(), OrderBy: groupchat.OrderByMessageTotal, OrderAsc: true,
	})
	require.NoError(t, err)
	assert.Equal(t, []groupchat.OwnerStatistic{
		{Owner: "bob", Data: groupchat.StatisticData{NewChatCount: 1, ChatTotal: 1, ChatHasMsg: 1, NewMemberCount: 3, MemberTotal: 3, MemberHasMsg: 1, MessageTotal: 1}},
		alice,
	}, page.Items)

	days, err := svc.GetDayStatistics(ctx, &groupchat.GetDayStatisticsRequest{
		DayBegin: statDay.AddDate(0, 0, -1).Unix(), DayEnd: statDay.AddDate(0, 0, 1).Unix(), OwnerIDs: []string{"alice"},
	})
	require.NoError(t, err)
	assert.Equal(t, []groupchat.DayStatistic{
		{StatTime: statDay.AddDate(0, 0, -1).Unix(), Data: groupchat.StatisticData{ChatTotal: 1, MemberTotal: 1}},
		{StatTime: statDay.Unix(), Data: alice.Data},
		{StatTime: statDay.AddDate(0, 0, 1).Unix(), Data: groupchat.StatisticData{ChatTotal: 2, NewMemberCount: 1, MemberTotal: 4}},
	}, days)
}

func TestStatisticFollowsTransfers(t *testing.T) {
	s, svc := newTestServer(t)
	_, _, bobs := seedStats(t, s)
	failed, err := svc.TransferOnJobChats(context.Background(), &groupchat.TransferOnJobChatsRequest{ChatIDs: []string{bobs}, NewOwner: "alice"})
	require.NoError(t, err)
	require.Empty(t, failed)
	page, err := svc.ListOwnerStatistics(context.Background(), &groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix(), OwnerIDs: []string{"alice", "bob"}})
	require.NoError(t, err)
	assert.Equal(t, 3, page.Items[0].Data.ChatTotal, "alice owns bob's group now")
	assert.Equal(t, 0, page.Items[1].Data.ChatTotal)
}

func TestAllStatistics(t *testing.T) {
	ctx := context.Background()
	newServer := func(t *testing.T, owners int) (*wecomtest.Server, *groupchat.Service) {
		s, svc := newTestServer(t)
		for i := 0; i < owners; i++ {
			id := "u" + string(rune('a'+i))
			require.NoError(t, s.AddUser(wecomtest.User{UserID: id, CustomerContact: true}))
			for k := 0; k <= i; k++ {
				_, err := s.AddGroupChat(wecomtest.GroupChat{Owner: id, CreateTime: statDay.Unix()})
				require.NoError(t, err)
			}
		}
		return s, svc
	}
	collect := func(svc *groupchat.Service, req groupchat.ListOwnerStatisticsRequest) ([]string, error) {
		var got []string
		for it, err := range svc.AllOwnerStatistics(ctx, &req) {
			if err != nil {
				return got, err
			}
			got = append(got, it.Owner)
		}
		return got, nil
	}
	t.Run("empty", func(t *testing.T) {
		s, svc := newServer(t, 0)
		got, err := collect(svc, groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix()})
		require.NoError(t, err)
		assert.Empty(t, got)
		assert.Len(t, s.RequestsTo(statisticPath), 1)
	})
	t.Run("one page", func(t *testing.T) {
		s, svc := newServer(t, 3)
		got, err := collect(svc, groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix()})
		require.NoError(t, err)
		assert.Equal(t, []string{"uc", "ub", "ua"}, got, "most new groups first")
		assert.Len(t, s.RequestsTo(statisticPath), 1)
	})
	t.Run("many pages from an offset", func(t *testing.T) {
		s, svc := newServer(t, 5)
		got, err := collect(svc, groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix(), OrderAsc: true, Limit: 2, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"ub", "uc", "ud", "ue"}, got)
		assert.Equal(t, []string{
			`{"day_begin_time":1749484800,"order_asc":1,"offset":1,"limit":2}`,
			`{"day_begin_time":1749484800,"order_asc":1,"offset":3,"limit":2}`,
		}, bodies(s, statisticPath))
	})
	t.Run("error midway", func(t *testing.T) {
		s, svc := newServer(t, 5)
		var got []string
		var gotErr error
		for it, err := range svc.AllOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix(), Limit: 2}) {
			if err != nil {
				gotErr = err
				continue
			}
			got = append(got, it.Owner)
			s.FailNext(statisticPath, 1, wecomtest.Fault{Code: 48002})
		}
		assert.Len(t, got, 2)
		assert.True(t, wecom.IsPermissionDenied(gotErr))
	})
	t.Run("early break", func(t *testing.T) {
		s, svc := newServer(t, 5)
		for range svc.AllOwnerStatistics(ctx, &groupchat.ListOwnerStatisticsRequest{DayBegin: statDay.Unix(), Limit: 2}) {
			break
		}
		assert.Len(t, s.RequestsTo(statisticPath), 1)
	})
}

func TestStatisticServerValidation(t *testing.T) {
	s, _ := newTestServer(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "alice"}))
	c, err := s.Client()
	require.NoError(t, err)
	d := statDay.Unix()
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	owners := `"` + strings.Repeat(`a","`, 100) + `a"`
	cases := map[string]wecom.Code{
		`{}`: 40058,
		`{"day_begin_time":` + num(d) + `,"day_end_time":` + num(d-86400) + `}`:             40058,
		`{"day_begin_time":` + num(d) + `,"day_end_time":` + num(d+30*86400) + `}`:          40058,
		`{"day_begin_time":` + num(d) + `,"day_end_time":` + num(d+29*86400) + `}`:          0,
		`{"day_begin_time":` + num(d) + `,"order_by":8}`:                                    40058,
		`{"day_begin_time":` + num(d) + `,"order_asc":2}`:                                   40058,
		`{"day_begin_time":` + num(d) + `,"limit":1001}`:                                    40058,
		`{"day_begin_time":` + num(d) + `,"offset":-1}`:                                     40058,
		`{"day_begin_time":` + num(d) + `,"owner_filter":{"userid_list":["nobody"]}}`:       60111,
		`{"day_begin_time":` + num(d) + `,"owner_filter":{"userid_list":[` + owners + `]}}`: 40058,
	}
	for body, code := range cases {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: statisticPath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
	for body, code := range map[string]wecom.Code{
		`{}`: 40058,
		`{"day_begin_time":` + num(d) + `,"owner_filter":{"userid_list":["nobody"]}}`: 60111,
		`{"day_begin_time":` + num(d) + `,"day_end_time":` + num(d+31*86400) + `}`:    40058,
		`[]`: 47001,
	} {
		err := c.Do(context.Background(), &wecom.Request{Method: "POST", Path: statisticByDayPath, Body: []byte(body)}, nil)
		assert.Equal(t, code, wecom.ErrorCode(err), body)
	}
}
