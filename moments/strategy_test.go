package moments

import (
	"iter"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/strategy"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	pathStrategyList   = "/cgi-bin/externalcontact/moment_strategy/list"
	pathStrategyGet    = "/cgi-bin/externalcontact/moment_strategy/get"
	pathStrategyRange  = "/cgi-bin/externalcontact/moment_strategy/get_range"
	pathStrategyCreate = "/cgi-bin/externalcontact/moment_strategy/create"
	pathStrategyEdit   = "/cgi-bin/externalcontact/moment_strategy/edit"
	pathStrategyDel    = "/cgi-bin/externalcontact/moment_strategy/del"
)

func TestMomentStrategyDecodes(t *testing.T) {
	f, svc := newFake(t, pathStrategyGet, testdata(t, "moment_strategy_get.json"))
	st, err := svc.GetMomentStrategy(ctx(t), 1)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, f.requests()[0].Method)
	assert.JSONEq(t, `{"strategy_id":1}`, f.requests()[0].Body)
	assert.Equal(t, &MomentStrategy{
		StrategyID: 1, ParentID: 0, StrategyName: "NAME", CreateTime: 1557838797,
		AdminList: []string{"zhangsan", "lisi"},
		Privilege: MomentPrivilege{ViewMomentList: true, SendMoment: true, ManageMomentCoverAndSign: false},
	}, st)
	assert.Equal(t, time.Unix(1557838797, 0), st.CreateAt())

	f, svc = newFake(t, pathStrategyList, testdata(t, "moment_strategy_list.json"))
	ids, next, err := svc.ListMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Cursor: "C", Limit: 100})
	require.NoError(t, err)
	assert.JSONEq(t, `{"cursor":"C","limit":100}`, f.requests()[0].Body)
	assert.Equal(t, []int{1, 2}, ids)
	assert.Equal(t, "NEXT_CURSOR", next)
	_, _, err = svc.ListMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Cursor: "", Limit: 0})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, f.requests()[1].Body)

	f, svc = newFake(t, pathStrategyRange, testdata(t, "moment_strategy_get_range.json"))
	rs, next, err := svc.ListMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{StrategyID: 1, Cursor: "C", Limit: 10})
	require.NoError(t, err)
	assert.JSONEq(t, `{"strategy_id":1,"cursor":"C","limit":10}`, f.requests()[0].Body)
	assert.Equal(t, []strategy.Range{strategy.Member("zhangsan"), strategy.Department(1)}, rs)
	assert.Equal(t, "NEXT_CURSOR", next)
}

func TestMomentStrategyValidation(t *testing.T) {
	s, svc := newServer(t)
	okRange := []strategy.Range{strategy.Member("zhangsan")}
	tooMany := make([]string, 21)
	for i := range tooMany {
		tooMany[i] = "u"
	}
	errs := map[string]error{}
	_, _, errs["list limit"] = svc.ListMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Cursor: "", Limit: 1001})
	_, errs["get id"] = svc.GetMomentStrategy(ctx(t), 0)
	_, _, errs["range id"] = svc.ListMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{})
	_, _, errs["range limit"] = svc.ListMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{StrategyID: 1, Limit: 1001})
	_, errs["create nil"] = svc.CreateMomentStrategy(ctx(t), nil)
	_, errs["create name"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{AdminList: []string{"a"}, Range: okRange})
	_, errs["create no admin"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", Range: okRange})
	_, errs["create 21 admins"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: tooMany, Range: okRange})
	_, errs["create no range"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"a"}})
	_, errs["create member"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"a"}, Range: []strategy.Range{{Type: strategy.RangeMember}}})
	_, errs["create party"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"a"}, Range: []strategy.Range{{Type: strategy.RangeDepartment}}})
	_, errs["create type"] = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"a"}, Range: []strategy.Range{{Type: 3}}})
	errs["edit nil"] = svc.EditMomentStrategy(ctx(t), nil)
	errs["edit id"] = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{})
	errs["edit admins"] = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: 1, AdminList: tooMany})
	errs["edit add"] = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: 1, RangeAdd: []strategy.Range{{Type: 0}}})
	errs["edit del"] = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: 1, RangeDel: []strategy.Range{{Type: strategy.RangeMember}}})
	errs["del id"] = svc.DeleteMomentStrategy(ctx(t), -1)
	want := map[string]string{
		"list limit": "limit 1001", "get id": "must be positive", "range id": "must be positive", "range limit": "limit 1001",
		"create nil": "name is empty", "create name": "name is empty", "create no admin": "0 admins, want 1..20",
		"create 21 admins": "21 admins", "create no range": "range is empty", "create member": "member without userid",
		"create party": "department without partyid", "create type": "unknown type 3", "edit nil": "strategy id must be positive",
		"edit id": "must be positive", "edit admins": "21 admins, at most 20", "edit add": "unknown type 0",
		"edit del": "member without userid", "del id": "must be positive",
	}
	for name, err := range errs {
		assert.ErrorContains(t, err, want[name], name)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
	}
	assert.Len(t, want, len(errs))
	assert.Empty(t, s.Requests(), "nothing invalid is sent")
}

func TestMomentStrategyRoundTrip(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "wangwu", DepartmentIDs: []int{2}}))

	id, err := svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{
		StrategyName: "华南区",
		AdminList:    []string{"zhangsan"},
		Privilege:    MomentPrivilege{SendMoment: true, ViewMomentList: true},
		Range:        []strategy.Range{strategy.Member("lisi"), strategy.Department(2)},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, id)
	reqs := s.RequestsTo(pathStrategyCreate)
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"strategy_name":"华南区","admin_list":["zhangsan"],
		"privilege":{"send_moment":true,"view_moment_list":true,"manage_moment_cover_and_sign":false},
		"range":[{"type":1,"userid":"lisi"},{"type":2,"partyid":2}]}`, string(reqs[0].Body))

	child, err := svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{
		ParentID: id, StrategyName: "广州", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("wangwu")},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"parent_id":1,"strategy_name":"广州","admin_list":["lisi"],
		"privilege":{"send_moment":false,"view_moment_list":false,"manage_moment_cover_and_sign":false},
		"range":[{"type":1,"userid":"wangwu"}]}`, string(s.RequestsTo(pathStrategyCreate)[1].Body))

	assert.Equal(t, []int{id, child}, collect(t, svc.AllMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Limit: 0})))
	st, err := svc.GetMomentStrategy(ctx(t), child)
	require.NoError(t, err)
	assert.Equal(t, &MomentStrategy{StrategyID: child, ParentID: id, StrategyName: "广州", CreateTime: t0.Unix(), AdminList: []string{"lisi"}}, st)

	err = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{
		StrategyID:   id,
		StrategyName: "华南大区",
		AdminList:    []string{"zhangsan", "lisi"},
		Privilege:    &MomentPrivilege{ManageMomentCoverAndSign: true},
		RangeAdd:     []strategy.Range{strategy.Member("wangwu"), strategy.Member("lisi")},
		RangeDel:     []strategy.Range{strategy.Department(2)},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"strategy_id":1,"strategy_name":"华南大区","admin_list":["zhangsan","lisi"],
		"privilege":{"send_moment":false,"view_moment_list":false,"manage_moment_cover_and_sign":true},
		"range_add":[{"type":1,"userid":"wangwu"},{"type":1,"userid":"lisi"}],
		"range_del":[{"type":2,"partyid":2}]}`, string(s.RequestsTo(pathStrategyEdit)[0].Body))
	st, err = svc.GetMomentStrategy(ctx(t), id)
	require.NoError(t, err)
	assert.Equal(t, "华南大区", st.StrategyName)
	assert.Equal(t, []string{"zhangsan", "lisi"}, st.AdminList)
	assert.Equal(t, MomentPrivilege{ManageMomentCoverAndSign: true}, st.Privilege)
	rng := collect(t, svc.AllMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{StrategyID: id}))
	assert.Equal(t, []strategy.Range{strategy.Member("lisi"), strategy.Member("wangwu")}, rng)

	// An edit with only a name keeps the rest.
	require.NoError(t, svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: id, StrategyName: "华南"}))
	assert.JSONEq(t, `{"strategy_id":1,"strategy_name":"华南"}`, string(s.RequestsTo(pathStrategyEdit)[1].Body))
	st, err = svc.GetMomentStrategy(ctx(t), id)
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan", "lisi"}, st.AdminList)
	assert.True(t, st.Privilege.ManageMomentCoverAndSign)

	// A parent cannot go before its child.
	err = svc.DeleteMomentStrategy(ctx(t), id)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	require.NoError(t, svc.DeleteMomentStrategy(ctx(t), child))
	assert.JSONEq(t, `{"strategy_id":2}`, string(s.RequestsTo(pathStrategyDel)[1].Body))
	assert.Equal(t, []int{id}, collect(t, svc.AllMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Limit: 0})))
	_, err = svc.GetMomentStrategy(ctx(t), child)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Len(t, s.MomentStrategies(), 1)
}

func TestMomentStrategyServerErrors(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	_, err := svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"ghost"}, Range: []strategy.Range{strategy.Member("lisi")}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	_, err = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("ghost")}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	_, err = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{ParentID: 9, StrategyName: "n", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("lisi")}})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	err = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: 9})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	err = svc.DeleteMomentStrategy(ctx(t), 9)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	_, _, err = svc.ListMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{StrategyID: 9})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))

	id, err := svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "n", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("lisi")}})
	require.NoError(t, err)
	err = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: id, StrategyName: "changed", AdminList: []string{"ghost"}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	err = svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: id, StrategyName: "changed", RangeAdd: []strategy.Range{strategy.Member("ghost")}})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	assert.Equal(t, "n", s.MomentStrategies()[0].StrategyName, "a rejected edit changes nothing")

	// Create is not repeated when it may have been applied; edit is.
	s.FailNext(pathStrategyCreate, 1, wecomtest.FaultBusy)
	_, err = svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: "m", AdminList: []string{"lisi"}, Range: []strategy.Range{strategy.Member("lisi")}})
	assert.True(t, wecom.IsMaybeApplied(err))
	assert.Len(t, s.RequestsTo(pathStrategyCreate), 5)
	s.FailNext(pathStrategyEdit, 1, wecomtest.FaultBusy)
	require.NoError(t, svc.EditMomentStrategy(ctx(t), &EditMomentStrategyRequest{StrategyID: id, StrategyName: "again"}))
	assert.Equal(t, "again", s.MomentStrategies()[0].StrategyName)
}

func TestMomentStrategyPaging(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	assert.Empty(t, collect(t, svc.AllMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Limit: 1})))
	var ids []int
	for _, name := range []string{"a", "b", "c"} {
		id, err := svc.CreateMomentStrategy(ctx(t), &CreateMomentStrategyRequest{StrategyName: name, AdminList: []string{"lisi"},
			Range: []strategy.Range{strategy.Member("lisi"), strategy.Member("zhangsan"), strategy.Department(7)}})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	got := checkPaging(t, s, pathStrategyList, 3, func() iter.Seq2[int, error] {
		return svc.AllMomentStrategyIDs(ctx(t), &ListMomentStrategyIDsRequest{Limit: 1})
	})
	assert.Equal(t, ids, got)
	rng := checkPaging(t, s, pathStrategyRange, 3, func() iter.Seq2[strategy.Range, error] {
		return svc.AllMomentStrategyRange(ctx(t), &ListMomentStrategyRangeRequest{StrategyID: ids[1], Limit: 1})
	})
	assert.Equal(t, []strategy.Range{strategy.Member("lisi"), strategy.Member("zhangsan"), strategy.Department(7)}, rng)
	assert.Equal(t, "member", strategy.RangeMember.String())
	assert.Equal(t, "department", strategy.RangeDepartment.String())
	assert.Equal(t, "RangeType(0)", strategy.RangeType(0).String())
}
