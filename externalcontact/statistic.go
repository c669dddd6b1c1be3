package externalcontact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
)

// MaxBehaviorSpan is the longest time range get_user_behavior_data
// accepts.
const MaxBehaviorSpan = 30 * 24 * time.Hour

// UserBehaviorRequest selects the members (by userid, department or both)
// and the days of a customer-contact behavior report.
type UserBehaviorRequest struct {
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

// Day returns StatTime as a time.Time.
func (b UserBehavior) Day() time.Time { return unixOrZero(b.StatTime) }

// UserBehaviors returns the customer-contact behavior of members, one
// entry per day of the range.
//
// WeCom: POST /cgi-bin/externalcontact/get_user_behavior_data
func (s *Service) UserBehaviors(ctx context.Context, req *UserBehaviorRequest, opts ...wecom.CallOption) ([]UserBehavior, error) {
	switch {
	case req == nil:
		return nil, errors.New("externalcontact: nil UserBehaviorRequest")
	case len(req.UserIDs) == 0 && len(req.PartyIDs) == 0:
		return nil, errors.New("externalcontact: user behavior needs userids or department ids")
	case req.StartTime <= 0 || req.EndTime < req.StartTime:
		return nil, fmt.Errorf("externalcontact: time range %d..%d is empty or unset", req.StartTime, req.EndTime)
	case time.Duration(req.EndTime-req.StartTime)*time.Second > MaxBehaviorSpan:
		return nil, errors.New("externalcontact: user behavior time range longer than 30 days")
	}
	var resp struct {
		BehaviorData []UserBehavior `json:"behavior_data"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_user_behavior_data",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.BehaviorData, nil
}
