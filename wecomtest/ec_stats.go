package wecomtest

import (
	"net/http"
	"slices"
	"time"
)

// Customer-contact statistics (get_user_behavior_data). New contacts come
// from the follow relations and negative feedback from
// del_follow_user events; chat figures, which the server cannot observe,
// come from SetBehavior.

func registerECStats(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_user_behavior_data", s.ecUserBehavior)
}

// Behavior is one member's chat figures of one day, for SetBehavior.
type Behavior struct {
	ChatCnt         int
	MessageCnt      int
	ReplyPercentage float64
	AvgReplyTime    float64 // minutes
	NewApplyCnt     int
}

var ecBeijing = time.FixedZone("CST", 8*3600)

func ecDayOf(t time.Time) time.Time {
	y, m, d := t.In(ecBeijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ecBeijing)
}

type ecStatsState struct {
	days map[string]map[int64]Behavior // userid → day → figures
}

func ecStats(s *Server) *ecStatsState {
	return areaState(s, "ec.stats", func() *ecStatsState { return &ecStatsState{days: map[string]map[int64]Behavior{}} })
}

// SetBehavior sets a member's chat figures for the day (Beijing time) of
// day.
func (s *Server) SetBehavior(userID string, day time.Time, b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ecStats(s)
	if st.days[userID] == nil {
		st.days[userID] = map[int64]Behavior{}
	}
	st.days[userID][ecDayOf(day).Unix()] = b
}

func (s *Server) ecUserBehavior(c *call) (any, error) {
	var req struct {
		UserID    []string `json:"userid"`
		PartyID   []int    `json:"partyid"`
		StartTime int64    `json:"start_time"`
		EndTime   int64    `json:"end_time"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.UserID) == 0 && len(req.PartyID) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: userid and partyid are both empty")
	}
	if req.StartTime <= 0 || req.EndTime < req.StartTime {
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time/end_time")
	}
	if req.EndTime-req.StartTime > 30*86400 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: time range exceeds 30 days")
	}
	if c.Now.Unix()-req.StartTime > 180*86400 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time older than 180 days")
	}
	users := map[string]bool{}
	for _, id := range req.UserID {
		if _, err := s.st.user(id); err != nil {
			return nil, err
		}
		users[id] = true
	}
	for _, id := range s.st.userOrder {
		for _, p := range req.PartyID {
			if slices.Contains(s.st.users[id].DepartmentIDs, p) {
				users[id] = true
			}
		}
	}
	type row struct {
		StatTime            int64   `json:"stat_time"`
		ChatCnt             int     `json:"chat_cnt"`
		MessageCnt          int     `json:"message_cnt"`
		ReplyPercentage     float64 `json:"reply_percentage"`
		AvgReplyTime        float64 `json:"avg_reply_time"`
		NegativeFeedbackCnt int     `json:"negative_feedback_cnt"`
		NewApplyCnt         int     `json:"new_apply_cnt"`
		NewContactCnt       int     `json:"new_contact_cnt"`
	}
	var rows []row
	index := map[int64]int{}
	for d := ecDayOf(time.Unix(req.StartTime, 0)); !d.After(time.Unix(req.EndTime, 0)); d = d.AddDate(0, 0, 1) {
		index[d.Unix()] = len(rows)
		rows = append(rows, row{StatTime: d.Unix()})
	}
	add := func(t int64) *row {
		if i, ok := index[ecDayOf(time.Unix(t, 0)).Unix()]; ok {
			return &rows[i]
		}
		return nil
	}
	st := ecStats(s)
	replied := make([]int, len(rows)) // members with a reply percentage, for the average
	for id := range users {
		for _, f := range s.st.byUser[id] {
			if r := add(f.CreateTime); r != nil {
				r.NewContactCnt++
			}
		}
		for day, b := range st.days[id] {
			if r := add(day); r != nil {
				r.ChatCnt += b.ChatCnt
				r.MessageCnt += b.MessageCnt
				r.NewApplyCnt += b.NewApplyCnt
				r.ReplyPercentage += b.ReplyPercentage
				r.AvgReplyTime += b.AvgReplyTime
				replied[index[day]]++
			}
		}
	}
	for i := range rows {
		if n := replied[i]; n > 1 {
			rows[i].ReplyPercentage /= float64(n)
			rows[i].AvgReplyTime /= float64(n)
		}
	}
	for _, ev := range s.Events() {
		if ev.ChangeType == "del_follow_user" && users[ev.Get("UserID")] {
			if r := add(ev.CreateTime); r != nil {
				r.NegativeFeedbackCnt++
			}
		}
	}
	return map[string]any{"behavior_data": rows}, nil
}
