package externalcontact

import (
	"context"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// MaxBehaviorSpan is the longest time range get_user_behavior_data
// accepts.
const MaxBehaviorSpan = 30 * 24 * time.Hour

// GetUserBehaviorsRequest selects the members (by userid, department or both)
// and the days of a customer-contact behavior report.
type GetUserBehaviorsRequest struct {
	UserIDs  []string `json:"userid,omitempty"`
	PartyIDs []int    `json:"partyid,omitempty"`
	// StartTime and EndTime are Unix seconds, at most 30 days apart; WeCom
	// reports whole days (Beijing time) and keeps 180 days.
	StartTime int64 `json:"start_time"`
	EndTime   int64 `json:"end_time"`
}

// UserBehavior is one day of the selected members' customer contact,
// summed over the members.
type UserBehavior struct {
	StatTime int64 `json:"stat_time"` // the day, Unix seconds at 00:00 Beijing time
	// ChatCnt is the chats with customers, MessageCnt the messages members
	// sent in them.
	ChatCnt    int `json:"chat_cnt"`
	MessageCnt int `json:"message_cnt"`
	// ReplyPercentage is the percentage of chats a member replied to
	// within 24 hours of the customer's first message.
	ReplyPercentage float64 `json:"reply_percentage"`
	// AvgReplyTime is the average first reply time in minutes.
	AvgReplyTime        float64 `json:"avg_reply_time"`
	NegativeFeedbackCnt int     `json:"negative_feedback_cnt"` // customers who deleted or blocked a member
	NewApplyCnt         int     `json:"new_apply_cnt"`         // requests members sent to customers
	NewContactCnt       int     `json:"new_contact_cnt"`       // customers added
}

// StatAt returns StatTime, the day, as a time.Time (zero when unset).
func (b UserBehavior) StatAt() time.Time { return wecom.UnixTime(b.StatTime) }

// GetUserBehaviors returns the customer-contact behavior of members, one
// entry per day of the range.
//
// WeCom: POST /cgi-bin/externalcontact/get_user_behavior_data
func (s *Service) GetUserBehaviors(ctx context.Context, req *GetUserBehaviorsRequest, opts ...wecom.CallOption) ([]UserBehavior, error) {
	const op = "get user behaviors"
	r := deref(req)
	switch {
	case len(r.UserIDs) == 0 && len(r.PartyIDs) == 0:
		return nil, wecom.InvalidArgument("externalcontact: %s: userids or department ids are required", op)
	case r.StartTime <= 0 || r.EndTime < r.StartTime:
		return nil, wecom.InvalidArgument("externalcontact: %s: time range %d..%d is empty or unset", op, r.StartTime, r.EndTime)
	case time.Duration(r.EndTime-r.StartTime)*time.Second > MaxBehaviorSpan:
		return nil, wecom.InvalidArgument("externalcontact: %s: time range longer than 30 days", op)
	}
	resp, err := wecom.Call[struct {
		BehaviorData []UserBehavior `json:"behavior_data"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_user_behavior_data", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.BehaviorData, nil
}
