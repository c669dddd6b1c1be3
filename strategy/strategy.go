// Package strategy holds the shapes that WeCom's two strategy (规则组) APIs
// share: customer-contact strategies (externalcontact, customer_strategy/*)
// and moment strategies (moments, moment_strategy/*). Both manage the same
// kind of range, members and departments, and differ only in their
// privileges, which stay in their own packages.
package strategy

import (
	"strconv"

	"github.com/wecomkit/wecom"
)

// RangeType says whether a range entry is a member or a department.
type RangeType int

// Range entry kinds.
const (
	RangeMember     RangeType = 1
	RangeDepartment RangeType = 2
)

// String returns "member", "department", or "RangeType(n)".
func (t RangeType) String() string {
	switch t {
	case RangeMember:
		return "member"
	case RangeDepartment:
		return "department"
	}
	return "RangeType(" + strconv.Itoa(int(t)) + ")"
}

// Range is a member (UserID) or a department (PartyID) a strategy applies
// to.
type Range struct {
	Type    RangeType `json:"type"`
	UserID  string    `json:"userid,omitempty"`
	PartyID int       `json:"partyid,omitempty"`
}

// Member returns the range entry of a member.
func Member(userID string) Range { return Range{Type: RangeMember, UserID: userID} }

// Department returns the range entry of a department.
func Department(partyID int) Range { return Range{Type: RangeDepartment, PartyID: partyID} }

// Check returns an error wrapping wecom.ErrInvalidArgument for the first
// entry of rs that WeCom would reject (a member without a userid, a
// department without a positive id, an unknown type). op names the caller
// in the message, such as "externalcontact: create strategy".
func Check(op string, rs []Range) error {
	for i, r := range rs {
		switch {
		case r.Type == RangeMember && r.UserID == "":
			return wecom.InvalidArgument("%s: range %d: member without userid", op, i)
		case r.Type == RangeDepartment && r.PartyID <= 0:
			return wecom.InvalidArgument("%s: range %d: department without partyid", op, i)
		case r.Type != RangeMember && r.Type != RangeDepartment:
			return wecom.InvalidArgument("%s: range %d: unknown type %d", op, i, int(r.Type))
		}
	}
	return nil
}
