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

// OrderBy is the figure Statistic sorts owners by.
type OrderBy int

// Statistic orders.
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
	MaxStatisticLimit = 1000 // owners a Statistic page holds
	MaxStatisticDays  = 30   // days one request spans
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

// Day returns StatTime as a time.Time.
func (d *DayStatistic) Day() time.Time { return time.Unix(d.StatTime, 0) }

// StatisticRequest selects the figures of Statistic and StatisticByDay.
// Days are WeCom's (China time); times are moved to the start of their day.
type StatisticRequest struct {
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
	// OrderBy and OrderAsc sort Statistic's owners; the default is new
	// groups, descending. StatisticByDay ignores them.
	OrderBy  OrderBy
	OrderAsc bool
	// Offset and Limit page Statistic's owners (Limit 0 means WeCom's
	// default, 500; at most 1000). StatisticByDay ignores them; the
	// iterator AllStatistics starts at Offset.
	Offset int
	Limit  int
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

func (r StatisticRequest) body(paged bool) (statisticBody, error) {
	if r.DayBegin <= 0 {
		return statisticBody{}, invalid("statistic begin day is not set")
	}
	if r.DayEnd != 0 && r.DayEnd < r.DayBegin {
		return statisticBody{}, invalid("statistic end day is before the begin day")
	}
	if len(r.OwnerIDs) > 100 {
		return statisticBody{}, invalid("%d owners, at most 100", len(r.OwnerIDs))
	}
	b := statisticBody{DayBeginTime: r.DayBegin, DayEndTime: r.DayEnd}
	if len(r.OwnerIDs) > 0 {
		b.OwnerFilter = &OwnerFilter{UserIDList: r.OwnerIDs}
	}
	if !paged {
		return b, nil
	}
	if r.OrderBy < 0 || r.OrderBy > OrderByMessageTotal {
		return statisticBody{}, invalid("unknown order %d", int(r.OrderBy))
	}
	if r.Limit < 0 || r.Limit > MaxStatisticLimit {
		return statisticBody{}, invalid("statistic limit %d is not in 1..%d", r.Limit, MaxStatisticLimit)
	}
	if r.Offset < 0 {
		return statisticBody{}, invalid("statistic offset %d is negative", r.Offset)
	}
	b.OrderBy, b.Offset, b.Limit = r.OrderBy, r.Offset, r.Limit
	if r.OrderAsc {
		b.OrderAsc = 1
	}
	return b, nil
}

// StatisticPage is one page of Statistic.
type StatisticPage struct {
	// Total is the number of owners across all pages.
	Total int `json:"total"`
	// NextOffset is the Offset of the next page; it equals Total after
	// the last page.
	NextOffset int              `json:"next_offset"`
	Items      []OwnerStatistic `json:"items"`
}

// Statistic returns one page of group figures per owner over a range of
// days, sorted by req.OrderBy.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic
func (s *Service) Statistic(ctx context.Context, in *StatisticRequest, opts ...wecom.CallOption) (*StatisticPage, error) {
	req := wire.Deref(in)
	body, err := req.body(true)
	if err != nil {
		return nil, err
	}
	var page StatisticPage
	err = s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/statistic",
		Body:       body,
		Idempotent: true,
	}, &page, opts...)
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// AllStatistics iterates over the figures of every owner Statistic would
// return, from req.Offset on, following next_offset page by page. It
// yields the first error and stops, and stops fetching when the loop
// breaks.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic
func (s *Service) AllStatistics(ctx context.Context, in *StatisticRequest, opts ...wecom.CallOption) iter.Seq2[OwnerStatistic, error] {
	req := wire.Deref(in)
	start := req.Offset
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]OwnerStatistic, string, error) {
		r := req
		r.Offset = start
		if cursor != "" {
			off, err := strconv.Atoi(cursor)
			if err != nil {
				return nil, "", err
			}
			r.Offset = off
		}
		page, err := s.Statistic(ctx, &r, opts...)
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

// StatisticByDay returns the group figures of each day of a range, over
// the groups of req.OwnerIDs (or every owner).
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/statistic_group_by_day
func (s *Service) StatisticByDay(ctx context.Context, in *StatisticRequest, opts ...wecom.CallOption) ([]DayStatistic, error) {
	req := wire.Deref(in)
	body, err := req.body(false)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Items []DayStatistic `json:"items"`
	}
	err = s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/groupchat/statistic_group_by_day",
		Body:       body,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Items, nil
}
