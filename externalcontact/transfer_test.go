package externalcontact

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestTransferStatusString(t *testing.T) {
	for s, want := range map[TransferStatus]string{
		TransferStatusDone: "done", TransferStatusWaiting: "waiting", TransferStatusRefused: "refused",
		TransferStatusTakeoverLimit: "takeover over limit", TransferStatusNoRecord: "no record", 9: "TransferStatus(9)",
	} {
		assert.Equal(t, want, s.String())
	}
	assert.False(t, TransferStatusWaiting.Final())
	assert.True(t, TransferStatusRefused.Final())
}

func TestTransferCustomersSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/transfer_customer", "transfer_customer.json")
	out, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{
		HandoverUserID:     "zhangsan",
		TakeoverUserID:     "lisi",
		ExternalUserIDs:    []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"},
		TransferSuccessMsg: "您好，您的服务已升级，后续将由我的同事李四接替我的工作，继续为您服务。",
	})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/cgi-bin/externalcontact/transfer_customer", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, jsonOf(t, `{"handover_userid":"zhangsan","takeover_userid":"lisi",
		"external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"],
		"transfer_success_msg":"您好，您的服务已升级，后续将由我的同事李四接替我的工作，继续为您服务。"}`), jsonBody(t, reqs[0].Body))
	require.Len(t, out, 2)
	assert.Equal(t, "woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", out[0].ExternalUserID)
	assert.True(t, out[0].OK())
	assert.Equal(t, "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", out[1].ExternalUserID)
	assert.Equal(t, wecom.CodeInvalidExternalUserID, out[1].Code)
	assert.False(t, out[1].OK())
}

func TestTransferCustomersOmitsEmptyMessage(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/transfer_customer", "transfer_customer.json")
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"wm1"}})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"handover_userid":"a","takeover_userid":"b","external_userid":["wm1"]}`), jsonBody(t, st.requests()[0].Body))
}

func TestTransferValidation(t *testing.T) {
	st, svc := newStub(t)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("wm%03d", i)
	}
	cases := []struct {
		name string
		req  *TransferCustomersRequest
		text string
	}{
		{"nil is the zero request", nil, "handover_userid and takeover_userid are required"},
		{"no handover", &TransferCustomersRequest{TakeoverUserID: "b", ExternalUserIDs: []string{"x"}}, "handover_userid and takeover_userid are required"},
		{"no takeover", &TransferCustomersRequest{HandoverUserID: "a", ExternalUserIDs: []string{"x"}}, "handover_userid and takeover_userid are required"},
		{"no ids", &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b"}, "no external_userid given"},
		{"101 ids", &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: many}, "101 external_userid, at most 100"},
		{"blank id", &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"x", ""}}, "external_userid 1 is empty"},
		{"long msg", &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"x"},
			TransferSuccessMsg: strings.Repeat("转", 201)}, "201 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.TransferCustomers(testCtx(t), tc.req)
			invalid(t, err)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b",
		ExternalUserIDs: []string{"x"}, TransferSuccessMsg: strings.Repeat("转", 200)})
	assert.Error(t, err) // passes validation, then 404 from the stub
	_, err = svc.TransferResignedCustomers(testCtx(t), nil)
	assert.Error(t, err)
	_, err = svc.TransferResignedCustomers(testCtx(t), &TransferResignedCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: many})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, _, err = svc.ListTransferResults(testCtx(t), &ListTransferResultsRequest{TakeoverUserID: "b"})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, _, err = svc.ListUnassignedCustomers(testCtx(t), &ListUnassignedCustomersRequest{Limit: 1001})
	invalid(t, err)
	assert.ErrorContains(t, err, "limit 1001")
	_, _, err = svc.ListUnassignedCustomers(testCtx(t), &ListUnassignedCustomersRequest{Limit: -1})
	assert.Error(t, err)
	_, err = svc.WaitTransfers(testCtx(t), &WaitTransfersRequest{HandoverUserID: "a", TakeoverUserID: "b"})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.WaitTransfers(testCtx(t), &WaitTransfersRequest{TakeoverUserID: "b", ExternalUserIDs: []string{"x"}})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	// Only the 200-character message reached the server.
	assert.Len(t, st.requests(), 1)
}

func TestTransferErrcodeIsReturned(t *testing.T) {
	st, svc := newStub(t)
	st.handle("/cgi-bin/externalcontact/transfer_customer", func([]byte) string {
		return `{"errcode":60111,"errmsg":"invalid userid zhangsan, hint: [1700000000_1_x]"}`
	})
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "b", ExternalUserIDs: []string{"x"}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	st.handle("/cgi-bin/externalcontact/resigned/transfer_customer", func([]byte) string { return `{"errcode":48002,"errmsg":"api forbidden"}` })
	_, err = svc.TransferResignedCustomers(testCtx(t), &TransferResignedCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"x"}})
	assert.True(t, wecom.IsPermissionDenied(err))
	st.handle("/cgi-bin/externalcontact/get_unassigned_list", func([]byte) string { return `{"errcode":-1,"errmsg":"system busy"}` })
	_, _, err = svc.ListUnassignedCustomers(testCtx(t), nil)
	assert.True(t, wecom.IsBusy(err))
}

func TestTransferResultsDecode(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/transfer_result", "transfer_result.json")
	rs, next, err := svc.ListTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", Cursor: "CURSOR"})
	require.NoError(t, err)
	assert.Equal(t, "NEXT_CURSOR", next)
	assert.Equal(t, jsonOf(t, `{"handover_userid":"zhangsan","takeover_userid":"lisi","cursor":"CURSOR"}`), jsonBody(t, st.requests()[0].Body))
	require.Len(t, rs, 3)
	assert.Equal(t, TransferResult{"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC", TransferStatusDone, 1588262400}, rs[0])
	assert.Equal(t, TransferResult{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", TransferStatusWaiting, 1588482400}, rs[1])
	assert.Equal(t, TransferStatusRefused, rs[2].Status)
	assert.Equal(t, time.Unix(1588262400, 0), rs[0].TakeoverAt())
	assert.True(t, rs[2].TakeoverAt().IsZero())

	// The first page leaves the cursor out.
	_, _, _ = svc.ListResignedTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	last := st.requests()[1]
	assert.Equal(t, "/cgi-bin/externalcontact/resigned/transfer_result", last.Path)
	assert.Equal(t, jsonOf(t, `{"handover_userid":"zhangsan","takeover_userid":"lisi"}`), jsonBody(t, last.Body))
}

func TestUnassignedCustomersDecode(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/get_unassigned_list", "get_unassigned_list.json")
	us, next, err := svc.ListUnassignedCustomers(testCtx(t), &ListUnassignedCustomersRequest{Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"page_size":100}`), jsonBody(t, st.requests()[0].Body))
	assert.Equal(t, "aSfwejksvhToiMMfFeIGZZ", next)
	require.Len(t, us, 2)
	assert.Equal(t, UnassignedCustomer{"zhangsan", "woAJ2GCAAAd4uL12hdfsdasassdDmAAAAA", 1550838571}, us[0])
	assert.Equal(t, "lisi", us[1].HandoverUserID)
	assert.Equal(t, time.Unix(1550661468, 0), us[1].DimissionAt())
}

func TestTransferIterators(t *testing.T) {
	page := func(ids string, next string) string {
		var rows []string
		for _, id := range strings.Split(ids, ",") {
			if id != "" {
				rows = append(rows, fmt.Sprintf(`{"external_userid":%q,"status":1,"takeover_time":1}`, id))
			}
		}
		return fmt.Sprintf(`{"errcode":0,"errmsg":"ok","customer":[%s],"next_cursor":%q}`, strings.Join(rows, ","), next)
	}
	ids := func(rs []TransferResult) (out []string) {
		for _, r := range rs {
			out = append(out, r.ExternalUserID)
		}
		return out
	}
	path := "/cgi-bin/externalcontact/transfer_result"

	t.Run("empty", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("", "")})
		got, err := collect(svc.AllTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}))
		require.NoError(t, err)
		assert.Empty(t, got)
		assert.Len(t, st.requests(), 1)
	})
	t.Run("one page", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("w1,w2", "")})
		got, err := collect(svc.AllTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}))
		require.NoError(t, err)
		assert.Equal(t, []string{"w1", "w2"}, ids(got))
	})
	t.Run("many pages", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("w1,w2", "c1"), "c1": page("w3", "c2"), "c2": page("w4", "")})
		got, err := collect(svc.AllTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}))
		require.NoError(t, err)
		assert.Equal(t, []string{"w1", "w2", "w3", "w4"}, ids(got))
		reqs := st.requests()
		require.Len(t, reqs, 3)
		assert.Equal(t, jsonOf(t, `{"handover_userid":"a","takeover_userid":"b","cursor":"c2"}`), jsonBody(t, reqs[2].Body))
	})
	t.Run("error midway", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("w1", "c1"), "c1": `{"errcode":-1,"errmsg":"system busy"}`})
		got, err := collect(svc.AllTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}))
		assert.True(t, wecom.IsBusy(err))
		assert.Equal(t, []string{"w1"}, ids(got))
	})
	t.Run("early break", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("w1,w2", "c1"), "c1": page("w3", "")})
		for r, err := range svc.AllTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}) {
			require.NoError(t, err)
			if r.ExternalUserID == "w1" {
				break
			}
		}
		assert.Len(t, st.requests(), 1)
	})
	t.Run("resigned", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages("/cgi-bin/externalcontact/resigned/transfer_result", map[string]string{"": page("r1", "c1"), "c1": page("r2", "")})
		got, err := collect(svc.AllResignedTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b"}))
		require.NoError(t, err)
		assert.Equal(t, []string{"r1", "r2"}, ids(got))
	})
}

func TestUnassignedIteratorStopsAtIsLast(t *testing.T) {
	st, svc := newStub(t)
	path := "/cgi-bin/externalcontact/get_unassigned_list"
	st.pages(path, map[string]string{
		"":   `{"errcode":0,"errmsg":"ok","info":[{"handover_userid":"a","external_userid":"w1","dimission_time":1}],"is_last":false,"next_cursor":"c1"}`,
		"c1": `{"errcode":0,"errmsg":"ok","info":[{"handover_userid":"a","external_userid":"w2","dimission_time":1}],"is_last":true,"next_cursor":"c2"}`,
	})
	got, err := collect(svc.AllUnassignedCustomers(testCtx(t), &ListUnassignedCustomersRequest{Limit: 1}))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "w2", got[1].ExternalUserID)
	reqs := st.requests()
	require.Len(t, reqs, 2) // is_last wins over the cursor
	assert.Equal(t, jsonOf(t, `{"cursor":"c1","page_size":1}`), jsonBody(t, reqs[1].Body))
}

// transferFixture: members zhangsan and lisi, two customers of zhangsan.
func transferFixture(t *testing.T) (*wecomtest.Server, *Service, []string) {
	s, svc := newEnv(t)
	addUsers(t, s, "zhangsan", "lisi", "wangwu")
	ids := []string{addCustomer(t, s, "小鱼儿", "zhangsan"), addCustomer(t, s, "王芳", "zhangsan", "wangwu")}
	return s, svc, ids
}

func TestOnJobTransferRoundTrip(t *testing.T) {
	s, svc, ids := transferFixture(t)
	ctx := testCtx(t)
	s.SetCallback("", 0, 0, 0)
	before := len(s.Events())

	out, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi",
		ExternalUserIDs: append(ids, "wmUnknownCustomer0000000000000000"), TransferSuccessMsg: "由李四继续为您服务"})
	require.NoError(t, err)
	require.Len(t, out, 3)
	assert.True(t, out[0].OK())
	assert.True(t, out[1].OK())
	assert.Equal(t, wecom.CodeInvalidExternalUserID, out[2].Code)

	// A second transfer while the first waits is refused per customer.
	again, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "wangwu", ExternalUserIDs: ids[:1]})
	require.NoError(t, err)
	assert.Equal(t, wecom.Code(40129), again[0].Code)

	rs, next, err := svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	assert.Empty(t, next)
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.Equal(t, TransferStatusWaiting, r.Status)
		assert.Equal(t, testStart.Add(24*time.Hour).Unix(), r.TakeoverTime)
	}
	assert.Len(t, s.FollowsOf("zhangsan"), 2, "nothing moves during the wait")

	s.Clock().Advance(24*time.Hour - time.Second)
	rs, _, err = svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	assert.Equal(t, TransferStatusWaiting, rs[0].Status)

	s.Clock().Advance(time.Second)
	rs, _, err = svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.Equal(t, TransferStatusDone, r.Status)
	}
	assert.Empty(t, s.FollowsOf("zhangsan"))
	assert.Len(t, s.FollowsOf("lisi"), 2)
	assert.Len(t, s.FollowsOf("wangwu"), 1, "other relations stay")

	var dels, adds int
	for _, ev := range s.Events()[before:] {
		switch ev.ChangeType {
		case "del_external_contact":
			dels++
			assert.Equal(t, "zhangsan", ev.Get("UserID"))
			assert.Equal(t, "DELETE_BY_TRANSFER", ev.Get("Source"))
		case "add_external_contact":
			adds++
			assert.Equal(t, "lisi", ev.Get("UserID"))
		}
	}
	assert.Equal(t, 2, dels)
	assert.Equal(t, 2, adds)

	// Other pairs have no record.
	rs, _, err = svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "wangwu"})
	require.NoError(t, err)
	assert.Empty(t, rs)
	_, _, err = svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "nobody"})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
}

func TestTransferServerValidation(t *testing.T) {
	s, svc, ids := transferFixture(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "gone", CustomerContact: true, Resigned: true}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "sleepy", CustomerContact: true, Inactive: true}))
	ctx := testCtx(t)
	call := func(from, to string) error {
		_, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: from, TakeoverUserID: to, ExternalUserIDs: ids})
		return err
	}
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(call("nobody", "lisi")))
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(call("zhangsan", "gone")))
	assert.Equal(t, wecom.CodeMemberNotActivated, wecom.ErrorCode(call("zhangsan", "sleepy")))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(call("zhangsan", "zhangsan")))
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(call("gone", "lisi")), "on-job transfer of a resigned member")
	_, err := svc.TransferResignedCustomers(ctx, &TransferResignedCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "resigned transfer of a member still here")

	out, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "lisi", TakeoverUserID: "wangwu", ExternalUserIDs: ids})
	require.NoError(t, err)
	assert.Equal(t, wecom.CodeNoRelationship, out[0].Code)
}

func TestTransferRefusedAndOverLimit(t *testing.T) {
	s, svc, ids := transferFixture(t)
	ctx := testCtx(t)
	_, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids[:1]})
	require.NoError(t, err)
	require.NoError(t, s.RefuseTransfer(ids[0]))
	assert.Error(t, s.RefuseTransfer(ids[0]), "nothing waits any more")
	_, err = svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "wangwu", ExternalUserIDs: ids[1:]})
	require.NoError(t, err)
	s.SetCustomerLimit("wangwu", 1) // wangwu already follows ids[1]
	s.Clock().Advance(25 * time.Hour)

	rs, _, err := svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	assert.Equal(t, TransferStatusRefused, rs[0].Status)
	rs, _, err = svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "wangwu"})
	require.NoError(t, err)
	assert.Equal(t, TransferStatusTakeoverLimit, rs[0].Status)
	assert.Len(t, s.FollowsOf("zhangsan"), 2, "neither moved")

	reasons := map[string]bool{}
	for _, ev := range s.Events() {
		if ev.ChangeType == "transfer_fail" {
			reasons[ev.Get("FailReason")] = true
		}
	}
	assert.Equal(t, map[string]bool{"customer_refused": true, "customer_limit_exceed": true}, reasons)
}

// clockSleep is a poll sleep that moves the server clock instead of
// waiting, and counts the polls.
// It replaces the package's waitSleep until the test ends.
func clockSleep(t *testing.T, s *wecomtest.Server, polls *int) {
	waitSleep = func(ctx context.Context, d time.Duration) error {
		*polls++
		s.Clock().Advance(10 * time.Hour)
		return ctx.Err()
	}
	t.Cleanup(func() { waitSleep = nil })
}

func TestWaitTransfers(t *testing.T) {
	s, svc, ids := transferFixture(t)
	ctx := testCtx(t)
	_, err := svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	require.NoError(t, err)
	polls := 0
	clockSleep(t, s, &polls)
	rs, err := svc.WaitTransfers(ctx, &WaitTransfersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: []string{ids[1], ids[0], "wmNeverTransferred"},
		WaitOptions: wecom.WaitOptions{PollInterval: time.Millisecond, MaxPollInterval: time.Millisecond}}, wecom.MaxAttempts(1))
	require.NoError(t, err)
	assert.Equal(t, 3, polls, "10h steps: waiting at 0h, 10h, 20h; done at 30h")
	require.Len(t, rs, 3)
	assert.Equal(t, ids[1], rs[0].ExternalUserID)
	assert.Equal(t, TransferStatusDone, rs[0].Status)
	assert.Equal(t, TransferStatusDone, rs[1].Status)
	assert.Equal(t, TransferResult{ExternalUserID: "wmNeverTransferred", Status: TransferStatusNoRecord}, rs[2])
	assert.Len(t, s.FollowsOf("lisi"), 2)
}

func TestWaitTransfersStopsWithContext(t *testing.T) {
	s, svc, ids := transferFixture(t)
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = svc.WaitTransfers(ctx, &WaitTransfersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids, WaitOptions: wecom.WaitOptions{PollInterval: time.Millisecond, MaxPollInterval: 2 * time.Millisecond}})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "wait for the transfer of 2 customers from zhangsan to lisi")
	assert.Len(t, s.FollowsOf("zhangsan"), 2)
}

func TestWaitTransfersStopsAtAFailingPoll(t *testing.T) {
	// A server of its own: a poll canceled above may still reach its
	// server after the test moved on, and would eat a queued fault.
	s, svc, ids := transferFixture(t)
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	require.NoError(t, err)
	s.FailNext("/cgi-bin/externalcontact/transfer_result", 1, wecomtest.Fault{Code: 48002})
	_, err = svc.WaitTransfers(testCtx(t), &WaitTransfersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	assert.True(t, wecom.IsPermissionDenied(err))
	assert.Len(t, s.RequestsTo("/cgi-bin/externalcontact/transfer_result"), 1)
}

func TestResignedTransferRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	addUsers(t, s, "lisi")
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true, Resigned: true, DimissionTime: testStart.Add(-48 * time.Hour).Unix()}))
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, addCustomer(t, s, fmt.Sprintf("客户%d", i), "zhangsan"))
	}
	addCustomer(t, s, "lisi的客户", "lisi")
	ctx := testCtx(t)

	var listed []string
	for u, err := range svc.AllUnassignedCustomers(ctx, &ListUnassignedCustomersRequest{Limit: 2}) {
		require.NoError(t, err)
		assert.Equal(t, "zhangsan", u.HandoverUserID)
		assert.Equal(t, testStart.Add(-48*time.Hour).Unix(), u.DimissionTime)
		listed = append(listed, u.ExternalUserID)
	}
	assert.Equal(t, ids, listed)
	assert.Len(t, s.RequestsTo("/cgi-bin/externalcontact/get_unassigned_list"), 3)

	out, err := svc.TransferResignedCustomers(ctx, &TransferResignedCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids[:3]})
	require.NoError(t, err)
	require.Len(t, out, 3)
	for _, o := range out {
		assert.True(t, o.OK())
		assert.NoError(t, o.Err())
	}
	sent := s.RequestsTo("/cgi-bin/externalcontact/resigned/transfer_customer")
	require.Len(t, sent, 1)
	assert.Equal(t, jsonOf(t, fmt.Sprintf(`{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":[%q,%q,%q]}`, ids[0], ids[1], ids[2])), jsonBody(t, sent[0].Body))

	rest, next, err := svc.ListUnassignedCustomers(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, next)
	assert.Len(t, rest, 2, "assigned customers leave the unassigned list")

	polls := 0
	clockSleep(t, s, &polls)
	rs, err := svc.WaitResignedTransfers(ctx, &WaitResignedTransfersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids[:3]})
	require.NoError(t, err)
	require.Len(t, rs, 3)
	for _, r := range rs {
		assert.Equal(t, TransferStatusDone, r.Status)
	}
	assert.Len(t, s.FollowsOf("lisi"), 4)
	assert.Len(t, s.FollowsOf("zhangsan"), 2)
	for _, ev := range s.Events() {
		assert.NotEqual(t, "del_external_contact", ev.ChangeType, "a resigned member's relation just moves")
	}
	// The on-job results do not list resigned transfers.
	onjob, _, err := svc.ListTransferResults(ctx, &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	assert.Empty(t, onjob)
}

func TestTransferIsNotRetriedWhenMaybeApplied(t *testing.T) {
	s, svc, ids := transferFixture(t)
	s.FailNext("/cgi-bin/externalcontact/transfer_customer", 1, wecomtest.Fault{AfterApply: true, Code: -1})
	_, err := svc.TransferCustomers(testCtx(t), &TransferCustomersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids})
	require.Error(t, err)
	assert.True(t, wecom.IsMaybeApplied(err))
	assert.Len(t, s.RequestsTo("/cgi-bin/externalcontact/transfer_customer"), 1)
	rs, _, err := svc.ListTransferResults(testCtx(t), &ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	require.NoError(t, err)
	assert.Len(t, rs, 2, "the server applied it: the caller finds out by reading")
}
