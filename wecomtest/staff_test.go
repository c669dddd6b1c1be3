package wecomtest_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/staff"
	"github.com/wecomkit/wecom/wecomtest"
)

func staffFixture(t *testing.T, opts ...wecomtest.Option) (*wecomtest.Server, *staff.Service, *wecom.Client) {
	t.Helper()
	s := wecomtest.Start(t, opts...)
	c, err := s.Client(wecom.WithAgentID(s.AgentID))
	require.NoError(t, err)
	return s, staff.New(c), c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDirectoryOfTheDemo(t *testing.T) {
	s, svc, _ := staffFixture(t, wecomtest.WithDemo(wecomtest.Demo{Users: 5, ResignedUsers: 1}))
	ctx := testCtx(t)

	var want []staff.DeptUser
	for _, u := range s.Users() {
		if u.Resigned {
			continue
		}
		for _, d := range u.DepartmentIDs {
			want = append(want, staff.DeptUser{UserID: u.UserID, Department: d})
		}
	}
	require.Len(t, want, 5, "one department each in the demo")
	var got []staff.DeptUser
	for row, err := range svc.AllUserIDs(ctx, &staff.ListUserIDsRequest{Limit: 2}) {
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, want, got, "the members who have not left, paged by 2")
	assert.Len(t, s.RequestsTo("/cgi-bin/user/list_id"), 3)

	ids, err := svc.ListDepartmentIDs(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, []staff.DepartmentID{{ID: 1, ParentID: 0, Order: 100000000}, {ID: 2, ParentID: 1, Order: 99999000},
		{ID: 3, ParentID: 1, Order: 99998000}, {ID: 4, ParentID: 1, Order: 99997000}}, ids)
	ds, err := svc.ListDepartments(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, []staff.Department{{ID: 3, Name: "客服部", DepartmentLeader: []string{}, ParentID: 1, Order: 99998000}}, ds)

	first := want[0]
	m, err := svc.GetUser(ctx, first.UserID)
	require.NoError(t, err)
	assert.Equal(t, first.UserID, m.UserID)
	assert.NotEmpty(t, m.Name)
	assert.Equal(t, []int{first.Department}, m.Department)
	assert.Equal(t, first.Department, m.MainDepartment)
	assert.Equal(t, staff.StatusActive, m.Status)

	var resigned string
	for _, u := range s.Users() {
		if u.Resigned {
			resigned = u.UserID
		}
	}
	_, err = svc.GetUser(ctx, resigned)
	assert.True(t, wecom.HasCode(err, wecom.CodeUserNotFound), "a member who left is out of the directory: %v", err)
}

func TestDirectoryProfilesAndAccess(t *testing.T) {
	s, svc, c := staffFixture(t)
	ctx := testCtx(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", DepartmentIDs: []int{1, 2}}))
	require.NoError(t, s.UpdateProfile("zhangsan", wecomtest.Profile{
		Position: "店长", Mobile: "13800000000", Gender: "1", Email: "zs@example.com", BizMail: "zs@corp.wecom.work",
		Avatar: "https://wework.qpic.cn/a/0", Address: "上海", QRCode: "https://open.work.weixin.qq.com/q", Telephone: "021-1",
		Alias: "Sam", ExternalPosition: "顾问", MainDepartment: 2, IsLeaderInDept: []int{0, 1}, DirectLeader: []string{"lisi"},
	}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "wangwu", Inactive: true}))

	m, err := svc.GetUser(ctx, "zhangsan")
	require.NoError(t, err)
	assert.Equal(t, &staff.User{UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, Order: []int{0, 0},
		IsLeaderInDept: []int{0, 1}, DirectLeader: []string{"lisi"}, Position: "店长", Telephone: "021-1", Alias: "Sam",
		Status: staff.StatusActive, MainDepartment: 2, ExternalPosition: "顾问"}, m, "no sensitive fields by default")
	assert.True(t, m.IsLeaderOf(2))

	s.SetDirectoryAccess(wecomtest.DirectoryAccess{SensitiveFields: true})
	m, err = svc.GetUser(ctx, "zhangsan")
	require.NoError(t, err)
	assert.Equal(t, "13800000000", m.Mobile)
	assert.Equal(t, wecom.GenderMale, m.Gender)
	assert.Equal(t, "zs@example.com", m.Email)
	assert.Equal(t, "zs@corp.wecom.work", m.BizMail)
	assert.Equal(t, "https://wework.qpic.cn/a/0", m.Avatar)
	assert.Equal(t, "https://wework.qpic.cn/a/100", m.ThumbAvatar)
	assert.Equal(t, "上海", m.Address)
	assert.Equal(t, "https://open.work.weixin.qq.com/q", m.QRCode)

	m, err = svc.GetUser(ctx, "wangwu")
	require.NoError(t, err)
	assert.Equal(t, staff.StatusInactive, m.Status)
	require.NoError(t, s.UpdateProfile("wangwu", wecomtest.Profile{Disabled: true}))
	m, err = svc.GetUser(ctx, "wangwu")
	require.NoError(t, err)
	assert.Equal(t, staff.StatusDisabled, m.Status)

	// An IP added to the address-book assistant since 2022-08-15.
	s.SetDirectoryAccess(wecomtest.DirectoryAccess{NewIP: true})
	_, err = svc.GetUser(ctx, "zhangsan")
	assert.True(t, wecom.HasCode(err, 60020), err)
	_, err = svc.ListDepartments(ctx, 0)
	assert.True(t, wecom.HasCode(err, 60020), err)
	_, _, err = svc.ListUserIDs(ctx, nil)
	assert.NoError(t, err, "list_id keeps working")
	_, err = svc.ListDepartmentIDs(ctx, 0)
	assert.NoError(t, err, "simplelist keeps working")

	// Errors as WeCom answers them.
	_, err = svc.GetUser(ctx, "nobody")
	assert.True(t, wecom.HasCode(err, 60020), "the IP check comes first")
	s.SetDirectoryAccess(wecomtest.DirectoryAccess{})
	_, err = svc.GetUser(ctx, "nobody")
	assert.True(t, wecom.HasCode(err, wecom.CodeUserNotFound), err)
	_, err = svc.ListDepartmentIDs(ctx, 99)
	assert.True(t, wecom.HasCode(err, 60123), err)
	_, err = svc.ListDepartments(ctx, 99)
	assert.True(t, wecom.HasCode(err, 60123), err)
	_, _, err = svc.ListUserIDs(ctx, &staff.ListUserIDsRequest{Cursor: "bogus"})
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), err)
	err = c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/user/list_id", Body: map[string]int{"limit": 10001}}, nil)
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), err)
	err = c.Do(ctx, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/user/get"}, nil)
	assert.True(t, wecom.HasCode(err, wecom.CodeInvalidParameter), err)
	err = c.Do(ctx, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/department/simplelist", Query: url.Values{"id": {"x"}}}, nil)
	assert.True(t, wecom.HasCode(err, 60123), err)

	// The fixtures refuse what WeCom's admin console refuses.
	assert.Error(t, s.UpdateProfile("nobody", wecomtest.Profile{}))
	_, ok := s.Profile("nobody")
	assert.False(t, ok)
	p, ok := s.Profile("zhangsan")
	require.True(t, ok)
	assert.Equal(t, "店长", p.Position)
}

// decodeContact decodes the change_contact events s emitted after skip,
// as a callback handler would receive them.
func decodeContact(t *testing.T, s *wecomtest.Server, skip int) []callback.Event {
	t.Helper()
	var out []callback.Event
	for _, ev := range s.Events()[skip:] {
		require.Equal(t, "change_contact", ev.Event)
		got, err := callback.DecodeEvent(ev.XML(s.CorpID))
		require.NoError(t, err)
		got.EventHeader().Raw = ""
		got.EventHeader().CreateTime = 0
		out = append(out, got)
	}
	return out
}

func contactHeader(s *wecomtest.Server, changeType string) callback.Header {
	return callback.Header{ToUserName: s.CorpID, FromUserName: "sys", MsgType: "event", Event: "change_contact", ChangeType: changeType}
}

func TestContactEventsOffByDefault(t *testing.T) {
	s := wecomtest.Start(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan"}))
	require.NoError(t, s.ResignUser("zhangsan"))
	_, err := s.AddDepartment(wecomtest.Department{Name: "销售部"})
	require.NoError(t, err)
	assert.Empty(t, s.Events(), "an ordinary self-built app gets no change_contact")
}

func TestContactEventsCurrent(t *testing.T) {
	s := wecomtest.Start(t)
	s.SetContactEvents(wecomtest.ContactEventsCurrent)
	d, err := s.AddDepartment(wecomtest.Department{Name: "销售部", Order: 10})
	require.NoError(t, err)
	assert.Equal(t, wecomtest.Department{ID: 2, Name: "销售部", ParentID: 1, Order: 10}, d)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", DepartmentIDs: []int{1, 2}}))
	require.NoError(t, s.UpdateUser(wecomtest.User{UserID: "zhangsan", Name: "张三丰", DepartmentIDs: []int{1, 2}})) // name only: no event
	require.NoError(t, s.UpdateProfile("zhangsan", wecomtest.Profile{Position: "店长"}))                            // no event
	require.NoError(t, s.UpdateUser(wecomtest.User{UserID: "zhangsan", Name: "张三丰", DepartmentIDs: []int{2}}))
	require.NoError(t, s.UpdateDepartment(wecomtest.Department{ID: 2, Name: "华东销售部"}))
	tag, err := s.AddMemberTag(wecomtest.MemberTag{Name: "店长"})
	require.NoError(t, err)
	require.NoError(t, s.ChangeMemberTag(tag.ID, wecomtest.MemberTagChange{AddUsers: []string{"zhangsan"}, AddParties: []int{2}}))
	require.NoError(t, s.ResignUser("zhangsan"))
	require.NoError(t, s.ResignUser("zhangsan")) // already gone: no second event
	require.NoError(t, s.DeleteDepartment(2))

	assert.Equal(t, []callback.Event{
		&callback.CreateParty{Header: contactHeader(s, "create_party"), ID: 2, ParentID: 1},
		&callback.CreateUser{UserChange: callback.UserChange{Header: contactHeader(s, "create_user"), UserID: "zhangsan", Department: []int{1, 2}}},
		&callback.UpdateUser{UserChange: callback.UserChange{Header: contactHeader(s, "update_user"), UserID: "zhangsan", Department: []int{2}}},
		&callback.UpdateParty{Header: contactHeader(s, "update_party"), ID: 2, ParentID: 1},
		&callback.UpdateTag{Header: contactHeader(s, "update_tag"), TagID: 1, AddUserItems: []string{"zhangsan"}, AddPartyItems: []int{2}},
		&callback.DeleteUser{Header: contactHeader(s, "delete_user"), UserID: "zhangsan"},
		&callback.DeleteParty{Header: contactHeader(s, "delete_party"), ID: 2},
	}, decodeContact(t, s, 0))

	assert.Equal(t, []wecomtest.MemberTag{{ID: 1, Name: "店长", UserIDs: []string{"zhangsan"}, PartyIDs: []int{2}}}, s.MemberTags())
	assert.Equal(t, []wecomtest.Department{{ID: 1, Name: "wecomtest", Order: 100000000}}, s.Departments())
}

func TestContactEventsFull(t *testing.T) {
	s := wecomtest.Start(t)
	s.SetContactEvents(wecomtest.ContactEventsFull)
	_, err := s.AddDepartment(wecomtest.Department{ID: 5, Name: "客服部", Order: 3})
	require.NoError(t, err)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "lisi", Name: "李四", DepartmentIDs: []int{5}, Inactive: true}))
	require.NoError(t, s.UpdateUser(wecomtest.User{UserID: "lisi", Name: "李思", DepartmentIDs: []int{5}}))
	require.NoError(t, s.UpdateProfile("lisi", wecomtest.Profile{Position: "客服", Mobile: "139", Disabled: true, IsLeaderInDept: []int{1}}))
	require.NoError(t, s.UpdateProfile("lisi", wecomtest.Profile{Position: "客服", Mobile: "139", Disabled: true, IsLeaderInDept: []int{1}})) // unchanged: no event
	require.NoError(t, s.UpdateDepartment(wecomtest.Department{ID: 5, Name: "售后部", ParentID: 1}))
	tag, err := s.AddMemberTag(wecomtest.MemberTag{ID: 9, Name: "客服", UserIDs: []string{"lisi"}, PartyIDs: []int{5}})
	require.NoError(t, err)
	require.NoError(t, s.ChangeMemberTag(tag.ID, wecomtest.MemberTagChange{DelUsers: []string{"lisi"}, DelParties: []int{5}}))

	assert.Equal(t, []callback.Event{
		&callback.CreateParty{Header: contactHeader(s, "create_party"), ID: 5, Name: "客服部", ParentID: 1, Order: 3},
		&callback.CreateUser{UserChange: callback.UserChange{Header: contactHeader(s, "create_user"), UserID: "lisi", Name: "李四", Department: []int{5}, MainDepartment: 5, Status: 4}},
		&callback.UpdateUser{UserChange: callback.UserChange{Header: contactHeader(s, "update_user"), UserID: "lisi", Name: "李思"}},
		&callback.UpdateUser{UserChange: callback.UserChange{Header: contactHeader(s, "update_user"), UserID: "lisi", IsLeaderInDept: []int{1}, Position: "客服", Mobile: "139", Status: 2}},
		&callback.UpdateParty{Header: contactHeader(s, "update_party"), ID: 5, Name: "售后部", ParentID: 1},
		&callback.UpdateTag{Header: contactHeader(s, "update_tag"), TagID: 9, DelUserItems: []string{"lisi"}, DelPartyItems: []int{5}},
	}, decodeContact(t, s, 0))
	assert.Equal(t, []wecomtest.MemberTag{{ID: 9, Name: "客服", UserIDs: []string{}, PartyIDs: []int{}}}, s.MemberTags())
	assert.Equal(t, "full", wecomtest.ContactEventsFull.String())
	assert.Equal(t, "current", wecomtest.ContactEventsCurrent.String())
	assert.Equal(t, "off", wecomtest.ContactEventsOff.String())
	assert.Equal(t, "ContactEvents(7)", wecomtest.ContactEvents(7).String())
}

func TestDirectoryFixtureErrors(t *testing.T) {
	s := wecomtest.Start(t)
	_, err := s.AddDepartment(wecomtest.Department{ID: 1, Name: "x"})
	assert.Error(t, err, "department 1 exists")
	_, err = s.AddDepartment(wecomtest.Department{Name: "x", ParentID: 42})
	assert.Error(t, err, "unknown parent")
	_, err = s.AddDepartment(wecomtest.Department{})
	assert.Error(t, err, "no name")
	d, err := s.AddDepartment(wecomtest.Department{Name: "a"})
	require.NoError(t, err)
	child, err := s.AddDepartment(wecomtest.Department{Name: "b", ParentID: d.ID})
	require.NoError(t, err)
	assert.Error(t, s.UpdateDepartment(wecomtest.Department{ID: 42, Name: "x"}))
	assert.Error(t, s.UpdateDepartment(wecomtest.Department{ID: d.ID, Name: "a", ParentID: child.ID}), "below itself")
	assert.Error(t, s.UpdateDepartment(wecomtest.Department{ID: d.ID, Name: "a", ParentID: 77}))
	assert.Error(t, s.UpdateDepartment(wecomtest.Department{ID: 1, Name: "corp", ParentID: 2}))
	assert.Error(t, s.DeleteDepartment(1))
	assert.Error(t, s.DeleteDepartment(42))
	assert.Error(t, s.DeleteDepartment(d.ID), "has a sub-department")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "u", DepartmentIDs: []int{child.ID}}))
	assert.Error(t, s.DeleteDepartment(child.ID), "has a member")
	assert.Error(t, s.UpdateUser(wecomtest.User{UserID: "nobody"}))
	_, err = s.AddMemberTag(wecomtest.MemberTag{ID: -1})
	assert.Error(t, err)
	tag, err := s.AddMemberTag(wecomtest.MemberTag{Name: "t"})
	require.NoError(t, err)
	_, err = s.AddMemberTag(wecomtest.MemberTag{ID: tag.ID})
	assert.Error(t, err, "duplicate id")
	assert.Error(t, s.ChangeMemberTag(99, wecomtest.MemberTagChange{}))
	assert.Error(t, s.ChangeMemberTag(tag.ID, wecomtest.MemberTagChange{AddUsers: []string{"nobody"}}))
	assert.Error(t, s.ChangeMemberTag(tag.ID, wecomtest.MemberTagChange{AddParties: []int{99}}))
}
