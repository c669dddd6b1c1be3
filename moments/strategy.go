package moments

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
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

// Time returns CreateTime as a time.Time.
func (s *MomentStrategy) Time() time.Time { return time.Unix(s.CreateTime, 0) }

// RangeType says whether a strategy range entry is a member or a
// department.
type RangeType int

// Range types.
const (
	RangeTypeMember     RangeType = 1
	RangeTypeDepartment RangeType = 2
)

// String returns "member", "department", or "RangeType(n)".
func (r RangeType) String() string {
	switch r {
	case RangeTypeMember:
		return "member"
	case RangeTypeDepartment:
		return "department"
	}
	return "RangeType(" + strconv.Itoa(int(r)) + ")"
}

// StrategyRange is a member (Type 1, UserID) or department (Type 2,
// PartyID) a strategy covers.
type StrategyRange struct {
	Type    RangeType `json:"type"`
	UserID  string    `json:"userid,omitempty"`
	PartyID int       `json:"partyid,omitempty"`
}

// MemberRange returns the range entry of a member.
func MemberRange(userID string) StrategyRange {
	return StrategyRange{Type: RangeTypeMember, UserID: userID}
}

// DepartmentRange returns the range entry of a department.
func DepartmentRange(partyID int) StrategyRange {
	return StrategyRange{Type: RangeTypeDepartment, PartyID: partyID}
}

func validateRanges(op string, rs []StrategyRange) error {
	for i, r := range rs {
		switch {
		case r.Type == RangeTypeMember && r.UserID == "":
			return fmt.Errorf("moments: %s: range %d: member without userid", op, i)
		case r.Type == RangeTypeDepartment && r.PartyID <= 0:
			return fmt.Errorf("moments: %s: range %d: department without partyid", op, i)
		case r.Type != RangeTypeMember && r.Type != RangeTypeDepartment:
			return fmt.Errorf("moments: %s: range %d: unknown type %d", op, i, int(r.Type))
		}
	}
	return nil
}

// ListMomentStrategies returns one page of moment strategy ids and the
// next cursor. limit is 1..1000; 0 means WeCom's default.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/list
func (s *Service) ListMomentStrategies(ctx context.Context, cursor string, limit int, opts ...wecom.CallOption) ([]int, string, error) {
	if err := checkLimit("list moment strategies", limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	var resp struct {
		Strategy []struct {
			StrategyID int `json:"strategy_id"`
		} `json:"strategy"`
		NextCursor string `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/list",
		Body: struct {
			Cursor string `json:"cursor,omitempty"`
			Limit  int    `json:"limit,omitempty"`
		}{cursor, limit},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	ids := make([]int, len(resp.Strategy))
	for i, st := range resp.Strategy {
		ids[i] = st.StrategyID
	}
	return ids, resp.NextCursor, nil
}

// AllMomentStrategies iterates over every moment strategy id, a page of
// limit at a time (0: WeCom's default).
func (s *Service) AllMomentStrategies(ctx context.Context, limit int, opts ...wecom.CallOption) iter.Seq2[int, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]int, string, error) {
		return s.ListMomentStrategies(ctx, cursor, limit, opts...)
	})
}

// GetMomentStrategy returns a moment strategy.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/get
func (s *Service) GetMomentStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) (*MomentStrategy, error) {
	if strategyID <= 0 {
		return nil, errors.New("moments: get moment strategy: strategy id must be positive")
	}
	var resp struct {
		Strategy MomentStrategy `json:"strategy"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/get",
		Body: struct {
			StrategyID int `json:"strategy_id"`
		}{strategyID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Strategy, nil
}

// StrategyRangeRequest pages through the range of a strategy.
type StrategyRangeRequest struct {
	StrategyID int    `json:"strategy_id"`
	Cursor     string `json:"cursor,omitempty"`
	// Limit is the page size, 1..1000; 0 means WeCom's default.
	Limit int `json:"limit,omitempty"`
}

// ListMomentStrategyRange returns one page of the members and departments
// a moment strategy covers, and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/get_range
func (s *Service) ListMomentStrategyRange(ctx context.Context, in *StrategyRangeRequest, opts ...wecom.CallOption) ([]StrategyRange, string, error) {
	req := wire.Deref(in)
	if req.StrategyID <= 0 {
		return nil, "", errors.New("moments: list moment strategy range: strategy id must be positive")
	}
	if err := checkLimit("list moment strategy range", req.Limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	var resp struct {
		Range      []StrategyRange `json:"range"`
		NextCursor string          `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/moment_strategy/get_range",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Range, resp.NextCursor, nil
}

// AllMomentStrategyRange iterates over the whole range of a moment
// strategy, a page of req.Limit at a time; req.Cursor is ignored.
func (s *Service) AllMomentStrategyRange(ctx context.Context, in *StrategyRangeRequest, opts ...wecom.CallOption) iter.Seq2[StrategyRange, error] {
	req := wire.Deref(in)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]StrategyRange, string, error) {
		req.Cursor = cursor
		return s.ListMomentStrategyRange(ctx, &req, opts...)
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
	Range     []StrategyRange `json:"range"`
}

// CreateMomentStrategy creates a moment strategy and returns its id. It
// is not repeated when its outcome is unknown (IsMaybeApplied): list the
// strategies before creating it again.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/create
func (s *Service) CreateMomentStrategy(ctx context.Context, req *CreateMomentStrategyRequest, opts ...wecom.CallOption) (int, error) {
	const op = "create moment strategy"
	switch {
	case req == nil:
		return 0, errors.New("moments: create moment strategy: nil request")
	case req.StrategyName == "":
		return 0, errors.New("moments: create moment strategy: empty name")
	case len(req.AdminList) == 0 || len(req.AdminList) > MaxStrategyAdmins:
		return 0, fmt.Errorf("moments: create moment strategy: %d admins, want 1..%d", len(req.AdminList), MaxStrategyAdmins)
	case len(req.Range) == 0:
		return 0, errors.New("moments: create moment strategy: empty range")
	}
	if err := validateRanges(op, req.Range); err != nil {
		return 0, err
	}
	var resp struct {
		StrategyID int `json:"strategy_id"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/create",
		Body:   req,
	}, &resp, opts...)
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
	RangeAdd     []StrategyRange  `json:"range_add,omitempty"`
	RangeDel     []StrategyRange  `json:"range_del,omitempty"`
}

// EditMomentStrategy changes a moment strategy. Repeating an edit gives
// the same strategy, so it is retried like a read.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/edit
func (s *Service) EditMomentStrategy(ctx context.Context, req *EditMomentStrategyRequest, opts ...wecom.CallOption) error {
	const op = "edit moment strategy"
	switch {
	case req == nil:
		return errors.New("moments: edit moment strategy: nil request")
	case req.StrategyID <= 0:
		return errors.New("moments: edit moment strategy: strategy id must be positive")
	case len(req.AdminList) > MaxStrategyAdmins:
		return fmt.Errorf("moments: edit moment strategy: %d admins, at most %d", len(req.AdminList), MaxStrategyAdmins)
	}
	if err := validateRanges(op, req.RangeAdd); err != nil {
		return err
	}
	if err := validateRanges(op, req.RangeDel); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/moment_strategy/edit",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteMomentStrategy deletes a moment strategy.
//
// WeCom: POST /cgi-bin/externalcontact/moment_strategy/del
func (s *Service) DeleteMomentStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) error {
	if strategyID <= 0 {
		return errors.New("moments: delete moment strategy: strategy id must be positive")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/moment_strategy/del",
		Body: struct {
			StrategyID int `json:"strategy_id"`
		}{strategyID},
	}, nil, opts...)
}
