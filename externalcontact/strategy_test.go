package externalcontact

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/strategy"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestStrategySamplesDecode(t *testing.T) {
	svc, sent := fakeFile(t, "customer_strategy_get.json")
	st, err := svc.GetStrategy(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/externalcontact/customer_strategy/get", sent()[0].Path)
	assert.JSONEq(t, `{"strategy_id":1}`, string(sent()[0].Body))
	assert.Equal(t, &Strategy{
		StrategyID: 1, StrategyName: "NAME", CreateTime: 1557838797, AdminList: []string{"zhangsan", "lisi"},
		Privilege: StrategyPrivilege{
			ViewCustomerList: true, ViewCustomerData: true, ViewRoomList: true, ContactMe: true, JoinRoom: true,
			ShareCustomer: false, OperResignCustomer: true, OperResignGroup: true, SendCustomerMsg: true,
			EditWelcomeMsg: true, ViewBehaviorData: true, ViewRoomData: true, SendGroupMsg: true,
			RoomDeduplication: true, RapidReply: true, OnjobCustomerTransfer: true, EditAntiSpamRule: true,
			ExportCustomerList: true, ExportCustomerData: true, ExportCustomerGroupList: true, ManageCustomerTag: true,
		},
	}, st)

	svc, sent = fakeFile(t, "customer_strategy_get_range.json")
	rs, next, err := svc.ListStrategyRange(context.Background(), &ListStrategyRangeRequest{StrategyID: 1, Cursor: "C", Limit: 10})
	require.NoError(t, err)
	assert.JSONEq(t, `{"strategy_id":1,"cursor":"C","limit":10}`, string(sent()[0].Body))
	assert.Equal(t, "NEXT_CURSOR", next)
	assert.Equal(t, []strategy.Range{strategy.Member("zhangsan"), strategy.Department(1)}, rs)
	assert.Equal(t, "member", strategy.RangeMember.String())
	assert.Equal(t, "department", strategy.RangeDepartment.String())
	assert.Equal(t, "RangeType(0)", strategy.RangeType(0).String())
}

func TestStrategyRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan", "lisi", "wangwu")

	priv := &StrategyPrivilege{ViewCustomerList: true, ContactMe: true, ManageCustomerTag: true}
	id, err := svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "华南区", AdminList: []string{"zhangsan"}, Privilege: priv,
		Range: []strategy.Range{strategy.Member("lisi"), strategy.Department(2)}})
	require.NoError(t, err)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/customer_strategy/create")
	require.Len(t, reqs, 1)
	body := jsonBody(t, reqs[0].Body)
	assert.Equal(t, "华南区", body["strategy_name"])
	assert.Len(t, body["privilege"], 21, "every privilege is sent")
	assert.Equal(t, []any{map[string]any{"type": 1.0, "userid": "lisi"}, map[string]any{"type": 2.0, "partyid": 2.0}}, body["range"])

	child, err := svc.CreateStrategy(ctx, &CreateStrategyRequest{ParentID: id, StrategyName: "广州", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("wangwu")}})
	require.NoError(t, err)

	got, err := svc.GetStrategy(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "华南区", got.StrategyName)
	assert.Equal(t, []string{"zhangsan"}, got.AdminList)
	assert.Equal(t, *priv, got.Privilege)
	assert.NotZero(t, got.CreateTime)
	g2, err := svc.GetStrategy(ctx, child)
	require.NoError(t, err)
	assert.Equal(t, id, g2.ParentID)

	require.NoError(t, svc.EditStrategy(ctx, &EditStrategyRequest{StrategyID: id, StrategyName: "华南大区", AdminList: []string{"zhangsan", "lisi"},
		Privilege: &StrategyPrivilege{SendCustomerMsg: true}, RangeAdd: []strategy.Range{strategy.Member("wangwu")}, RangeDel: []strategy.Range{strategy.Department(2)}}))
	got, err = svc.GetStrategy(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "华南大区", got.StrategyName)
	assert.Equal(t, []string{"zhangsan", "lisi"}, got.AdminList)
	assert.Equal(t, StrategyPrivilege{SendCustomerMsg: true}, got.Privilege)
	var rng []strategy.Range
	for r, err := range svc.AllStrategyRange(ctx, &ListStrategyRangeRequest{StrategyID: id}) {
		require.NoError(t, err)
		rng = append(rng, r)
	}
	assert.Equal(t, []strategy.Range{strategy.Member("lisi"), strategy.Member("wangwu")}, rng)

	var ids []int
	for sid, err := range svc.AllStrategyIDs(ctx, nil) {
		require.NoError(t, err)
		ids = append(ids, sid)
	}
	assert.Equal(t, []int{id, child}, ids)

	require.NoError(t, svc.DeleteStrategy(ctx, child))
	_, err = svc.GetStrategy(ctx, child)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Len(t, s.CustomerStrategies(), 1)

	for name, err := range map[string]error{
		"unknown admin":  ignore(svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "x", AdminList: []string{"ghost"}, Range: []strategy.Range{strategy.Member("lisi")}})),
		"unknown member": ignore(svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "x", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("ghost")}})),
		"edit unknown":   svc.EditStrategy(ctx, &EditStrategyRequest{StrategyID: 99, StrategyName: "x"}),
		"del unknown":    svc.DeleteStrategy(ctx, 99),
	} {
		assert.NotZero(t, wecom.ErrorCode(err), "%s: %v", name, err)
	}
	_, err = svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "x"})
	invalid(t, err)
	_, err = svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "x", AdminList: []string{"lisi"}, Range: []strategy.Range{{Type: strategy.RangeMember}}})
	invalid(t, err)
	_, err = svc.CreateStrategy(ctx, nil)
	invalid(t, err)
	invalid(t, svc.EditStrategy(ctx, &EditStrategyRequest{}))
	invalid(t, svc.EditStrategy(ctx, nil))
	invalid(t, svc.EditStrategy(ctx, &EditStrategyRequest{StrategyID: 1, RangeAdd: []strategy.Range{strategy.Department(0)}}))
	invalid(t, svc.DeleteStrategy(ctx, 0))
	_, err = svc.GetStrategy(ctx, 0)
	invalid(t, err)
	_, _, err = svc.ListStrategyIDs(ctx, &ListStrategyIDsRequest{Limit: 1001})
	invalid(t, err)
	_, _, err = svc.ListStrategyRange(ctx, nil)
	invalid(t, err)
}

func TestStrategyIterators(t *testing.T) {
	ctx := context.Background()
	listPath := "/cgi-bin/externalcontact/customer_strategy/list"
	setup := func(t *testing.T, n int) (*wecomtest.Server, *Service, []int) {
		s, svc := newEnv(t)
		addUsers(t, s, "zhangsan")
		var ids []int
		for i := 0; i < n; i++ {
			id, err := svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: fmt.Sprint("s", i), AdminList: []string{"zhangsan"}, Range: []strategy.Range{strategy.Member("zhangsan")}})
			require.NoError(t, err)
			ids = append(ids, id)
		}
		return s, svc, ids
	}
	collect := func(svc *Service) ([]int, error) {
		var out []int
		for id, err := range svc.AllStrategyIDs(ctx, &ListStrategyIDsRequest{Limit: 10}) {
			if err != nil {
				return out, err
			}
			out = append(out, id)
		}
		return out, nil
	}

	t.Run("empty", func(t *testing.T) {
		_, svc, _ := setup(t, 0)
		got, err := collect(svc)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("many pages", func(t *testing.T) {
		s, svc, ids := setup(t, 25)
		got, err := collect(svc)
		require.NoError(t, err)
		assert.Equal(t, ids, got)
		reqs := s.RequestsTo(listPath)
		require.Len(t, reqs, 3)
		assert.JSONEq(t, `{"limit":10}`, string(reqs[0].Body))
		assert.JSONEq(t, `{"limit":10,"cursor":"`+jsonBody(t, reqs[2].Body)["cursor"].(string)+`"}`, string(reqs[2].Body))
	})
	t.Run("error midway and early break", func(t *testing.T) {
		s, svc, _ := setup(t, 15)
		s.FailNext(listPath, 1, wecomtest.Fault{Delay: 1})
		s.FailNext(listPath, 1, wecomtest.Fault{Code: 48002})
		got, err := collect(svc)
		assert.True(t, wecom.IsPermissionDenied(err))
		assert.Len(t, got, 10)
		s.ResetRequests()
		for range svc.AllStrategyIDs(ctx, nil) {
			break
		}
		assert.Len(t, s.RequestsTo(listPath), 1)
	})
}
