package externalcontact

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestAcquisitionEnums(t *testing.T) {
	assert.Equal(t, []string{"corp", "listed members", "AcquisitionPriorityType(3)"},
		[]string{AcquisitionPriorityCorp.String(), AcquisitionPriorityListed.String(), AcquisitionPriorityType(3).String()})
	assert.Equal(t, []string{"not chatted", "chatted", "unknown", "AcquisitionChatStatus(5)"},
		[]string{AcquisitionNotChatted.String(), AcquisitionChatted.String(), AcquisitionChatStatusLost.String(), AcquisitionChatStatus(5).String()})
}

func TestAcquisitionSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	const p = "/cgi-bin/externalcontact/customer_acquisition/"
	st.file(t, p+"create_link", "customer_acquisition_create_link.json")
	st.file(t, p+"get", "customer_acquisition_get.json")
	st.file(t, p+"customer", "customer_acquisition_customer.json")
	st.file(t, p+"statistic", "customer_acquisition_statistic.json")
	st.file(t, "/cgi-bin/externalcontact/customer_acquisition_quota", "customer_acquisition_quota.json")
	ok := func([]byte) string { return `{"errcode":0,"errmsg":"ok"}` }
	st.handle(p+"update_link", ok)
	st.handle(p+"delete_link", ok)
	st.handle(p+"list_link", func([]byte) string {
		return `{"errcode":0,"errmsg":"ok","link_id_list":["LINK_ID_AAA","LINK_ID_BBB"],"next_cursor":"CURSOR"}`
	})
	yes, no := true, false
	body := func(i int) map[string]any { return jsonBody(t, st.requests()[i].Body) }

	l, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{
		LinkName: "获客链接1号", Range: AcquisitionRange{UserList: []string{"zhangsan", "lisi"}, DepartmentList: []int{2, 3}},
		SkipVerify: &yes, PriorityOption: &AcquisitionPriorityOption{PriorityType: AcquisitionPriorityListed, PriorityUserIDList: []string{"tom", "lisi"}},
		MarkSource: &no,
	})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"link_name":"获客链接1号","range":{"user_list":["zhangsan","lisi"],"department_list":[2,3]},"skip_verify":true,
		"priority_option":{"priority_type":2,"priority_userid_list":["tom","lisi"]},"mark_source":false}`), body(0))
	assert.Equal(t, "LINK_ID", l.LinkID)
	assert.Equal(t, "获客链接1号", l.LinkName)
	assert.Equal(t, "https://work.weixin.qq.com/ca/cawcde1234", l.URL)
	assert.Equal(t, time.Unix(1672502400, 0), l.CreateAt())
	assert.Equal(t, []string{"zhangsan", "lisi"}, l.Range.UserList)
	assert.Contains(t, string(l.Raw), `"link_id": "LINK_ID"`)

	_, err = svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "n", Range: AcquisitionRange{DepartmentList: []int{1}}})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"link_name":"n","range":{"department_list":[1]}}`), body(1), "unset options keep WeCom's defaults")

	g, err := svc.GetAcquisitionLink(ctx, "LINK_ID_AAA")
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"link_id":"LINK_ID_AAA"}`), body(2))
	assert.Equal(t, "LINK_ID_AAA", g.LinkID, "filled from the request")
	assert.Equal(t, "LINK_NAME", g.LinkName)
	assert.Equal(t, "https://work.weixin.qq.com/ca/xxxxxx", g.URL)
	assert.Equal(t, int64(1672502400), g.CreateTime)
	assert.True(t, g.SkipVerify)
	assert.Equal(t, AcquisitionRange{UserList: []string{"rocky", "sam"}, DepartmentList: []int{1}}, g.Range)
	assert.Equal(t, &AcquisitionPriorityOption{PriorityType: AcquisitionPriorityListed, PriorityUserIDList: []string{"rocky"}}, g.PriorityOption)
	assert.Contains(t, string(g.Raw), `"new_field": "kept in Raw"`)

	ids, next, err := svc.ListAcquisitionLinkIDs(ctx, &ListAcquisitionLinkIDsRequest{Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"limit":100}`), body(3))
	assert.Equal(t, []string{"LINK_ID_AAA", "LINK_ID_BBB"}, ids)
	assert.Equal(t, "CURSOR", next)

	require.NoError(t, svc.UpdateAcquisitionLink(ctx, &UpdateAcquisitionLinkRequest{LinkID: "LINK_ID", LinkName: "新名字", SkipVerify: &no}))
	assert.Equal(t, jsonOf(t, `{"link_id":"LINK_ID","link_name":"新名字","skip_verify":false}`), body(4))
	require.NoError(t, svc.DeleteAcquisitionLink(ctx, "LINK_ID"))
	assert.Equal(t, jsonOf(t, `{"link_id":"LINK_ID"}`), body(5))

	cs, next, err := svc.ListAcquisitionCustomers(ctx, &ListAcquisitionCustomersRequest{LinkID: "LINK_ID", Cursor: "C0", Limit: 1000})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"link_id":"LINK_ID","limit":1000,"cursor":"C0"}`), body(6))
	assert.Equal(t, "CURSOR", next)
	assert.Equal(t, []AcquisitionCustomer{
		{"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "zhangsan", AcquisitionNotChatted, "CHANNEL_A"},
		{"woAJ2GCAAAXtWyujaWJHDDGi0mACHBBB", "lisi", AcquisitionChatted, "CHANNEL_B"},
	}, cs)

	q, err := svc.GetAcquisitionQuota(ctx)
	require.NoError(t, err)
	r := st.requests()[7]
	assert.Equal(t, "GET", r.Method)
	assert.Empty(t, r.Body)
	assert.Empty(t, r.Query)
	assert.Equal(t, int64(1000), q.Total)
	assert.Equal(t, int64(500), q.Balance)
	assert.Equal(t, []AcquisitionQuotaItem{{1689264000, 300}, {1690264000, 200}}, q.QuotaList)
	assert.NotEmpty(t, q.Raw)

	stats, err := svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: "LINK_ID", StartTime: 1688140800, EndTime: 1688227200})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"link_id":"LINK_ID","start_time":1688140800,"end_time":1688227200}`), body(8))
	assert.Equal(t, int64(1000), stats.ClickLinkCustomerCnt)
	assert.Equal(t, int64(500), stats.NewCustomerCnt)
	assert.NotEmpty(t, stats.Raw)
}

func TestAcquisitionDecodeFailures(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	const p = "/cgi-bin/externalcontact/customer_acquisition/"
	bad := func([]byte) string {
		return `{"errcode":0,"errmsg":"ok","link":{"create_time":"yesterday"},"total":"many","new_customer_cnt":"x"}`
	}
	for _, path := range []string{p + "create_link", p + "get", p + "statistic", "/cgi-bin/externalcontact/customer_acquisition_quota"} {
		st.handle(path, bad)
	}
	_, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "n", Range: AcquisitionRange{UserList: []string{"u"}}})
	assert.ErrorContains(t, err, "POST /cgi-bin/externalcontact/customer_acquisition/create_link: decode response")
	var werr *wecom.Error
	assert.ErrorAs(t, err, &werr)
	_, err = svc.GetAcquisitionLink(ctx, "l")
	assert.ErrorContains(t, err, "decode response")
	_, err = svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: "l", StartTime: 1, EndTime: 2})
	assert.ErrorContains(t, err, "decode response")
	_, err = svc.GetAcquisitionQuota(ctx)
	assert.ErrorContains(t, err, "GET /cgi-bin/externalcontact/customer_acquisition_quota: decode response")

	errAnswer := func([]byte) string { return `{"errcode":48002,"errmsg":"api forbidden"}` }
	for _, path := range []string{p + "create_link", p + "get", p + "statistic", p + "customer", p + "list_link", "/cgi-bin/externalcontact/customer_acquisition_quota"} {
		st.handle(path, errAnswer)
	}
	_, err = svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "n", Range: AcquisitionRange{UserList: []string{"u"}}})
	assert.True(t, wecom.IsPermissionDenied(err))
	_, err = svc.GetAcquisitionLink(ctx, "l")
	assert.True(t, wecom.IsPermissionDenied(err))
	_, err = svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: "l", StartTime: 1, EndTime: 2})
	assert.True(t, wecom.IsPermissionDenied(err))
	_, err = svc.GetAcquisitionQuota(ctx)
	assert.True(t, wecom.IsPermissionDenied(err))
	_, _, err = svc.ListAcquisitionCustomers(ctx, &ListAcquisitionCustomersRequest{LinkID: "l"})
	assert.True(t, wecom.IsPermissionDenied(err))
	_, _, err = svc.ListAcquisitionLinkIDs(ctx, nil)
	assert.True(t, wecom.IsPermissionDenied(err))
}

func TestAcquisitionValidation(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	rng := AcquisitionRange{UserList: []string{"u"}}
	for name, req := range map[string]*CreateAcquisitionLinkRequest{
		"nil":        nil,
		"no name":    {Range: rng},
		"long name":  {LinkName: strings.Repeat("链", 31), Range: rng},
		"no range":   {LinkName: "n"},
		"501 users":  {LinkName: "n", Range: AcquisitionRange{UserList: make([]string, 501)}},
		"prio 3":     {LinkName: "n", Range: rng, PriorityOption: &AcquisitionPriorityOption{PriorityType: 3}},
		"prio 2 nil": {LinkName: "n", Range: rng, PriorityOption: &AcquisitionPriorityOption{PriorityType: 2}},
	} {
		_, err := svc.CreateAcquisitionLink(ctx, req)
		assert.Error(t, err, name)
	}
	month := int64(31 * 86400)
	errs := []error{
		svc.UpdateAcquisitionLink(ctx, nil),
		svc.UpdateAcquisitionLink(ctx, &UpdateAcquisitionLinkRequest{LinkName: "n"}),
		svc.UpdateAcquisitionLink(ctx, &UpdateAcquisitionLinkRequest{LinkID: "l", LinkName: strings.Repeat("链", 31)}),
		svc.DeleteAcquisitionLink(ctx, ""),
	}
	_, err := svc.GetAcquisitionLink(ctx, "")
	errs = append(errs, err)
	_, _, err = svc.ListAcquisitionLinkIDs(ctx, &ListAcquisitionLinkIDsRequest{Limit: 101})
	errs = append(errs, err)
	_, _, err = svc.ListAcquisitionCustomers(ctx, nil)
	errs = append(errs, err)
	_, _, err = svc.ListAcquisitionCustomers(ctx, &ListAcquisitionCustomersRequest{LinkID: "l", Limit: 1001})
	errs = append(errs, err)
	for _, rng := range [][3]int64{{0, 0, 1}, {1, 0, 1}, {1, 5, 2}, {1, 1, 2 + month}} {
		id := ""
		if rng[0] == 1 {
			id = "l"
		}
		_, err = svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: id, StartTime: rng[1], EndTime: rng[2]})
		errs = append(errs, err)
	}
	for i, err := range errs {
		assert.Error(t, err, i)
	}
	assert.Empty(t, st.requests())
}

func TestAcquisitionIterators(t *testing.T) {
	t.Run("link ids", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages("/cgi-bin/externalcontact/customer_acquisition/list_link", map[string]string{
			"":  `{"errcode":0,"errmsg":"ok","link_id_list":["a","b"],"next_cursor":"1"}`,
			"1": `{"errcode":0,"errmsg":"ok","link_id_list":["c"],"next_cursor":""}`,
		})
		got, err := collect(svc.AllAcquisitionLinkIDs(testCtx(t), &ListAcquisitionLinkIDsRequest{Limit: 2}))
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, got)
		for range svc.AllAcquisitionLinkIDs(testCtx(t), &ListAcquisitionLinkIDsRequest{Limit: 2}) {
			break
		}
		assert.Len(t, st.requests(), 3, "two pages, then one for the early break")
	})
	for name, tc := range map[string]struct {
		pages map[string]string
		want  int
		err   bool
	}{
		"empty":        {map[string]string{"": `{"errcode":0,"errmsg":"ok","customer_list":[],"next_cursor":""}`}, 0, false},
		"many pages":   {map[string]string{"": `{"errcode":0,"errmsg":"ok","customer_list":[{"external_userid":"a"}],"next_cursor":"1"}`, "1": `{"errcode":0,"errmsg":"ok","customer_list":[{"external_userid":"b"},{"external_userid":"c"}],"next_cursor":""}`}, 3, false},
		"error midway": {map[string]string{"": `{"errcode":0,"errmsg":"ok","customer_list":[{"external_userid":"a"}],"next_cursor":"1"}`, "1": `{"errcode":-1,"errmsg":"busy"}`}, 1, true},
	} {
		t.Run("customers "+name, func(t *testing.T) {
			st, svc := newStub(t)
			st.pages("/cgi-bin/externalcontact/customer_acquisition/customer", tc.pages)
			got, err := collect(svc.AllAcquisitionCustomers(testCtx(t), &ListAcquisitionCustomersRequest{LinkID: "l"}))
			assert.Equal(t, tc.err, err != nil)
			assert.Len(t, got, tc.want)
		})
	}
}

func TestAcquisitionRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan", "lisi")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "wangwu", CustomerContact: true, DepartmentIDs: []int{7}}))
	ctx := testCtx(t)
	no := false

	l, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "春季活动", Range: AcquisitionRange{UserList: []string{"zhangsan", "lisi"}}})
	require.NoError(t, err)
	assert.Equal(t, "https://work.weixin.qq.com/ca/"+l.LinkID, l.URL)
	_, err = svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: "x", Range: AcquisitionRange{UserList: []string{"nobody"}}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	var ids []string
	for i := 0; i < 3; i++ {
		o, err := svc.CreateAcquisitionLink(ctx, &CreateAcquisitionLinkRequest{LinkName: fmt.Sprintf("链接%d", i), Range: AcquisitionRange{DepartmentList: []int{7}}})
		require.NoError(t, err)
		ids = append(ids, o.LinkID)
	}
	all, err := collect(svc.AllAcquisitionLinkIDs(ctx, &ListAcquisitionLinkIDsRequest{Limit: 3}))
	require.NoError(t, err)
	assert.Equal(t, append([]string{l.LinkID}, ids...), all)

	g, err := svc.GetAcquisitionLink(ctx, l.LinkID)
	require.NoError(t, err)
	assert.True(t, g.SkipVerify, "WeCom's default")
	assert.Nil(t, g.PriorityOption)
	require.NoError(t, svc.UpdateAcquisitionLink(ctx, &UpdateAcquisitionLinkRequest{LinkID: l.LinkID, SkipVerify: &no,
		Range: &AcquisitionRange{UserList: []string{"lisi"}}, PriorityOption: &AcquisitionPriorityOption{PriorityType: AcquisitionPriorityCorp}}))
	g, err = svc.GetAcquisitionLink(ctx, l.LinkID)
	require.NoError(t, err)
	assert.Equal(t, "春季活动", g.LinkName)
	assert.False(t, g.SkipVerify)
	assert.Equal(t, []string{"lisi"}, g.Range.UserList)
	assert.Equal(t, AcquisitionPriorityCorp, g.PriorityOption.PriorityType)
	err = svc.UpdateAcquisitionLink(ctx, &UpdateAcquisitionLinkRequest{LinkID: l.LinkID, Range: &AcquisitionRange{}})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))

	// Customers come in through the link.
	s.SetAcquisitionQuota(20, 3)
	a, err := s.AcquireCustomer(l.LinkID, "poster_A", wecomtest.Customer{Name: "小鱼儿"})
	require.NoError(t, err)
	b, err := s.AcquireCustomer(ids[0], "poster_B", wecomtest.Customer{Name: "Amy"})
	require.NoError(t, err)
	require.NoError(t, s.ClickAcquisitionLink(l.LinkID))
	require.NoError(t, s.StartAcquisitionChat(l.LinkID, a.ExternalUserID))
	assert.Error(t, s.StartAcquisitionChat(l.LinkID, b.ExternalUserID))
	_, fs, ok := s.Customer(a.ExternalUserID)
	require.True(t, ok)
	assert.Equal(t, "lisi", fs[0].UserID)
	assert.Equal(t, "poster_A", fs[0].State)
	_, fs, _ = s.Customer(b.ExternalUserID)
	assert.Equal(t, "wangwu", fs[0].UserID, "assigned through the department")

	cs, err := collect(svc.AllAcquisitionCustomers(ctx, &ListAcquisitionCustomersRequest{LinkID: l.LinkID}))
	require.NoError(t, err)
	assert.Equal(t, []AcquisitionCustomer{{a.ExternalUserID, "lisi", AcquisitionChatted, "poster_A"}}, cs)

	q, err := svc.GetAcquisitionQuota(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(20), q.Total)
	assert.Equal(t, int64(1), q.Balance)
	require.Len(t, q.QuotaList, 1)

	day := time.Date(2026, 3, 2, 0, 0, 0, 0, testStart.Location()).Unix()
	stats, err := svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: l.LinkID, StartTime: day, EndTime: day})
	require.NoError(t, err)
	assert.Equal(t, int64(2), stats.ClickLinkCustomerCnt)
	assert.Equal(t, int64(1), stats.NewCustomerCnt)
	stats, err = svc.GetAcquisitionStats(ctx, &GetAcquisitionStatsRequest{LinkID: l.LinkID, StartTime: day + 86400, EndTime: day + 86400})
	require.NoError(t, err)
	assert.Zero(t, stats.ClickLinkCustomerCnt)

	_, err = s.AcquireCustomer(l.LinkID, "", wecomtest.Customer{Name: "最后一个"})
	require.NoError(t, err)
	_, err = s.AcquireCustomer(l.LinkID, "", wecomtest.Customer{Name: "没额度"})
	assert.Error(t, err)
	kinds := map[string]int{}
	for _, ev := range s.Events() {
		if ev.Event == "customer_acquisition" {
			kinds[ev.ChangeType]++
		}
	}
	assert.Equal(t, map[string]int{"balance_low": 2, "balance_exhausted": 1, "customer_start_chat": 1}, kinds)

	require.NoError(t, svc.DeleteAcquisitionLink(ctx, l.LinkID))
	_, err = svc.GetAcquisitionLink(ctx, l.LinkID)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(svc.DeleteAcquisitionLink(ctx, l.LinkID)))
	assert.Len(t, s.AcquisitionLinks(), 3)

	client, err := s.Client()
	require.NoError(t, err)
	for path, body := range map[string]string{
		"create_link": `{"link_name":"n","range":{"user_list":["zhangsan"]},"priority_option":{"priority_type":2}}`,
		"customer":    `{"link_id":"` + ids[0] + `","limit":1001}`,
		"statistic":   `{"link_id":"` + ids[0] + `","start_time":1,"end_time":2}`,
		"list_link":   `{"limit":101}`,
	} {
		err := client.Do(ctx, &wecom.Request{Path: "/cgi-bin/externalcontact/customer_acquisition/" + path, Body: []byte(body)}, nil)
		assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), path)
	}
}
