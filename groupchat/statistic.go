package groupchat

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
)

// OrderBy is the figure ListOwnerStatistics sorts owners by.
type OrderBy int

// Orders of ListOwnerStatistics.
const (
	OrderByNewChatCount   OrderBy = 1 // new groups (the default)
	OrderByChatTotal      OrderBy = 2 // all groups
	OrderByChatHasMsg     OrderBy = 3 // groups with messages
	OrderByNewMemberCount OrderBy = 4 // new group members
	OrderByMemberTotal    OrderBy = 5 // all group members
	OrderByMemberHasMsg   OrderBy = 6 // members who spoke
	OrderByMessageTotal   OrderBy = 7 // messages
)

// String returns the figure's WeCom name.
func (o OrderBy) String() string {
	switch o {
	case OrderByNewChatCount:
		return "new_chat_cnt"
	case OrderByChatTotal:
		return "chat_total"
	case OrderByChatHasMsg:
		return "chat_has_msg"
	case OrderByNewMemberCount:
		return "new_member_cnt"
	case OrderByMemberTotal:
		return "member_total"
	case OrderByMemberHasMsg:
		return "member_has_msg"
	case OrderByMessageTotal:
		return "msg_total"
	}
	return "OrderBy(" + strconv.Itoa(int(o)) + ")"
}

// Statistic limits.
const (
	// MaxStatisticLimit is the most owners a ListOwnerStatistics page
	// holds, and the page size AllOwnerStatistics uses when the request
	// leaves Limit 0.
	MaxStatisticLimit = 1000
	// MaxStatisticDays is the days one request spans.
	MaxStatisticDays = 30
)

// StatisticData are the group figures of an owner or a day.
type StatisticData struct {
	NewChatCount   int `json:"new_chat_cnt"`   // groups created
	ChatTotal      int `json:"chat_total"`     // groups at the end of the range
	ChatHasMsg     int `json:"chat_has_msg"`   // groups with messages
	NewMemberCount int `json:"new_member_cnt"` // members who joined
	MemberTotal    int `json:"member_total"`   // members at the end of the range
	MemberHasMsg   int `json:"member_has_msg"` // members who sent messages
	MessageTotal   int `json:"msg_total"`      // messages sent
	// MigrateTraineeChatCount is the groups migrated from trainee accounts.
	MigrateTraineeChatCount int `json:"migrate_trainee_chat_cnt"`
}

// OwnerStatistic is the figures of one group owner.
type OwnerStatistic struct {
	Owner string        `json:"owner"`
	Data  StatisticData `json:"data"`
}

// DayStatistic is the figures of one day.
type DayStatistic struct {
	StatTime int64         `json:"stat_time"` // the day's 00:00 (China time), Unix seconds
	Data     StatisticData `json:"data"`
}

// StatAt returns StatTime as a time.Time (the zero time when unset).
func (d *DayStatistic) StatAt() time.Time { return wecom.UnixTime(d.StatTime) }

// ListOwnerStatisticsRequest selects the figures of ListOwnerStatistics
// and AllOwnerStatistics. Days are WeCom's (China time); times are moved
// to the start of their day.
type ListOwnerStatisticsRequest struct {
	// DayBegin is the first day (Unix seconds), required. WeCom keeps
	// figures from yesterday back 180 days.
	DayBegin int64
	// DayEnd is the last day, included; 0 means DayBegin. At most 30 days
	// after DayBegin.
	DayEnd int64
	// OwnerIDs restricts the figures to these owners (at most 100); empty
	// covers every owner in the app's visible range (WeCom refuses that,
	// with 81017, above 1000 members).
	OwnerIDs []string
	// OrderBy and OrderAsc sort the owners; the default is new groups,
	// descending.
	OrderBy  OrderBy
	OrderAsc bool
	// Offset is the first owner of the page; AllOwnerStatistics starts
	// there and follows next_offset.
	Offset int
	// Limit is the page size, at most 1000. 0 means WeCom's default (500)
	// for ListOwnerStatistics and MaxStatisticLimit for
	// AllOwnerStatistics.
	Limit int
}

// GetDayStatisticsRequest selects the days and groups of
// GetDayStatistics. Days are WeCom's (China time).
type GetDayStatisticsRequest struct {
	// DayBegin is the first day (Unix seconds), required.
	DayBegin int64
	// DayEnd is the last day, included; 0 means DayBegin. At most 30 days
	// after DayBegin.
	DayEnd int64
	// OwnerIDs restricts the figures to the groups of these owners (at
	// most 100); empty covers every owner in the app's visible range.
	OwnerIDs []string
}

type statisticBody struct {
	DayBeginTime int64        `json:"day_begin_time"`
	DayEndTime   int64        `json:"day_end_time,omitempty"`
	OwnerFilter  *OwnerFilter `json:"owner_filter,omitempty"`
	OrderBy      OrderBy      `json:"order_by,omitempty"`
	OrderAsc     int          `json:"order_asc,omitempty"`
	Offset       int          `json:"offset,omitempty"`
	Limit        int          `json:"limit,omitempty"`
}

func rangeBody(op string, begin, end int64, owners []string) (statisticBody, error) {
	switch {
	case begin <= 0:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: begin day is not set", op)
	case end != 0 && end < begin:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: end day is before the begin day", op)
	case len(owners) > 100:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: %d owners, at most 100", op, len(owners))
	}
	b := statisticBody{DayBeginTime: begin, DayEndTime: end}
	if len(owners) > 0 {
		b.OwnerFilter = &OwnerFilter{UserIDList: owners}
	}
	return b, nil
}

func (r ListOwnerStatisticsRequest) body(op string) (statisticBody, error) {
	b, err := rangeBody(op, r.DayBegin, r.DayEnd, r.OwnerIDs)
	switch {
	case err != nil:
		return b, err
	case r.OrderBy < 0 || r.OrderBy > OrderByMessageTotal:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: unknown order %d", op, int(r.OrderBy))
	case r.Limit < 0 || r.Limit > MaxStatisticLimit:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: limit %d is not in 1..%d", op, r.Limit, MaxStatisticLimit)
	case r.Offset < 0:
		return statisticBody{}, wecom.InvalidArgument("groupchat: %s: offset %d is negative", op, r.Offset)
	}
	b.OrderBy, b.Offset, b.Limit = r.OrderBy, r.Offset, r.Limit
	if r.OrderAsc {
		b.OrderAsc = 1
	}
	return b, nil
}

// OwnerStatisticsPage is one page of ListOwnerStatistics.
type OwnerStatisticsPage struct {
	// Total is the number of owners across all pages.
	Total int `json:"total"`
	// NextOffset is the Offset of the next page; it equals Total after
	// the last page.
	NextOffset int              `json:"next_offset"`
	Items      []OwnerStatistic `json:"items"`
}

// ListOwnerStatistics returns one page of group figures per owner over a
// range of days, sorted by req.OrderBy (WeCom: 获取「群聊数据统计」数据,
// 按群主聚合). The endpoint pages by offset, so the page carries Total and
// NextOffset instead of a cursor.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic
func (s *Service) ListOwnerStatistics(ctx context.Context, req *ListOwnerStatisticsRequest, opts ...wecom.CallOption) (*OwnerStatisticsPage, error) {
	body, err := wire.Deref(req).body("list owner statistics")
	if err != nil {
		return nil, err
	}
	return wecom.Call[OwnerStatisticsPage](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/statistic",
		Body:       body,
		Idempotent: true,
	}, opts...)
}

// AllOwnerStatistics iterates over the figures of every owner
// ListOwnerStatistics would return, from req.Offset on, following
// next_offset with pages of req.Limit (0: MaxStatisticLimit); req is not
// changed. It yields the first error and stops, and stops fetching when
// the loop breaks.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic
func (s *Service) AllOwnerStatistics(ctx context.Context, req *ListOwnerStatisticsRequest, opts ...wecom.CallOption) iter.Seq2[OwnerStatistic, error] {
	base := wire.Deref(req)
	if base.Limit == 0 {
		base.Limit = MaxStatisticLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]OwnerStatistic, string, error) {
		r := base
		if cursor != "" {
			off, err := strconv.Atoi(cursor)
			if err != nil {
				return nil, "", err
			}
			r.Offset = off
		}
		page, err := s.ListOwnerStatistics(ctx, &r, opts...)
		if err != nil {
			return nil, "", err
		}
		// The last page is reached when next_offset reaches total; an
		// empty page or an offset that does not advance also ends it.
		if len(page.Items) == 0 || page.NextOffset >= page.Total || page.NextOffset <= r.Offset {
			return page.Items, "", nil
		}
		return page.Items, strconv.Itoa(page.NextOffset), nil
	})
}

// GetDayStatistics returns the group figures of each day of a range, over
// the groups of req.OwnerIDs or every owner (WeCom: 获取「群聊数据统计」数据,
// 按自然日聚合).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic_group_by_day
func (s *Service) GetDayStatistics(ctx context.Context, req *GetDayStatisticsRequest, opts ...wecom.CallOption) ([]DayStatistic, error) {
	r := wire.Deref(req)
	body, err := rangeBody("get day statistics", r.DayBegin, r.DayEnd, r.OwnerIDs)
	if err != nil {
		return nil, err
	}
	resp, err := wecom.Call[struct {
		Items []DayStatistic `json:"items"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/statistic_group_by_day",
		Body:       body,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Items, nil
}
