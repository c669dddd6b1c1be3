package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
)

func registerGroupChatStats(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/statistic", s.groupChatStatistic)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/statistic_group_by_day", s.groupChatStatisticByDay)
}

// groupStatZone is the zone WeCom's statistic days are cut in.
var groupStatZone = time.FixedZone("CST", 8*3600)

// groupChatMessage is a count of messages one member sent in a group at a time,
// recorded with AddGroupMessages for the statistics.
type groupChatMessage struct {
	chatID, userID string
	at             int64
	n              int
}

// AddGroupMessages records that userID sent n messages in the group chatID
// at the given time. The group statistics (chat_has_msg, member_has_msg,
// msg_total) count them.
func (s *Server) AddGroupMessages(chatID, userID string, at time.Time, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.chats[chatID]; !ok {
		return fmt.Errorf("wecomtest: unknown group chat %s", chatID)
	}
	if n <= 0 {
		return fmt.Errorf("wecomtest: message count %d is not positive", n)
	}
	gs := s.groupChats()
	gs.messages = append(gs.messages, groupChatMessage{chatID: chatID, userID: userID, at: at.Unix(), n: n})
	return nil
}

type groupStatData struct {
	NewChatCnt            int `json:"new_chat_cnt"`
	ChatTotal             int `json:"chat_total"`
	ChatHasMsg            int `json:"chat_has_msg"`
	NewMemberCnt          int `json:"new_member_cnt"`
	MemberTotal           int `json:"member_total"`
	MemberHasMsg          int `json:"member_has_msg"`
	MsgTotal              int `json:"msg_total"`
	MigrateTraineeChatCnt int `json:"migrate_trainee_chat_cnt"`
}

func (d groupStatData) field(orderBy int) int {
	switch orderBy {
	case 2:
		return d.ChatTotal
	case 3:
		return d.ChatHasMsg
	case 4:
		return d.NewMemberCnt
	case 5:
		return d.MemberTotal
	case 6:
		return d.MemberHasMsg
	case 7:
		return d.MsgTotal
	}
	return d.NewChatCnt
}

type groupStatRange struct{ begin, end int64 } // [begin, end) in Unix seconds

// groupStatRequest is what both statistic endpoints take.
type groupStatRequest struct {
	DayBeginTime int64             `json:"day_begin_time"`
	DayEndTime   int64             `json:"day_end_time"`
	OwnerFilter  *groupOwnerFilter `json:"owner_filter"`
	OrderBy      int               `json:"order_by"`
	OrderAsc     int               `json:"order_asc"`
	Offset       int               `json:"offset"`
	Limit        int               `json:"limit"`
}

// days validates the day range and returns the start of each day in it:
// times are moved to the start of their day, the end defaults to the begin
// day, and the range spans at most 30 days.
func (r *groupStatRequest) days() ([]int64, error) {
	if r.DayBeginTime <= 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: day_begin_time missing")
	}
	begin := groupStatDayStart(r.DayBeginTime)
	end := begin
	if r.DayEndTime != 0 {
		end = groupStatDayStart(r.DayEndTime)
	}
	if end.Before(begin) {
		return nil, errorf(codeInvalidParameter, "invalid day_end_time: before day_begin_time")
	}
	var days []int64
	for d := begin; !d.After(end); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Unix())
		if len(days) > 30 {
			return nil, errorf(codeInvalidParameter, "invalid time range: more than 30 days")
		}
	}
	return days, nil
}

func groupStatDayStart(unix int64) time.Time {
	t := time.Unix(unix, 0).In(groupStatZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, groupStatZone)
}

// groupStatOwners returns the owners a statistic covers: the filter's, or every
// group owner in the order their first group was added.
func (s *Server) groupStatOwners(f *groupOwnerFilter) ([]string, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f != nil && len(f.UserIDList) > 0 {
		var out []string
		for _, id := range f.UserIDList {
			if _, err := s.st.user(id); err != nil {
				return nil, err
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out, nil
	}
	var out []string
	for _, id := range s.st.chatOrder {
		if o := s.st.chats[id].Owner; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// groupStats computes the statistics of the groups owners own now, over r.
func (s *Server) groupStats(owners []string, r groupStatRange) groupStatData {
	var d groupStatData
	chats := map[string]bool{}
	for _, id := range s.st.chatOrder {
		g := s.st.chats[id]
		if !slices.Contains(owners, g.Owner) || g.CreateTime >= r.end {
			continue
		}
		chats[id] = true
		d.ChatTotal++
		if g.CreateTime >= r.begin {
			d.NewChatCnt++
		}
		for _, m := range g.Members {
			if m.JoinTime >= r.end {
				continue
			}
			d.MemberTotal++
			if m.JoinTime >= r.begin {
				d.NewMemberCnt++
			}
		}
	}
	withMsg := map[string]bool{}
	speakers := map[[2]string]bool{}
	for _, m := range s.groupChats().messages {
		if !chats[m.chatID] || m.at < r.begin || m.at >= r.end {
			continue
		}
		withMsg[m.chatID] = true
		speakers[[2]string{m.chatID, m.userID}] = true
		d.MsgTotal += m.n
	}
	d.ChatHasMsg, d.MemberHasMsg = len(withMsg), len(speakers)
	return d
}

// groupChatStatistic serves groupchat/statistic: one item per owner,
// ordered by order_by (1..7, default 1) descending unless order_asc is 1,
// cut by offset and limit (default 500, at most 1000).
func (s *Server) groupChatStatistic(c *call) (any, error) {
	var req groupStatRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	days, err := req.days()
	if err != nil {
		return nil, err
	}
	if req.OrderBy == 0 {
		req.OrderBy = 1
	}
	if req.OrderBy < 1 || req.OrderBy > 7 {
		return nil, errorf(codeInvalidParameter, "invalid order_by %d", req.OrderBy)
	}
	if req.OrderAsc != 0 && req.OrderAsc != 1 {
		return nil, errorf(codeInvalidParameter, "invalid order_asc %d", req.OrderAsc)
	}
	limit, err := checkLimit(req.Limit, 500, 1000)
	if err != nil {
		return nil, err
	}
	if req.Offset < 0 {
		return nil, errorf(codeInvalidParameter, "invalid offset %d", req.Offset)
	}
	owners, err := s.groupStatOwners(req.OwnerFilter)
	if err != nil {
		return nil, err
	}
	r := groupStatRange{days[0], days[len(days)-1] + 86400}
	type item struct {
		Owner string        `json:"owner"`
		Data  groupStatData `json:"data"`
	}
	items := make([]item, 0, len(owners))
	for _, o := range owners {
		items = append(items, item{Owner: o, Data: s.groupStats([]string{o}, r)})
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Data.field(req.OrderBy), items[j].Data.field(req.OrderBy)
		if req.OrderAsc == 1 {
			return a < b
		}
		return a > b
	})
	total := len(items)
	off := min(req.Offset, total)
	end := min(off+limit, total)
	return map[string]any{"total": total, "next_offset": end, "items": items[off:end]}, nil
}

// groupChatStatisticByDay serves groupchat/statistic_group_by_day: one
// item per day, over the groups of the filtered owners.
func (s *Server) groupChatStatisticByDay(c *call) (any, error) {
	var req groupStatRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	days, err := req.days()
	if err != nil {
		return nil, err
	}
	owners, err := s.groupStatOwners(req.OwnerFilter)
	if err != nil {
		return nil, err
	}
	type item struct {
		StatTime int64         `json:"stat_time"`
		Data     groupStatData `json:"data"`
	}
	items := make([]item, 0, len(days))
	for _, d := range days {
		items = append(items, item{StatTime: d, Data: s.groupStats(owners, groupStatRange{d, d + 86400})})
	}
	return map[string]any{"items": items}, nil
}
