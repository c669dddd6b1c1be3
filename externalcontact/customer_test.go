package externalcontact

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/profile"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestListFollowUsers(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()

	got, err := svc.ListFollowUsers(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	addUsers(t, s, "zhangsan", "lisi")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "wangwu"}))                                         // no customer-contact feature
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhaoliu", CustomerContact: true, Resigned: true})) // has left
	got, err = svc.ListFollowUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan", "lisi"}, got)

	reqs := s.RequestsTo("/cgi-bin/externalcontact/get_follow_user_list")
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Empty(t, reqs[0].Query)

	s.FailNext("/cgi-bin/externalcontact/get_follow_user_list", 1, wecomtest.Fault{Code: 48002, Message: "api forbidden"})
	_, err = svc.ListFollowUsers(ctx)
	assert.True(t, wecom.IsPermissionDenied(err), "%v", err)
}

func TestListCustomers(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi")
	a, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	b, err := s.AddCustomer(wecomtest.Customer{Name: "王五"}, wecomtest.Follow{UserID: "zhangsan"}, wecomtest.Follow{UserID: "lisi"})
	require.NoError(t, err)

	got, err := svc.ListCustomers(ctx, "zhangsan")
	require.NoError(t, err)
	assert.Equal(t, []string{a.ExternalUserID, b.ExternalUserID}, got)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/list")
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, url.Values{"userid": {"zhangsan"}}, reqs[0].Query)

	_, err = svc.ListCustomers(ctx, "nobody")
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	addUsers(t, s, "newbie")
	_, err = svc.ListCustomers(ctx, "newbie")
	assert.Equal(t, wecom.CodeNoRelationship, wecom.ErrorCode(err))
	_, err = svc.ListCustomers(ctx, "")
	invalid(t, err)
}

func TestGetCustomerDecodesSample(t *testing.T) {
	svc, sent := fakeFile(t, "get.json")
	d, next, err := svc.GetCustomerPage(context.Background(), &GetCustomerRequest{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Cursor: "CUR"})
	require.NoError(t, err)
	assert.Equal(t, "NEXT_CURSOR", next)
	require.Len(t, sent(), 1)
	assert.Equal(t, record{Method: "GET", Path: "/cgi-bin/externalcontact/get",
		Query: url.Values{"external_userid": {"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}, "cursor": {"CUR"}}}, sent()[0])

	ec := d.ExternalContact
	assert.Equal(t, "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", ec.ExternalUserID)
	assert.Equal(t, "李四", ec.Name)
	assert.Equal(t, "Manager", ec.Position)
	assert.Equal(t, "http://p.qlogo.cn/bizmail/IcsdgagqefergqerhewSdage/0", ec.Avatar)
	assert.Equal(t, "腾讯", ec.CorpName)
	assert.Equal(t, "腾讯科技有限公司", ec.CorpFullName)
	assert.Equal(t, ContactTypeWeCom, ec.Type)
	assert.Equal(t, wecom.GenderMale, ec.Gender)
	assert.Equal(t, "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", ec.UnionID)
	require.NotNil(t, ec.ExternalProfile)
	assert.Equal(t, "企业对外简称", ec.ExternalProfile.ExternalCorpName)
	assert.Equal(t, &profile.WechatChannels{Nickname: "视频号名称", Status: 1}, ec.ExternalProfile.WechatChannels)
	assert.Equal(t, []profile.Attr{
		{Type: profile.AttrText, Name: "文本名称", Text: &profile.TextAttr{Value: "文本"}},
		{Type: profile.AttrWeb, Name: "网页名称", Web: &profile.WebAttr{URL: "http://www.test.com", Title: "标题"}},
		{Type: profile.AttrMiniProgram, Name: "测试app", MiniProgram: &profile.MiniProgramAttr{AppID: "wx8bd80126147dFAKE", PagePath: "/index", Title: "my miniprogram"}},
	}, ec.ExternalProfile.ExternalAttr)

	require.Len(t, d.FollowUsers, 2)
	f := d.FollowUsers[0]
	assert.Equal(t, "rocky", f.UserID)
	assert.Equal(t, "李部长", f.Remark)
	assert.Equal(t, "对接采购事务", f.Description)
	assert.Equal(t, int64(1525779812), f.CreateTime)
	assert.Equal(t, time.Unix(1525779812, 0), f.CreateAt())
	assert.Equal(t, []FollowTag{
		{GroupName: "标签分组名称", TagName: "标签名称", TagID: "etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Type: TagTypeCorp},
		{GroupName: "标签分组名称", TagName: "标签名称", Type: TagTypePersonal},
		{GroupName: "标签分组名称", TagName: "标签名称", TagID: "stAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Type: TagTypeStrategy},
	}, f.Tags)
	assert.Equal(t, "腾讯科技", f.RemarkCorpName)
	assert.Equal(t, []string{"13800000001", "13000000002"}, f.RemarkMobiles)
	assert.Equal(t, "rocky", f.OperUserID)
	assert.Equal(t, AddWayWeChatChannels, f.AddWay)
	assert.Equal(t, &profile.WechatChannels{Nickname: "视频号名称", Source: 1}, f.WechatChannels)
	assert.Equal(t, "外联二维码1", f.State)
	g := d.FollowUsers[1]
	assert.Equal(t, "tommy", g.UserID)
	assert.Equal(t, "woAJ2GCAAAd1asdasdjO4wKmE8Aabj9AAA", g.OperUserID)
	assert.Equal(t, AddWayCardShare, g.AddWay)
	assert.Empty(t, g.Tags)
	assert.Nil(t, g.WechatChannels)
	assert.Equal(t, "外联二维码2", g.State)
}

func TestBatchGetCustomersDecodesSample(t *testing.T) {
	svc, sent := fakeFile(t, "batch_get_by_user.json")
	rels, next, err := svc.BatchGetCustomers(context.Background(), &BatchGetCustomersRequest{UserIDs: []string{"rocky", "lisi"}, Cursor: "C1", Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI", next)
	require.Len(t, sent(), 1)
	assert.Equal(t, "POST", sent()[0].Method)
	assert.Equal(t, "/cgi-bin/externalcontact/batch/get_by_user", sent()[0].Path)
	assert.Empty(t, sent()[0].Query)
	assert.JSONEq(t, `{"userid_list":["rocky","lisi"],"cursor":"C1","limit":100}`, string(sent()[0].Body))

	require.Len(t, rels, 2)
	r := rels[0]
	assert.Equal(t, "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", r.ExternalContact.ExternalUserID)
	assert.Equal(t, "李四", r.ExternalContact.Name)
	assert.Equal(t, "Manager", r.ExternalContact.Position)
	assert.Equal(t, "腾讯", r.ExternalContact.CorpName)
	assert.Equal(t, "腾讯科技有限公司", r.ExternalContact.CorpFullName)
	assert.Equal(t, ContactTypeWeCom, r.ExternalContact.Type)
	assert.Equal(t, wecom.GenderMale, r.ExternalContact.Gender)
	assert.Equal(t, "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", r.ExternalContact.UnionID)
	require.NotNil(t, r.ExternalContact.ExternalProfile)
	assert.Equal(t, "文本", r.ExternalContact.ExternalProfile.ExternalAttr[0].Text.Value)
	fi := r.FollowInfo
	assert.Equal(t, "rocky", fi.UserID)
	assert.Equal(t, "李部长", fi.Remark)
	assert.Equal(t, "对接采购事务", fi.Description)
	assert.Equal(t, int64(1525779812), fi.CreateTime)
	assert.Equal(t, []string{"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}, fi.TagIDs)
	assert.Equal(t, "腾讯科技", fi.RemarkCorpName)
	assert.Equal(t, []string{"13800000001", "13000000002"}, fi.RemarkMobiles)
	assert.Equal(t, "rocky", fi.OperUserID)
	assert.Equal(t, AddWayQRCode, fi.AddWay)
	assert.Equal(t, "外联二维码1", fi.State)

	r = rels[1]
	assert.Equal(t, "wmOAJ2GCAAAme1XQRC-NI-aTm2Gxh3jTAA", r.ExternalContact.ExternalUserID)
	assert.Equal(t, ContactTypeWeChat, r.ExternalContact.Type)
	assert.Equal(t, wecom.GenderFemale, r.ExternalContact.Gender)
	assert.Nil(t, r.ExternalContact.ExternalProfile)
	assert.Equal(t, "lisi", r.FollowInfo.UserID)
	assert.Equal(t, []string{}, r.FollowInfo.TagIDs)
	assert.Equal(t, "zhangsan", r.FollowInfo.OperUserID)
	assert.Equal(t, AddWayAdminAssign, r.FollowInfo.AddWay)
	assert.Equal(t, &profile.WechatChannels{Nickname: "视频号名称", Source: 2}, r.FollowInfo.WechatChannels)
	assert.Equal(t, time.Unix(1525881637, 0), r.FollowInfo.CreateAt())
}

func TestBatchGetCustomersValidates(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("u", i)
	}
	for name, req := range map[string]*BatchGetCustomersRequest{
		"nil":      nil,
		"no users": {},
		"too many": {UserIDs: many},
		"limit -1": {UserIDs: []string{"zhangsan"}, Limit: -1},
	} {
		_, _, err := svc.BatchGetCustomers(ctx, req)
		assert.Error(t, err, name)
	}
	assert.Empty(t, s.RequestsTo("/cgi-bin/externalcontact/batch/get_by_user"), "misuse is caught before sending")

	// WeCom clamps a limit over 100 to 100 instead of refusing it: it is
	// sent as given.
	_, _, err := svc.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}, Limit: 101})
	require.NoError(t, err)
	sent := s.RequestsTo("/cgi-bin/externalcontact/batch/get_by_user")
	require.Len(t, sent, 1)
	assert.JSONEq(t, `{"userid_list":["zhangsan"],"limit":101}`, string(sent[0].Body))

	_, _, err = svc.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan", "ghost"}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	_, _, err = svc.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}, Cursor: "bogus"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

// seedCustomers adds n customers, each followed by users[i%len(users)].
func seedCustomers(t testing.TB, s *wecomtest.Server, n int, users ...string) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := s.AddCustomer(wecomtest.Customer{Name: fmt.Sprintf("客户%03d", i), Gender: 1 + i%2},
			wecomtest.Follow{UserID: users[i%len(users)], AddWay: 1, State: fmt.Sprintf("s%d", i)})
		require.NoError(t, err)
	}
}

func TestAllCustomersOf(t *testing.T) {
	ctx := context.Background()
	path := "/cgi-bin/externalcontact/batch/get_by_user"

	t.Run("empty", func(t *testing.T) {
		s, svc := newEnv(t)
		addUsers(t, s, "zhangsan")
		n := 0
		for _, err := range svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}}) {
			require.NoError(t, err)
			n++
		}
		assert.Zero(t, n)
		assert.Len(t, s.RequestsTo(path), 1)
		for range svc.AllCustomersOf(ctx, nil) {
			t.Fatal("no users, no relations")
		}
		assert.Len(t, s.RequestsTo(path), 1, "no users, no call")
	})

	t.Run("one page", func(t *testing.T) {
		s, svc := newEnv(t)
		addUsers(t, s, "zhangsan", "lisi")
		seedCustomers(t, s, 7, "zhangsan", "lisi")
		var got []string
		for rel, err := range svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan", "lisi", "zhangsan", ""}}) {
			require.NoError(t, err)
			got = append(got, rel.FollowInfo.UserID+":"+rel.ExternalContact.Name)
		}
		assert.Equal(t, []string{"zhangsan:客户000", "zhangsan:客户002", "zhangsan:客户004", "zhangsan:客户006",
			"lisi:客户001", "lisi:客户003", "lisi:客户005"}, got)
		reqs := s.RequestsTo(path)
		require.Len(t, reqs, 1)
		assert.JSONEq(t, `{"userid_list":["zhangsan","lisi"],"limit":100}`, string(reqs[0].Body))
	})

	t.Run("many pages and chunks", func(t *testing.T) {
		s, svc := newEnv(t)
		users := make([]string, 150)
		for i := range users {
			users[i] = fmt.Sprintf("user%03d", i)
		}
		addUsers(t, s, users...)
		seedCustomers(t, s, 450, users...) // 3 per user
		seen := map[string]int{}
		for rel, err := range svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: users}) {
			require.NoError(t, err)
			seen[rel.FollowInfo.UserID+"/"+rel.ExternalContact.ExternalUserID]++
		}
		assert.Len(t, seen, 450)
		for k, n := range seen {
			assert.Equal(t, 1, n, k)
		}
		reqs := s.RequestsTo(path)
		// 100 users (300 relations, 3 pages) then 50 users (150, 2 pages).
		require.Len(t, reqs, 5)
		assert.Len(t, jsonBody(t, reqs[0].Body)["userid_list"], 100)
		assert.NotContains(t, jsonBody(t, reqs[0].Body), "cursor")
		assert.NotEmpty(t, jsonBody(t, reqs[1].Body)["cursor"])
		assert.Len(t, jsonBody(t, reqs[3].Body)["userid_list"], 50)
		assert.NotContains(t, jsonBody(t, reqs[3].Body), "cursor", "a new chunk starts without a cursor")
	})

	t.Run("error midway", func(t *testing.T) {
		s, svc := newEnv(t)
		addUsers(t, s, "zhangsan")
		seedCustomers(t, s, 250, "zhangsan")
		n := 0
		var last error
		calls := 0
		for rel, err := range svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}}) {
			calls++
			if err != nil {
				last = err
				assert.Empty(t, rel.ExternalContact.ExternalUserID)
				continue
			}
			n++
			if n == 100 {
				s.FailNext(path, 1, wecomtest.Fault{Code: 60011, Message: "no privilege"})
			}
		}
		assert.Equal(t, 100, n)
		assert.Equal(t, 101, calls, "the error is yielded once, then the loop ends")
		assert.True(t, wecom.IsPermissionDenied(last), "%v", last)
	})

	t.Run("early break", func(t *testing.T) {
		s, svc := newEnv(t)
		addUsers(t, s, "zhangsan")
		seedCustomers(t, s, 250, "zhangsan")
		n := 0
		for _, err := range svc.AllCustomersOf(ctx, &BatchGetCustomersRequest{UserIDs: []string{"zhangsan"}}) {
			require.NoError(t, err)
			n++
			if n == 150 {
				break
			}
		}
		assert.Len(t, s.RequestsTo(path), 2, "no page fetched after the break")
	})
}

func TestGetCustomerPaginatesFollowUsers(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	var follows []wecomtest.Follow
	for i := 0; i < 1201; i++ {
		id := fmt.Sprintf("m%04d", i)
		addUsers(t, s, id)
		follows = append(follows, wecomtest.Follow{UserID: id, Remark: "r" + id})
	}
	grp, err := s.AddTagGroup(wecomtest.TagGroup{GroupName: "客户等级", Tags: []wecomtest.Tag{{Name: "VIP"}}})
	require.NoError(t, err)
	follows[0].TagIDs = []string{grp.Tags[0].ID, "etDeletedTag"}
	c, err := s.AddCustomer(wecomtest.Customer{Name: "大客户", Type: 2, CorpName: "腾讯"}, follows...)
	require.NoError(t, err)

	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, "大客户", d.ExternalContact.Name)
	assert.Equal(t, ContactTypeWeCom, d.ExternalContact.Type)
	require.Len(t, d.FollowUsers, 1201)
	assert.Equal(t, "m1200", d.FollowUsers[1200].UserID)
	assert.Equal(t, []FollowTag{{GroupName: "客户等级", TagName: "VIP", TagID: grp.Tags[0].ID, Type: TagTypeCorp}}, d.FollowUsers[0].Tags)

	reqs := s.RequestsTo("/cgi-bin/externalcontact/get")
	require.Len(t, reqs, 3)
	assert.Equal(t, url.Values{"external_userid": {c.ExternalUserID}}, reqs[0].Query)
	assert.NotEmpty(t, reqs[1].Query.Get("cursor"))

	// An error on a later page names how far it got.
	s.FailNext("/cgi-bin/externalcontact/get", 1, wecomtest.Fault{Delay: time.Millisecond})
	s.FailNext("/cgi-bin/externalcontact/get", 1, wecomtest.Fault{Code: 60011})
	_, err = svc.GetCustomer(ctx, c.ExternalUserID)
	assert.ErrorContains(t, err, "page after 500 follow users")
	assert.True(t, wecom.IsPermissionDenied(err))

	_, err = svc.GetCustomer(ctx, "wmUnknown")
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(err))
	_, err = svc.GetCustomer(ctx, "")
	assert.Error(t, err)
}

func TestGetCustomerRepeatedCursor(t *testing.T) {
	svc, _ := fakeFile(t, `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"wm1","name":"x","type":1,"gender":0},"follow_user":[],"next_cursor":"SAME"}`)
	_, err := svc.GetCustomer(context.Background(), "wm1")
	assert.ErrorContains(t, err, "same cursor")
}

func TestRemark(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi")
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan", Remark: "old", RemarkMobiles: []string{"13800000000"}})
	require.NoError(t, err)
	pic := s.AddMedia(wecomtest.Media{Type: "image"})

	req := &RemarkRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, Remark: "李部长", Description: "对接采购",
		RemarkCompany: "腾讯科技", RemarkMobiles: []string{"13800000001", "13000000002"}, RemarkPicMediaID: pic.MediaID}
	require.NoError(t, svc.Remark(ctx, req))
	reqs := s.RequestsTo("/cgi-bin/externalcontact/remark")
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.JSONEq(t, `{"userid":"zhangsan","external_userid":"`+c.ExternalUserID+`","remark":"李部长","description":"对接采购","remark_company":"腾讯科技","remark_mobiles":["13800000001","13000000002"],"remark_pic_mediaid":"`+pic.MediaID+`"}`, string(reqs[0].Body))

	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	f := d.FollowUsers[0]
	assert.Equal(t, "李部长", f.Remark)
	assert.Equal(t, "对接采购", f.Description)
	assert.Equal(t, "腾讯科技", f.RemarkCorpName)
	assert.Equal(t, []string{"13800000001", "13000000002"}, f.RemarkMobiles)

	// Empty fields are left alone; [""] clears the mobiles.
	require.NoError(t, svc.Remark(ctx, &RemarkRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, RemarkMobiles: []string{""}}))
	d, err = svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, "李部长", d.FollowUsers[0].Remark)
	assert.Empty(t, d.FollowUsers[0].RemarkMobiles)

	edits := func() int {
		n := 0
		for _, ev := range s.Events() {
			if ev.ChangeType == "edit_external_contact" {
				n++
				assert.Equal(t, "zhangsan", ev.Get("UserID"))
				assert.Equal(t, c.ExternalUserID, ev.Get("ExternalUserID"))
			}
		}
		return n
	}
	assert.Equal(t, 0, edits(), "WeCom sends no callback for a remark made through the API")
	// A member editing the remark in the client does cause one.
	name := "王总"
	require.NoError(t, s.MemberEditsCustomer("zhangsan", c.ExternalUserID, wecomtest.CustomerEdit{Remark: &name, RemarkMobiles: []string{}}))
	assert.Equal(t, 1, edits())
	d, err = svc.GetCustomer(ctx, c.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, "王总", d.FollowUsers[0].Remark)
	assert.Equal(t, "对接采购", d.FollowUsers[0].Description, "left alone")
	assert.Error(t, s.MemberEditsCustomer("ghost", c.ExternalUserID, wecomtest.CustomerEdit{Remark: &name}))

	cases := []struct {
		req  *RemarkRequest
		code wecom.Code
	}{
		{&RemarkRequest{UserID: "ghost", ExternalUserID: c.ExternalUserID}, wecom.CodeUserNotFound},
		{&RemarkRequest{UserID: "zhangsan", ExternalUserID: "wmGhost"}, wecom.CodeInvalidExternalUserID},
		{&RemarkRequest{UserID: "lisi", ExternalUserID: c.ExternalUserID}, wecom.CodeNoRelationship},
		{&RemarkRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, Remark: "一二三四五六七八九十一二三四五六七八九十一"}, wecom.CodeInvalidParameter},
		{&RemarkRequest{UserID: "zhangsan", ExternalUserID: c.ExternalUserID, RemarkPicMediaID: "nope"}, 40007},
	}
	for _, tc := range cases {
		err := svc.Remark(ctx, tc.req)
		assert.Equal(t, tc.code, wecom.ErrorCode(err), "%+v: %v", tc.req, err)
	}
	assert.Error(t, svc.Remark(ctx, &RemarkRequest{UserID: "zhangsan"}))
	assert.Error(t, svc.Remark(ctx, nil))
}

func TestCustomerEnumStrings(t *testing.T) {
	assert.Equal(t, "wechat", ContactTypeWeChat.String())
	assert.Equal(t, "wecom", ContactTypeWeCom.String())
	assert.Equal(t, "ContactType(9)", ContactType(9).String())
	assert.Equal(t, "unknown", wecom.GenderUnknown.String())
	assert.Equal(t, "male", wecom.GenderMale.String())
	assert.Equal(t, "female", wecom.GenderFemale.String())
	assert.Equal(t, "Gender(3)", wecom.Gender(3).String())
	assert.Equal(t, "corp", TagTypeCorp.String())
	assert.Equal(t, "personal", TagTypePersonal.String())
	assert.Equal(t, "strategy", TagTypeStrategy.String())
	assert.Equal(t, "TagType(0)", TagType(0).String())
	ways := map[AddWay]string{0: "unknown", 1: "qr_code", 2: "mobile_search", 3: "card_share", 4: "group_chat",
		5: "address_book", 6: "wechat_contact", 8: "third_party", 9: "email_search", 10: "wechat_channels",
		11: "schedule_attendee", 12: "meeting_attendee", 13: "wechat_friend", 14: "smart_hardware",
		15: "on_site_service", 16: "acquisition_link", 17: "custom_development", 18: "demand_reply", 19: "AddWay(19)", 201: "internal_share", 202: "admin_assign", 7: "AddWay(7)"}
	for w, s := range ways {
		assert.Equal(t, s, w.String())
	}
	assert.Equal(t, AddWay(16), AddWayAcquisitionLink, "16 is the customer-acquisition link")
}
