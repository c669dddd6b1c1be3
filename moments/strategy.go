package moments

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
	"github.com/wecomkit/wecom/strategy"
)

// Limits of the moment strategy endpoints.
const (
	// MaxStrategyListLimit is the largest page of moment_strategy/list and
	// moment_strategy/get_range.
	MaxStrategyListLimit = 1000
	// MaxStrategyAdmins is the most admins a strategy may have.
	MaxStrategyAdmins = 20
)

// MomentPrivilege is what the members a moment strategy covers may do.
// Every field is sent, so a false denies the privilege.
type MomentPrivilege struct {
	// SendMoment lets them publish moments to customers.
	SendMoment bool `json:"send_moment"`
	// ViewMomentList lets them see the moments the members have published.
	ViewMomentList bool `json:"view_moment_list"`
	// ManageMomentCoverAndSign lets them set the moment cover and signature.
	ManageMomentCoverAndSign bool `json:"manage_moment_cover_and_sign"`
}

// MomentStrategy is a moment strategy (客户朋友圈规则组): admins, the
// privileges they hold over the members in its range.
type MomentStrategy struct {
	StrategyID int `json:"strategy_id"`
	// ParentID is the enclosing strategy, 0 at the top.
	ParentID     int             `json:"parent_id"`
	StrategyName string          `json:"strategy_name"`
	CreateTime   int64           `json:"create_time"`
	AdminList    []string        `json:"admin_list"`
	Privilege    MomentPrivilege `json:"privilege"`
}

// CreateAt returns CreateTime as a time.Time (the zero time when unset).
func (s *MomentStrategy) CreateAt() time.Time { return wecom.UnixTime(s.CreateTime) }

// ListMomentStrategyIDsRequest pages through the moment strategies, for
// ListMomentStrategyIDs and AllMomentStrategyIDs.
type ListMomentStrategyIDsRequest struct {
	// Cursor is the page to fetch ("" for the first);
	// AllMomentStrategyIDs ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default for
	// ListMomentStrategyIDs and MaxStrategyListLimit for
	// AllMomentStrategyIDs.
	Limit int `json:"limit,omitempty"`
}

// ListMomentStrategyIDs returns one page of moment strategy ids and the
// next cursor (WeCom: 获取规则组列表); GetMomentStrategy reads each.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/list
func (s *Service) ListMomentStrategyIDs(ctx context.Context, req *ListMomentStrategyIDsRequest, opts ...wecom.CallOption) ([]int, string, error) {
	r := wire.Deref(req)
	if err := checkLimit("list moment strategy ids", r.Limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Strategy []struct {
			StrategyID int `json:"strategy_id"`
		} `json:"strategy"`
		NextCursor string `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/moment_strategy/list",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	ids := make([]int, len(resp.Strategy))
	for i, st := range resp.Strategy {
		ids[i] = st.StrategyID
	}
	return ids, resp.NextCursor, nil
}

// AllMomentStrategyIDs iterates over every moment strategy id, with pages
// of req.Limit (0: MaxStrategyListLimit); req.Cursor is ignored and req is
// not changed.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/list
func (s *Service) AllMomentStrategyIDs(ctx context.Context, req *ListMomentStrategyIDsRequest, opts ...wecom.CallOption) iter.Seq2[int, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxStrategyListLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]int, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMomentStrategyIDs(ctx, &r, opts...)
	})
}

// GetMomentStrategy returns a moment strategy (WeCom: 获取规则组详情).
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/get
func (s *Service) GetMomentStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) (*MomentStrategy, error) {
	if strategyID <= 0 {
		return nil, wecom.InvalidArgument("moments: get moment strategy: strategy id must be positive")
	}
	resp, err := wecom.Call[struct {
		Strategy MomentStrategy `json:"strategy"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/get",
		Body: struct {
			StrategyID int `json:"strategy_id"`
		}{strategyID},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Strategy, nil
}

// ListMomentStrategyRangeRequest pages through the range of a strategy,
// for ListMomentStrategyRange and AllMomentStrategyRange.
type ListMomentStrategyRangeRequest struct {
	// StrategyID is the strategy, required.
	StrategyID int `json:"strategy_id"`
	// Cursor is the page to fetch ("" for the first);
	// AllMomentStrategyRange ignores it.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default for
	// ListMomentStrategyRange and MaxStrategyListLimit for
	// AllMomentStrategyRange.
	Limit int `json:"limit,omitempty"`
}

// ListMomentStrategyRange returns one page of the members and departments
// a moment strategy covers, and the next cursor (WeCom: 获取规则组管理范围).
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/get_range
func (s *Service) ListMomentStrategyRange(ctx context.Context, req *ListMomentStrategyRangeRequest, opts ...wecom.CallOption) ([]strategy.Range, string, error) {
	r := wire.Deref(req)
	if r.StrategyID <= 0 {
		return nil, "", wecom.InvalidArgument("moments: list moment strategy range: strategy id must be positive")
	}
	if err := checkLimit("list moment strategy range", r.Limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Range      []strategy.Range `json:"range"`
		NextCursor string           `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/moment_strategy/get_range",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Range, resp.NextCursor, nil
}

// AllMomentStrategyRange iterates over the whole range of a moment
// strategy, with pages of req.Limit (0: MaxStrategyListLimit); req.Cursor
// is ignored and req is not changed.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/get_range
func (s *Service) AllMomentStrategyRange(ctx context.Context, req *ListMomentStrategyRangeRequest, opts ...wecom.CallOption) iter.Seq2[strategy.Range, error] {
	base := wire.Deref(req)
	base.Limit = orMax(base.Limit, MaxStrategyListLimit)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]strategy.Range, string, error) {
		r := base
		r.Cursor = cursor
		return s.ListMomentStrategyRange(ctx, &r, opts...)
	})
}

// CreateMomentStrategyRequest is a new moment strategy.
type CreateMomentStrategyRequest struct {
	// ParentID nests the strategy in another one; 0 for a top-level one.
	ParentID     int    `json:"parent_id,omitempty"`
	StrategyName string `json:"strategy_name"`
	// AdminList holds 1..20 member userids.
	AdminList []string        `json:"admin_list"`
	Privilege MomentPrivilege `json:"privilege"`
	// Range is the members and departments the strategy covers
	// (strategy.Member, strategy.Department), at least one.
	Range []strategy.Range `json:"range"`
}

// CreateMomentStrategy creates a moment strategy (WeCom: 创建新的规则组) and
// returns its id. It is not repeated when its outcome is unknown
// (IsMaybeApplied): list the strategies before creating it again.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/create
func (s *Service) CreateMomentStrategy(ctx context.Context, req *CreateMomentStrategyRequest, opts ...wecom.CallOption) (int, error) {
	const op = "moments: create moment strategy"
	r := wire.Deref(req)
	switch {
	case r.StrategyName == "":
		return 0, wecom.InvalidArgument("%s: name is empty", op)
	case len(r.AdminList) == 0 || len(r.AdminList) > MaxStrategyAdmins:
		return 0, wecom.InvalidArgument("%s: %d admins, want 1..%d", op, len(r.AdminList), MaxStrategyAdmins)
	case len(r.Range) == 0:
		return 0, wecom.InvalidArgument("%s: range is empty", op)
	}
	if err := strategy.Check(op, r.Range); err != nil {
		return 0, err
	}
	resp, err := wecom.Call[struct {
		StrategyID int `json:"strategy_id"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/create",
		Body:   &r,
	}, opts...)
	if err != nil {
		return 0, err
	}
	return resp.StrategyID, nil
}

// EditMomentStrategyRequest changes a moment strategy. Empty fields are
// left as they are; RangeAdd and RangeDel add and remove range entries.
type EditMomentStrategyRequest struct {
	StrategyID   int              `json:"strategy_id"`
	StrategyName string           `json:"strategy_name,omitempty"`
	AdminList    []string         `json:"admin_list,omitempty"`
	Privilege    *MomentPrivilege `json:"privilege,omitempty"`
	RangeAdd     []strategy.Range `json:"range_add,omitempty"`
	RangeDel     []strategy.Range `json:"range_del,omitempty"`
}

// EditMomentStrategy changes a moment strategy (WeCom: 编辑规则组及其管理范围).
// Repeating an edit gives the same strategy, so it is retried like a
// read.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/edit
func (s *Service) EditMomentStrategy(ctx context.Context, req *EditMomentStrategyRequest, opts ...wecom.CallOption) error {
	const op = "moments: edit moment strategy"
	r := wire.Deref(req)
	switch {
	case r.StrategyID <= 0:
		return wecom.InvalidArgument("%s: strategy id must be positive", op)
	case len(r.AdminList) > MaxStrategyAdmins:
		return wecom.InvalidArgument("%s: %d admins, at most %d", op, len(r.AdminList), MaxStrategyAdmins)
	}
	if err := strategy.Check(op+": range_add", r.RangeAdd); err != nil {
		return err
	}
	if err := strategy.Check(op+": range_del", r.RangeDel); err != nil {
		return err
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/moment_strategy/edit",
		Body:       &r,
		Idempotent: true,
	}, opts...)
	return err
}

// DeleteMomentStrategy deletes a moment strategy (WeCom: 删除规则组).
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/del
func (s *Service) DeleteMomentStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) error {
	if strategyID <= 0 {
		return wecom.InvalidArgument("moments: delete moment strategy: strategy id must be positive")
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/del",
		Body: struct {
			StrategyID int `json:"strategy_id"`
		}{strategyID},
	}, opts...)
	return err
}
