package externalcontact

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strconv"

	"github.com/wecomkit/wecom"
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

// StrategyRangeType says whether a range entry is a member or a
// department.
type StrategyRangeType int

// Range entry kinds.
const (
	StrategyRangeMember     StrategyRangeType = 1
	StrategyRangeDepartment StrategyRangeType = 2
)

// String returns "member", "department" or the number.
func (t StrategyRangeType) String() string {
	switch t {
	case StrategyRangeMember:
		return "member"
	case StrategyRangeDepartment:
		return "department"
	}
	return "StrategyRangeType(" + strconv.Itoa(int(t)) + ")"
}

// StrategyRange is a member (UserID) or department (PartyID) a strategy
// applies to.
type StrategyRange struct {
	Type    StrategyRangeType `json:"type"`
	UserID  string            `json:"userid,omitempty"`
	PartyID int               `json:"partyid,omitempty"`
}

// MemberRange returns the range entry of a member.
func MemberRange(userID string) StrategyRange {
	return StrategyRange{Type: StrategyRangeMember, UserID: userID}
}

// DepartmentRange returns the range entry of a department.
func DepartmentRange(partyID int) StrategyRange {
	return StrategyRange{Type: StrategyRangeDepartment, PartyID: partyID}
}

type cursorLimit struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// ListStrategies returns one page of strategy ids (limit 1..1000, 0 for
// WeCom's default) and the next cursor ("" after the last page).
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/list
func (s *Service) ListStrategies(ctx context.Context, cursor string, limit int, opts ...wecom.CallOption) ([]int, string, error) {
	var resp struct {
		Strategy []struct {
			StrategyID int `json:"strategy_id"`
		} `json:"strategy"`
		NextCursor string `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/customer_strategy/list",
		Body:       cursorLimit{cursor, limit},
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

// AllStrategies iterates over every strategy id, 1000 a page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/list
func (s *Service) AllStrategies(ctx context.Context, opts ...wecom.CallOption) iter.Seq2[int, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]int, string, error) {
		return s.ListStrategies(ctx, cursor, 1000, opts...)
	})
}

// GetStrategy returns a strategy.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get
func (s *Service) GetStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) (*Strategy, error) {
	var resp struct {
		Strategy Strategy `json:"strategy"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_strategy/get",
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

// ListStrategyRange returns one page of the members and departments a
// strategy applies to (limit 1..1000, 0 for WeCom's default) and the next
// cursor.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get_range
func (s *Service) ListStrategyRange(ctx context.Context, strategyID int, cursor string, limit int, opts ...wecom.CallOption) ([]StrategyRange, string, error) {
	var resp struct {
		Range      []StrategyRange `json:"range"`
		NextCursor string          `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_strategy/get_range",
		Body: struct {
			StrategyID int `json:"strategy_id"`
			cursorLimit
		}{strategyID, cursorLimit{cursor, limit}},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Range, resp.NextCursor, nil
}

// AllStrategyRange iterates over every member and department a strategy
// applies to, 1000 a page.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/get_range
func (s *Service) AllStrategyRange(ctx context.Context, strategyID int, opts ...wecom.CallOption) iter.Seq2[StrategyRange, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]StrategyRange, string, error) {
		return s.ListStrategyRange(ctx, strategyID, cursor, 1000, opts...)
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
	Range     []StrategyRange    `json:"range"`
}

// CreateStrategy creates a strategy and returns its id.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/create
func (s *Service) CreateStrategy(ctx context.Context, req *CreateStrategyRequest, opts ...wecom.CallOption) (int, error) {
	if req == nil || req.StrategyName == "" || len(req.AdminList) == 0 || len(req.Range) == 0 {
		return 0, errors.New("externalcontact: CreateStrategy: a name, admins and a range are required")
	}
	var resp struct {
		StrategyID int `json:"strategy_id"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_strategy/create",
		Body:   req,
	}, &resp, opts...)
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
	RangeAdd     []StrategyRange    `json:"range_add,omitempty"`
	RangeDel     []StrategyRange    `json:"range_del,omitempty"`
}

// EditStrategy changes a strategy. Repeating it has no further effect.
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/edit
func (s *Service) EditStrategy(ctx context.Context, req *EditStrategyRequest, opts ...wecom.CallOption) error {
	if req == nil || req.StrategyID == 0 {
		return errors.New("externalcontact: EditStrategy: strategy id is required")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/customer_strategy/edit",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteStrategy deletes a strategy (and its strategy tags).
//
// WeCom: POST /cgi-bin/externalcontact/customer_strategy/del
func (s *Service) DeleteStrategy(ctx context.Context, strategyID int, opts ...wecom.CallOption) error {
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/customer_strategy/del",
		Body: struct {
			StrategyID int `json:"strategy_id"`
		}{strategyID},
	}, nil, opts...)
}
