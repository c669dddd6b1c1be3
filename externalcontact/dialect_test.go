package externalcontact

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

// Tests of the rules every method of the package keeps: a nil request is
// the zero request, argument errors wrap wecom.ErrInvalidArgument, page
// iterators take Limit from the request (default the maximum) and never
// write to it, per-item failures become errors through ItemStatus, and
// time helpers give the zero time for 0.

// TestNilRequestIsTheZeroRequest calls every method that takes a request
// with nil: those with a required field refuse without a call, the others
// send the zero request.
func TestNilRequestIsTheZeroRequest(t *testing.T) {
	st, svc := newStub(t)
	st.fallback = []byte(`{"errcode":0,"errmsg":"ok"}`)
	ctx := testCtx(t)
	e := func(_ any, err error) error { return err }
	e3 := func(_, _ any, err error) error { return err }

	refused := map[string]error{
		"BatchGetCustomers":           e3(svc.BatchGetCustomers(ctx, nil)),
		"GetCustomerPage":             e3(svc.GetCustomerPage(ctx, nil)),
		"Remark":                      svc.Remark(ctx, nil),
		"AddCorpTags":                 e(svc.AddCorpTags(ctx, nil)),
		"EditCorpTag":                 svc.EditCorpTag(ctx, nil),
		"DeleteCorpTags":              svc.DeleteCorpTags(ctx, nil),
		"MarkTags":                    svc.MarkTags(ctx, nil),
		"AddStrategyTags":             e(svc.AddStrategyTags(ctx, nil)),
		"EditStrategyTag":             svc.EditStrategyTag(ctx, nil),
		"DeleteStrategyTags":          svc.DeleteStrategyTags(ctx, nil),
		"CreateStrategy":              e(svc.CreateStrategy(ctx, nil)),
		"EditStrategy":                svc.EditStrategy(ctx, nil),
		"ListStrategyRange":           e3(svc.ListStrategyRange(ctx, nil)),
		"AddContactWay":               e3(svc.AddContactWay(ctx, nil)),
		"UpdateContactWay":            svc.UpdateContactWay(ctx, nil),
		"CloseTempChat":               svc.CloseTempChat(ctx, nil),
		"UnionIDToExternalUserID":     e(svc.UnionIDToExternalUserID(ctx, nil)),
		"TransferCustomers":           e(svc.TransferCustomers(ctx, nil)),
		"TransferResignedCustomers":   e(svc.TransferResignedCustomers(ctx, nil)),
		"ListTransferResults":         e3(svc.ListTransferResults(ctx, nil)),
		"ListResignedTransferResults": e3(svc.ListResignedTransferResults(ctx, nil)),
		"WaitTransfers":               e(svc.WaitTransfers(ctx, nil)),
		"WaitResignedTransfers":       e(svc.WaitResignedTransfers(ctx, nil)),
		"AddMsgTemplate":              e(svc.AddMsgTemplate(ctx, nil)),
		"ListGroupMsgs":               e3(svc.ListGroupMsgs(ctx, nil)),
		"ListGroupMsgTasks":           e3(svc.ListGroupMsgTasks(ctx, nil)),
		"ListGroupMsgSendResults":     e3(svc.ListGroupMsgSendResults(ctx, nil)),
		"SendWelcomeMsg":              svc.SendWelcomeMsg(ctx, nil),
		"GetUserBehaviors":            e(svc.GetUserBehaviors(ctx, nil)),
		"AddInterceptRule":            e(svc.AddInterceptRule(ctx, nil)),
		"UpdateInterceptRule":         svc.UpdateInterceptRule(ctx, nil),
		"AddProductAlbum":             e(svc.AddProductAlbum(ctx, nil)),
		"UpdateProductAlbum":          svc.UpdateProductAlbum(ctx, nil),
		"CreateAcquisitionLink":       e(svc.CreateAcquisitionLink(ctx, nil)),
		"UpdateAcquisitionLink":       svc.UpdateAcquisitionLink(ctx, nil),
		"ListAcquisitionCustomers":    e3(svc.ListAcquisitionCustomers(ctx, nil)),
		"GetAcquisitionStats":         e(svc.GetAcquisitionStats(ctx, nil)),
		"ExportCustomers(nil fn)":     e(svc.ExportCustomers(ctx, nil, nil)),
		// Single-id methods refuse the empty id the same way.
		"ListCustomers":         e(svc.ListCustomers(ctx, "")),
		"GetCustomer":           e(svc.GetCustomer(ctx, "")),
		"GetContactWay":         e(svc.GetContactWay(ctx, "")),
		"DeleteContactWay":      svc.DeleteContactWay(ctx, ""),
		"GetStrategy":           e(svc.GetStrategy(ctx, 0)),
		"DeleteStrategy":        svc.DeleteStrategy(ctx, 0),
		"ConvertToOpenID":       e(svc.ConvertToOpenID(ctx, "")),
		"ToService":             e(svc.ToServiceExternalUserID(ctx, "")),
		"GetNewExternalUserIDs": e(svc.GetNewExternalUserIDs(ctx, nil)),
		"RemindGroupMsgSend":    svc.RemindGroupMsgSend(ctx, ""),
		"CancelGroupMsgSend":    svc.CancelGroupMsgSend(ctx, ""),
		"GetInterceptRule":      e(svc.GetInterceptRule(ctx, "")),
		"DeleteInterceptRule":   svc.DeleteInterceptRule(ctx, ""),
		"GetProductAlbum":       e(svc.GetProductAlbum(ctx, "")),
		"DeleteProductAlbum":    svc.DeleteProductAlbum(ctx, ""),
		"GetAcquisitionLink":    e(svc.GetAcquisitionLink(ctx, "")),
		"DeleteAcquisitionLink": svc.DeleteAcquisitionLink(ctx, ""),
	}
	for name, err := range refused {
		t.Run(name, func(t *testing.T) { invalid(t, err) })
	}
	require.Empty(t, st.requests(), "a refused call is never sent")

	// The rest send the zero request: an empty body.
	sentZero := map[string]func() error{
		"ListCorpTags":            func() error { return e(svc.ListCorpTags(ctx, nil)) },
		"ListStrategyTags":        func() error { return e(svc.ListStrategyTags(ctx, nil)) },
		"ListStrategyIDs":         func() error { return e3(svc.ListStrategyIDs(ctx, nil)) },
		"ListContactWayIDs":       func() error { return e3(svc.ListContactWayIDs(ctx, nil)) },
		"ListAcquisitionLinkIDs":  func() error { return e3(svc.ListAcquisitionLinkIDs(ctx, nil)) },
		"ListProductAlbums":       func() error { return e3(svc.ListProductAlbums(ctx, nil)) },
		"ListUnassignedCustomers": func() error { return e3(svc.ListUnassignedCustomers(ctx, nil)) },
	}
	for name, call := range sentZero {
		n := len(st.requests())
		require.NoError(t, call(), name)
		reqs := st.requests()
		require.Len(t, reqs, n+1, name)
		assert.JSONEq(t, `{}`, string(reqs[n].Body), name)
	}
	stats, err := svc.ExportCustomers(ctx, nil, func(CustomerRelation) error { return nil })
	require.NoError(t, err, "no members: nothing to export")
	assert.Zero(t, stats.Staff)
}

func drain[T any](seq iter.Seq2[T, error]) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// TestIteratorsTakeLimitAndKeepTheRequest walks every page iterator over
// two pages: the first page is asked for without the caller's stale
// cursor and with the endpoint's largest page, the second with the cursor
// WeCom handed back, and the caller's request is left as it was.
func TestIteratorsTakeLimitAndKeepTheRequest(t *testing.T) {
	// One answer shape for every list endpoint: each reads its own key.
	item := `"link_id_list":["l"],"customer_list":[{"userid":"u"}],"product_list":[{"product_id":"p"}],` +
		`"strategy":[{"strategy_id":1}],"range":[{"type":1,"userid":"u"}],"task_list":[{"userid":"u"}],` +
		`"send_list":[{"userid":"u"}],"customer":[{"external_userid":"w"}],"info":[{"external_userid":"w"}],` +
		`"contact_way":[{"config_id":"c"}],"group_msg_list":[{"msgid":"m","create_time":1}],` +
		`"external_contact_list":[{"external_contact":{"external_userid":"w"}}]`
	pages := map[string]string{
		"":   `{"errcode":0,"errmsg":"ok","next_cursor":"c1",` + item + `}`,
		"c1": `{"errcode":0,"errmsg":"ok","next_cursor":"",` + item + `}`,
	}
	type tc struct {
		path     string
		limitKey string // "" for endpoints without a page size
		max      int
		mk       func() any
		run      func(context.Context, *Service, any) (int, error)
	}
	cases := map[string]tc{
		"AllAcquisitionLinkIDs": {"/cgi-bin/externalcontact/customer_acquisition/list_link", "limit", MaxAcquisitionListLimit,
			func() any { return &ListAcquisitionLinkIDsRequest{Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllAcquisitionLinkIDs(ctx, r.(*ListAcquisitionLinkIDsRequest)))
			}},
		"AllAcquisitionCustomers": {"/cgi-bin/externalcontact/customer_acquisition/customer", "limit", MaxAcquisitionCustomerPage,
			func() any { return &ListAcquisitionCustomersRequest{LinkID: "l", Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllAcquisitionCustomers(ctx, r.(*ListAcquisitionCustomersRequest)))
			}},
		"AllProductAlbums": {"/cgi-bin/externalcontact/get_product_album_list", "limit", MaxAlbumListLimit,
			func() any { return &ListProductAlbumsRequest{Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllProductAlbums(ctx, r.(*ListProductAlbumsRequest)))
			}},
		"AllStrategyIDs": {"/cgi-bin/externalcontact/customer_strategy/list", "limit", MaxStrategyListLimit,
			func() any { return &ListStrategyIDsRequest{Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllStrategyIDs(ctx, r.(*ListStrategyIDsRequest)))
			}},
		"AllStrategyRange": {"/cgi-bin/externalcontact/customer_strategy/get_range", "limit", MaxStrategyListLimit,
			func() any { return &ListStrategyRangeRequest{StrategyID: 7, Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllStrategyRange(ctx, r.(*ListStrategyRangeRequest)))
			}},
		"AllGroupMsgs": {"/cgi-bin/externalcontact/get_groupmsg_list_v2", "limit", MaxGroupMsgListLimit,
			func() any {
				return &ListGroupMsgsRequest{ChatType: ChatTypeSingle, StartTime: 1, EndTime: 2, Cursor: "STALE"}
			},
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllGroupMsgs(ctx, r.(*ListGroupMsgsRequest)))
			}},
		"AllGroupMsgTasks": {"/cgi-bin/externalcontact/get_groupmsg_task", "limit", MaxGroupMsgTaskLimit,
			func() any { return &ListGroupMsgTasksRequest{MsgID: "m", Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllGroupMsgTasks(ctx, r.(*ListGroupMsgTasksRequest)))
			}},
		"AllGroupMsgSendResults": {"/cgi-bin/externalcontact/get_groupmsg_send_result", "limit", MaxGroupMsgTaskLimit,
			func() any { return &ListGroupMsgSendResultsRequest{MsgID: "m", UserID: "u", Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllGroupMsgSendResults(ctx, r.(*ListGroupMsgSendResultsRequest)))
			}},
		"AllTransferResults": {"/cgi-bin/externalcontact/transfer_result", "", 0,
			func() any {
				return &ListTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b", Cursor: "STALE"}
			},
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllTransferResults(ctx, r.(*ListTransferResultsRequest)))
			}},
		"AllResignedTransferResults": {"/cgi-bin/externalcontact/resigned/transfer_result", "", 0,
			func() any {
				return &ListResignedTransferResultsRequest{HandoverUserID: "a", TakeoverUserID: "b", Cursor: "STALE"}
			},
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllResignedTransferResults(ctx, r.(*ListResignedTransferResultsRequest)))
			}},
		"AllUnassignedCustomers": {"/cgi-bin/externalcontact/get_unassigned_list", "page_size", MaxUnassignedPageSize,
			func() any { return &ListUnassignedCustomersRequest{Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllUnassignedCustomers(ctx, r.(*ListUnassignedCustomersRequest)))
			}},
		"AllContactWayIDs": {"/cgi-bin/externalcontact/list_contact_way", "limit", MaxContactWayListLimit,
			func() any { return &ListContactWayIDsRequest{StartTime: 1, Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllContactWayIDs(ctx, r.(*ListContactWayIDsRequest)))
			}},
		"AllCustomersOf": {"/cgi-bin/externalcontact/batch/get_by_user", "limit", MaxBatchLimit,
			func() any { return &BatchGetCustomersRequest{UserIDs: []string{"u"}, Cursor: "STALE"} },
			func(ctx context.Context, s *Service, r any) (int, error) {
				return drain(s.AllCustomersOf(ctx, r.(*BatchGetCustomersRequest)))
			}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			st, svc := newStub(t)
			st.pages(c.path, pages)
			req := c.mk()
			n, err := c.run(testCtx(t), svc, req)
			require.NoError(t, err)
			assert.Equal(t, 2, n, "one item on each of two pages")
			assert.Equal(t, c.mk(), req, "the caller's request is not written to")
			reqs := st.requests()
			require.Len(t, reqs, 2)
			first, second := jsonBody(t, reqs[0].Body), jsonBody(t, reqs[1].Body)
			assert.NotContains(t, first, "cursor", "the iterator starts from the first page")
			assert.Equal(t, "c1", second["cursor"])
			if c.limitKey != "" {
				assert.EqualValues(t, c.max, first[c.limitKey], "default page size: the maximum")
				assert.EqualValues(t, c.max, second[c.limitKey])
			}
		})
	}

	// A Limit in the request is used as given.
	st, svc := newStub(t)
	st.pages("/cgi-bin/externalcontact/get_groupmsg_task", pages)
	n, err := drain(svc.AllGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "m", Limit: 7}))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.EqualValues(t, 7, jsonBody(t, st.requests()[0].Body)["limit"])
	// And a bad one is refused by the first page.
	n, err = drain(svc.AllGroupMsgTasks(testCtx(t), &ListGroupMsgTasksRequest{MsgID: "m", Limit: MaxGroupMsgTaskLimit + 1}))
	invalid(t, err)
	assert.Zero(t, n)
}

// TestTransferOutcomeErr: a customer WeCom did not transfer becomes an
// error only through ItemStatus, naming the endpoint it came from.
func TestTransferOutcomeErr(t *testing.T) {
	st, svc := newStub(t)
	body := `{"errcode":0,"errmsg":"ok","customer":[{"external_userid":"wmA","errcode":0},` +
		`{"external_userid":"wmB","errcode":40129,"errmsg":"customer is being transferred"}]}`
	st.handle("/cgi-bin/externalcontact/transfer_customer", func([]byte) string { return body })
	st.handle("/cgi-bin/externalcontact/resigned/transfer_customer", func([]byte) string { return body })
	ctx := testCtx(t)
	for path, transfer := range map[string]func() ([]TransferOutcome, error){
		"/cgi-bin/externalcontact/transfer_customer": func() ([]TransferOutcome, error) {
			return svc.TransferCustomers(ctx, &TransferCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"wmA", "wmB"}})
		},
		"/cgi-bin/externalcontact/resigned/transfer_customer": func() ([]TransferOutcome, error) {
			return svc.TransferResignedCustomers(ctx, &TransferResignedCustomersRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserIDs: []string{"wmA", "wmB"}})
		},
	} {
		out, err := transfer()
		require.NoError(t, err, path)
		require.Len(t, out, 2, path)
		assert.Equal(t, "wmA", out[0].ExternalUserID)
		assert.True(t, out[0].OK())
		assert.NoError(t, out[0].Err())
		assert.False(t, out[1].OK())
		var we *wecom.Error
		require.True(t, errors.As(out[1].Err(), &we), path)
		assert.Equal(t, wecom.Code(40129), we.Code)
		assert.Equal(t, "customer is being transferred", we.Message)
		assert.Equal(t, path, we.Path)
	}
	assert.NoError(t, TransferOutcome{}.Err(), "the zero outcome is a success")
}

// TestTimeHelpers: every XxxAt helper gives the zero time for 0 and the
// Unix time otherwise.
func TestTimeHelpers(t *testing.T) {
	const sec = 1700000000
	at := time.Unix(sec, 0)
	helpers := map[string]func(int64) time.Time{
		"AcquisitionLink.CreateAt":      func(v int64) time.Time { return AcquisitionLink{CreateTime: v}.CreateAt() },
		"FollowUser.CreateAt":           func(v int64) time.Time { return FollowUser{CreateTime: v}.CreateAt() },
		"FollowInfo.CreateAt":           func(v int64) time.Time { return FollowInfo{CreateTime: v}.CreateAt() },
		"InterceptRuleSummary.CreateAt": func(v int64) time.Time { return InterceptRuleSummary{CreateTime: v}.CreateAt() },
		"GroupMsg.CreateAt":             func(v int64) time.Time { return GroupMsg{CreateTime: v}.CreateAt() },
		"GroupMsgTask.SendAt":           func(v int64) time.Time { return GroupMsgTask{SendTime: v}.SendAt() },
		"GroupMsgSendResult.SendAt":     func(v int64) time.Time { return GroupMsgSendResult{SendTime: v}.SendAt() },
		"AlbumProduct.CreateAt":         func(v int64) time.Time { return AlbumProduct{CreateTime: v}.CreateAt() },
		"UserBehavior.StatAt":           func(v int64) time.Time { return UserBehavior{StatTime: v}.StatAt() },
		"Strategy.CreateAt":             func(v int64) time.Time { return Strategy{CreateTime: v}.CreateAt() },
		"TagGroup.CreateAt":             func(v int64) time.Time { return TagGroup{CreateTime: v}.CreateAt() },
		"Tag.CreateAt":                  func(v int64) time.Time { return Tag{CreateTime: v}.CreateAt() },
		"TransferResult.TakeoverAt":     func(v int64) time.Time { return TransferResult{TakeoverTime: v}.TakeoverAt() },
		"UnassignedCustomer.DimissionAt": func(v int64) time.Time {
			return UnassignedCustomer{DimissionTime: v}.DimissionAt()
		},
	}
	for name, h := range helpers {
		assert.True(t, h(0).IsZero(), "%s: 0 is the zero time, not 1970", name)
		assert.True(t, at.Equal(h(sec)), name)
	}
}
