package staff

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/profile"
)

func TestListUserIDsSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/user/list_id", "user_list_id.json")
	rows, next, err := svc.ListUserIDs(testCtx(t), &ListUserIDsRequest{Cursor: "c1", Limit: 3})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/user/list_id", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, jsonOf(t, `{"cursor":"c1","limit":3}`), jsonOf(t, reqs[0].Body))
	assert.Equal(t, "xxxxxxx", next)
	assert.Equal(t, []DeptUser{{"zhangsan", 1}, {"lisi", 2}, {"zhangsan", 3}}, rows)
}

func TestListUserIDsNilRequest(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/user/list_id", `{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[]}`)
	rows, next, err := svc.ListUserIDs(testCtx(t), nil)
	require.NoError(t, err)
	assert.Empty(t, rows)
	assert.Equal(t, "", next)
	assert.Equal(t, jsonOf(t, `{}`), jsonOf(t, st.requests()[0].Body))
}

func TestListUserIDsLimit(t *testing.T) {
	st, svc := newStub(t)
	for _, limit := range []int{-1, MaxUserIDsLimit + 1} {
		_, _, err := svc.ListUserIDs(testCtx(t), &ListUserIDsRequest{Limit: limit})
		require.ErrorIs(t, err, wecom.ErrInvalidArgument, limit)
		assert.Contains(t, err.Error(), "staff: list user ids: limit")
	}
	assert.Empty(t, st.requests(), "nothing sent")
}

func TestListUserIDsError(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/user/list_id", `{"errcode":48002,"errmsg":"api forbidden"}`)
	_, _, err := svc.ListUserIDs(testCtx(t), nil)
	var e *wecom.Error
	require.True(t, errors.As(err, &e), err)
	assert.Equal(t, wecom.CodeAPIForbidden, e.Code)
	assert.Equal(t, "/cgi-bin/user/list_id", e.Path)
}

func TestAllUserIDsPages(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/user/list_id",
		`{"errcode":0,"errmsg":"ok","next_cursor":"p2","dept_user":[{"userid":"a","department":1},{"userid":"b","department":1}]}`,
		`{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[{"userid":"a","department":2}]}`)
	req := &ListUserIDsRequest{Cursor: "ignored", Limit: 2}
	var got []DeptUser
	for row, err := range svc.AllUserIDs(testCtx(t), req) {
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, []DeptUser{{"a", 1}, {"b", 1}, {"a", 2}}, got)
	reqs := st.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, jsonOf(t, `{"limit":2}`), jsonOf(t, reqs[0].Body), "starts at the beginning")
	assert.Equal(t, jsonOf(t, `{"cursor":"p2","limit":2}`), jsonOf(t, reqs[1].Body))
	assert.Equal(t, &ListUserIDsRequest{Cursor: "ignored", Limit: 2}, req, "the request is not changed")
}

func TestAllUserIDsDefaultLimitErrorAndBreak(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/user/list_id",
		`{"errcode":0,"errmsg":"ok","next_cursor":"p2","dept_user":[{"userid":"a","department":1},{"userid":"b","department":1}]}`,
		`{"errcode":-1,"errmsg":"system busy"}`)
	var got []string
	var last error
	for row, err := range svc.AllUserIDs(testCtx(t), nil) {
		if err != nil {
			last = err
			break
		}
		got = append(got, row.UserID)
	}
	assert.Equal(t, []string{"a", "b"}, got)
	require.Error(t, last)
	assert.Equal(t, wecom.CodeSystemBusy, last.(*wecom.Error).Code)
	assert.Equal(t, jsonOf(t, `{"limit":10000}`), jsonOf(t, st.requests()[0].Body), "the maximum page by default")

	// An early break fetches no further page.
	n := len(st.requests())
	for range svc.AllUserIDs(testCtx(t), nil) {
		break
	}
	assert.Len(t, st.requests(), n+1)
}

func TestListUserDepartments(t *testing.T) {
	st, svc := newStub(t)
	st.answer("/cgi-bin/user/list_id",
		`{"errcode":0,"errmsg":"ok","next_cursor":"p2","dept_user":[{"userid":"a","department":1},{"userid":"b","department":1}]}`,
		`{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[{"userid":"a","department":4},{"userid":"c","department":2}]}`)
	got, err := svc.ListUserDepartments(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, []UserDepartments{{"a", []int{1, 4}}, {"b", []int{1}}, {"c", []int{2}}}, got)
	reqs := st.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, jsonOf(t, `{"limit":10000}`), jsonOf(t, reqs[0].Body))
	assert.Equal(t, jsonOf(t, `{"cursor":"p2","limit":10000}`), jsonOf(t, reqs[1].Body))

	st2, svc2 := newStub(t)
	st2.answer("/cgi-bin/user/list_id", `{"errcode":48002,"errmsg":"api forbidden"}`)
	got, err = svc2.ListUserDepartments(testCtx(t))
	assert.Nil(t, got)
	assert.Equal(t, wecom.CodeAPIForbidden, err.(*wecom.Error).Code)
}

func TestGetUserDecodesEveryField(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/user/get", "user_get.json")
	m, err := svc.GetUser(testCtx(t), "zhangsan")
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/user/get", reqs[0].Path)
	assert.Equal(t, url.Values{"userid": {"zhangsan"}}, reqs[0].Query)
	assert.Empty(t, reqs[0].Body)

	assert.Equal(t, "zhangsan", m.UserID)
	assert.Equal(t, "张三", m.Name)
	assert.Equal(t, []int{1, 2}, m.Department)
	assert.Equal(t, []int{1, 2}, m.Order)
	assert.Equal(t, "后台工程师", m.Position)
	assert.Equal(t, "13800000000", m.Mobile)
	assert.Equal(t, wecom.GenderMale, m.Gender)
	assert.Equal(t, "zhangsan@gzdev.com", m.Email)
	assert.Equal(t, "zhangsan@qyycs2.wecom.work", m.BizMail)
	assert.Equal(t, []int{1, 0}, m.IsLeaderInDept)
	assert.True(t, m.IsLeaderOf(1))
	assert.False(t, m.IsLeaderOf(2))
	assert.False(t, m.IsLeaderOf(9))
	assert.Equal(t, []string{"lisi"}, m.DirectLeader)
	assert.Contains(t, m.Avatar, "/0")
	assert.Contains(t, m.ThumbAvatar, "/100")
	assert.Equal(t, "020-123456", m.Telephone)
	assert.Equal(t, "jackzhang", m.Alias)
	assert.Equal(t, "广州市海珠区新港中路", m.Address)
	assert.Equal(t, "xxxxxx", m.OpenUserID)
	assert.Equal(t, 1, m.MainDepartment)
	assert.Equal(t, StatusActive, m.Status)
	assert.Equal(t, "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", m.QRCode)
	assert.Equal(t, "高级产品经理", m.ExternalPosition)
	require.NotNil(t, m.ExtAttr)
	assert.Equal(t, []profile.Attr{
		{Type: profile.AttrText, Name: "文本名称", Text: &profile.TextAttr{Value: "文本"}},
		{Type: profile.AttrWeb, Name: "网页名称", Web: &profile.WebAttr{URL: "http://www.test.com", Title: "标题"}},
	}, m.ExtAttr.Attrs)
	require.NotNil(t, m.ExternalProfile)
	assert.Equal(t, "企业简称", m.ExternalProfile.ExternalCorpName)
	assert.Equal(t, &profile.WechatChannels{Nickname: "视频号名称", Status: 1}, m.ExternalProfile.WechatChannels)
	require.Len(t, m.ExternalProfile.ExternalAttr, 3)
	assert.Equal(t, profile.Attr{Type: profile.AttrMiniProgram, Name: "测试app", MiniProgram: &profile.MiniProgramAttr{
		AppID: "wx8bd80126147dFAKE", PagePath: "/index", Title: "my miniprogram"}}, m.ExternalProfile.ExternalAttr[2])
}

// An app that is not the address-book app gets no sensitive fields.
func TestGetUserWithoutSensitiveFields(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/user/get", "user_get_basic.json")
	m, err := svc.GetUser(testCtx(t), "wangwu")
	require.NoError(t, err)
	assert.Equal(t, "王五", m.Name)
	assert.Equal(t, StatusInactive, m.Status)
	assert.Equal(t, wecom.GenderUnknown, m.Gender, "absent: unknown")
	for _, v := range []string{m.Mobile, m.Email, m.BizMail, m.Avatar, m.QRCode, m.Address} {
		assert.Empty(t, v)
	}
	assert.Nil(t, m.ExternalProfile)
	assert.Nil(t, m.ExtAttr)
	assert.Equal(t, []string{}, m.DirectLeader)
}

func TestGetUserErrors(t *testing.T) {
	st, svc := newStub(t)
	_, err := svc.GetUser(testCtx(t), "")
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Equal(t, "staff: get user: userid is required", err.Error())
	assert.Empty(t, st.requests())

	st.answer("/cgi-bin/user/get", `{"errcode":60111,"errmsg":"userid not found"}`)
	m, err := svc.GetUser(testCtx(t), "nobody")
	assert.Nil(t, m)
	assert.True(t, wecom.HasCode(err, wecom.CodeUserNotFound), err)
}

func TestListDepartmentIDs(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/department/simplelist", "department_simplelist.json")
	st.file(t, "/cgi-bin/department/simplelist", "department_simplelist.json")
	ds, err := svc.ListDepartmentIDs(testCtx(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []DepartmentID{{ID: 2, ParentID: 1, Order: 10}, {ID: 3, ParentID: 2, Order: 40}}, ds)
	_, err = svc.ListDepartmentIDs(testCtx(t), 0)
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/department/simplelist", reqs[0].Path)
	assert.Equal(t, url.Values{"id": {"2"}}, reqs[0].Query)
	assert.Empty(t, reqs[1].Query, "id 0: the whole tree, no id sent")

	_, err = svc.ListDepartmentIDs(testCtx(t), -1)
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	st2, svc2 := newStub(t)
	st2.answer("/cgi-bin/department/simplelist", `{"errcode":60123,"errmsg":"invalid party id"}`)
	ds, err = svc2.ListDepartmentIDs(testCtx(t), 99)
	assert.Nil(t, ds)
	assert.Equal(t, wecom.Code(60123), err.(*wecom.Error).Code)
}

func TestListDepartments(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/department/list", "department_list.json")
	ds, err := svc.ListDepartments(testCtx(t), 0)
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/department/list", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, []Department{
		{ID: 2, Name: "广州研发中心", NameEn: "RDGZ", DepartmentLeader: []string{"zhangsan", "lisi"}, ParentID: 1, Order: 10},
		{ID: 3, Name: "邮箱产品部", NameEn: "mail", DepartmentLeader: []string{"lisi", "wangwu"}, ParentID: 2, Order: 40},
	}, ds)

	_, err = svc.ListDepartments(testCtx(t), -3)
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "staff: list departments:")

	st2, svc2 := newStub(t)
	st2.answer("/cgi-bin/department/list", `{"errcode":48002,"errmsg":"api forbidden"}`)
	ds, err = svc2.ListDepartments(testCtx(t), 1)
	assert.Nil(t, ds)
	assert.Equal(t, wecom.CodeAPIForbidden, err.(*wecom.Error).Code)
	assert.Equal(t, url.Values{"id": {"1"}}, st2.requests()[0].Query)
}

func TestEnumStrings(t *testing.T) {
	for s, want := range map[UserStatus]string{StatusActive: "active", StatusDisabled: "disabled", StatusInactive: "inactive", StatusLeftCorp: "left", 3: "UserStatus(3)"} {
		assert.Equal(t, want, s.String())
	}
}

func TestGenderDecodesStringOrNumber(t *testing.T) {
	for in, want := range map[string]wecom.Gender{`"1"`: wecom.GenderMale, `2`: wecom.GenderFemale, `""`: wecom.GenderUnknown, `"0"`: wecom.GenderUnknown} {
		var m User
		require.NoError(t, json.Unmarshal([]byte(`{"gender":`+in+`}`), &m), in)
		assert.Equal(t, want, m.Gender, in)
	}
	var m User
	require.Error(t, json.Unmarshal([]byte(`{"gender":true}`), &m))
}
