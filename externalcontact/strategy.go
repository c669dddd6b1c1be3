package externalcontact

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/strategy"
)

// Strategy is a customer-contact strategy (客户联系规则组): who manages
// which members and what those members may do.
type Strategy struct {
	StrategyID   int    `json:"strategy_id"`
	ParentID     int    `json:"parent_id"`
	StrategyName string `json:"strategy_name"`
	CreateTime   int64  `json:"create_time"`
	// AdminList are the members who manage the strategy.
	AdminList []string          `json:"admin_list"`
	Privilege StrategyPrivilege `json:"privilege"`
}

// StrategyPrivilege is what the members in a strategy's range may do.
type StrategyPrivilege struct {
	ViewCustomerList        bool `json:"view_customer_list"`         // see the customer list
	ViewCustomerData        bool `json:"view_customer_data"`         // see customer statistics
	ViewRoomList            bool `json:"view_room_list"`             // see the customer group list
	ContactMe               bool `json:"contact_me"`                 // set up contact ways (「联系我」)
	JoinRoom                bool `json:"join_room"`                  // set up group QR codes
	ShareCustomer           bool `json:"share_customer"`             // allow colleagues to share customers
	OperResignCustomer      bool `json:"oper_resign_customer"`       // assign resigned members' customers
	OperResignGroup         bool `json:"oper_resign_group"`          // assign resigned members' groups
	SendCustomerMsg         bool `json:"send_customer_msg"`          // send mass messages to customers
	EditWelcomeMsg          bool `json:"edit_welcome_msg"`           // edit welcome messages
	ViewBehaviorData        bool `json:"view_behavior_data"`         // see members' contact statistics
	ViewRoomData            bool `json:"view_room_data"`             // see group statistics
	SendGroupMsg            bool `json:"send_group_msg"`             // send mass messages to groups
	RoomDeduplication       bool `json:"room_deduplication"`         // deduplicate group members
	RapidReply              bool `json:"rapid_reply"`                // manage quick replies
	OnjobCustomerTransfer   bool `json:"onjob_customer_transfer"`    // transfer serving members' customers
	EditAntiSpamRule        bool `json:"edit_anti_spam_rule"`        // edit anti-harassment rules
	ExportCustomerList      bool `json:"export_customer_list"`       // export the customer list
	ExportCustomerData      bool `json:"export_customer_data"`       // export customer statistics
	ExportCustomerGroupList bool `json:"export_customer_group_list"` // export the group list
	ManageCustomerTag       bool `json:"manage_customer_tag"`        // manage corp tags
}

// MaxStrategyListLimit is the largest page of customer_strategy/list and
// customer_strategy/get_range.
const MaxStrategyListLimit = 1000

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (st Strategy) CreateAt() time.Time { return wecom.UnixTime(st.CreateTime) }

// ListStrategyIDsRequest selects a page of strategy ids.
type ListStrategyIDsRequest struct {
	Cursor string `json:"cursor,omitempty"`
	// Limit is 1..1000; 0 means WeCom's default (the iterator asks for
	// 1000).
	Limit int `json:"limit,omitempty"`
}

// ListStrategyIDs returns one page of strategy ids and the next cursor
// ("" after the last page). GetStrategy returns a strategy.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/list
func (s *Service) ListStrategyIDs(ctx context.Context, req *ListStrategyIDsRequest, opts ...wecom.CallOption) ([]int, string, error) {
	r := deref(req)
	if err := checkLimit("list strategy ids", r.Limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Strategy []struct {
			StrategyID int `json:"strategy_id"`
		} `json:"strategy"`
		NextCursor string `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_strategy/list", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	ids := make([]int, len(resp.Strategy))
	for i, st := range resp.Strategy {
		ids[i] = st.StrategyID
	}
	return ids, resp.NextCursor, nil
}

// AllStrategyIDs iterates over every strategy id, req.Limit a page (0:
// 1000, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/list
func (s *Service) AllStrategyIDs(ctx context.Context, req *ListStrategyIDsRequest, opts ...wecom.CallOption) iter.Seq2[int, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxStrategyListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]int, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListStrategyIDs(ctx, &p, opts...)
	})
}

type strategyIDBody struct {
	StrategyID int `json:"strategy_id"`
}

func checkStrategyID(op string, id int) error {
	if id <= 0 {
		return wecom.InvalidArgument("externalcontact: %s: strategy_id is required", op)
	}
	return nil
}

// GetStrategy returns a strategy.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get
func (s *Service) GetStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) (*Strategy, error) {
	if err := checkStrategyID("get strategy", strategyID); err != nil {
		return nil, err
	}
	resp, err := wecom.Call[struct {
		Strategy Strategy `json:"strategy"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_strategy/get", Body: strategyIDBody{strategyID}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Strategy, nil
}

// ListStrategyRangeRequest selects a page of a strategy's range.
type ListStrategyRangeRequest struct {
	StrategyID int    `json:"strategy_id"` // required
	Cursor     string `json:"cursor,omitempty"`
	// Limit is 1..1000; 0 means WeCom's default (the iterator asks for
	// 1000).
	Limit int `json:"limit,omitempty"`
}

// ListStrategyRange returns one page of the members and departments a
// strategy applies to and the next cursor.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get_range
func (s *Service) ListStrategyRange(ctx context.Context, req *ListStrategyRangeRequest, opts ...wecom.CallOption) ([]strategy.Range, string, error) {
	const op = "list strategy range"
	r := deref(req)
	if err := checkStrategyID(op, r.StrategyID); err != nil {
		return nil, "", err
	}
	if err := checkLimit(op, r.Limit, MaxStrategyListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Range      []strategy.Range `json:"range"`
		NextCursor string           `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_strategy/get_range", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Range, resp.NextCursor, nil
}

// AllStrategyRange iterates over every member and department a strategy
// applies to, req.Limit a page (0: 1000, the maximum), from the first
// page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get_range
func (s *Service) AllStrategyRange(ctx context.Context, req *ListStrategyRangeRequest, opts ...wecom.CallOption) iter.Seq2[strategy.Range, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxStrategyListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]strategy.Range, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListStrategyRange(ctx, &p, opts...)
	})
}

// CreateStrategyRequest creates a strategy.
type CreateStrategyRequest struct {
	// ParentID nests the strategy under another (0 for none).
	ParentID     int      `json:"parent_id,omitempty"`
	StrategyName string   `json:"strategy_name"`
	AdminList    []string `json:"admin_list"`
	// Privilege, when nil, leaves WeCom's defaults.
	Privilege *StrategyPrivilege `json:"privilege,omitempty"`
	Range     []strategy.Range   `json:"range"`
}

// CreateStrategy creates a strategy and returns its id.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/create
func (s *Service) CreateStrategy(ctx context.Context, req *CreateStrategyRequest, opts ...wecom.CallOption) (int, error) {
	const op = "externalcontact: create strategy"
	r := deref(req)
	if r.StrategyName == "" || len(r.AdminList) == 0 || len(r.Range) == 0 {
		return 0, wecom.InvalidArgument("%s: strategy_name, admin_list and range are required", op)
	}
	if err := strategy.Check(op, r.Range); err != nil {
		return 0, err
	}
	resp, err := wecom.Call[strategyIDBody](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_strategy/create", Body: &r}, opts...)
	if err != nil {
		return 0, err
	}
	return resp.StrategyID, nil
}

// EditStrategyRequest changes a strategy. Empty fields are left as they
// are; RangeAdd and RangeDel add and remove range entries.
type EditStrategyRequest struct {
	StrategyID   int                `json:"strategy_id"`
	StrategyName string             `json:"strategy_name,omitempty"`
	AdminList    []string           `json:"admin_list,omitempty"`
	Privilege    *StrategyPrivilege `json:"privilege,omitempty"`
	RangeAdd     []strategy.Range   `json:"range_add,omitempty"`
	RangeDel     []strategy.Range   `json:"range_del,omitempty"`
}

// EditStrategy changes a strategy. Repeating it has no further effect.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/edit
func (s *Service) EditStrategy(ctx context.Context, req *EditStrategyRequest, opts ...wecom.CallOption) error {
	const op = "externalcontact: edit strategy"
	r := deref(req)
	if err := checkStrategyID("edit strategy", r.StrategyID); err != nil {
		return err
	}
	if err := strategy.Check(op, r.RangeAdd); err != nil {
		return err
	}
	if err := strategy.Check(op, r.RangeDel); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/customer_strategy/edit",
		Body:       &r,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteStrategy deletes a strategy (and its strategy tags).
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/del
func (s *Service) DeleteStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) error {
	if err := checkStrategyID("delete strategy", strategyID); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/customer_strategy/del", Body: strategyIDBody{strategyID}}, nil, opts...)
}
