package externalcontact

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/poll"
)

// Limits of the transfer endpoints, checked before any call.
const (
	// MaxTransferCustomers is the most customers one transfer call moves.
	MaxTransferCustomers = 100
	// MaxTransferSuccessMsgLen is the most characters of the message a
	// customer receives after an on-job transfer.
	MaxTransferSuccessMsgLen = 200
	// MaxUnassignedPageSize is the largest page of get_unassigned_list.
	MaxUnassignedPageSize = 1000
)

// Errors of misuse, returned before any call is made. Test for them with
// errors.Is.
var (
	ErrTransferNoCustomers      = errors.New("externalcontact: no external_userid given")
	ErrTransferTooManyCustomers = errors.New("externalcontact: more than 100 external_userid in one transfer")
	ErrTransferMissingUserID    = errors.New("externalcontact: handover or takeover userid is empty")
)

// TransferStatus is the state of one customer's transfer (接替状态).
type TransferStatus int

// Transfer states as transfer_result reports them.
const (
	TransferStatusDone          TransferStatus = 1 // 接替完毕
	TransferStatusWaiting       TransferStatus = 2 // 等待接替: within the 24-hour period
	TransferStatusRefused       TransferStatus = 3 // 客户拒绝
	TransferStatusTakeoverLimit TransferStatus = 4 // 接替成员客户达到上限
	TransferStatusNoRecord      TransferStatus = 5 // 无接替记录
)

// String returns the status in words.
func (s TransferStatus) String() string {
	switch s {
	case TransferStatusDone:
		return "done"
	case TransferStatusWaiting:
		return "waiting"
	case TransferStatusRefused:
		return "refused"
	case TransferStatusTakeoverLimit:
		return "takeover over limit"
	case TransferStatusNoRecord:
		return "no record"
	}
	return "TransferStatus(" + strconv.Itoa(int(s)) + ")"
}

// Final reports whether the transfer will not change any more.
func (s TransferStatus) Final() bool { return s != TransferStatusWaiting }

// TransferCustomersRequest moves customers of a member who is still with
// the corp (在职继承) to another member.
type TransferCustomersRequest struct {
	HandoverUserID  string   `json:"handover_userid"`
	TakeoverUserID  string   `json:"takeover_userid"`
	ExternalUserIDs []string `json:"external_userid"` // 1..100
	// TransferSuccessMsg is the message the customer receives once the
	// transfer is done (at most 200 characters); empty sends WeCom's default.
	TransferSuccessMsg string `json:"transfer_success_msg,omitempty"`
}

// ResignedTransferRequest moves customers of a member who has left (离职继承)
// to another member.
type ResignedTransferRequest struct {
	HandoverUserID  string   `json:"handover_userid"`
	TakeoverUserID  string   `json:"takeover_userid"`
	ExternalUserIDs []string `json:"external_userid"` // 1..100
}

// TransferOutcome is what WeCom said about one customer of a transfer
// call. Code 0 means the transfer started (it completes after 24 hours
// unless the customer refuses); anything else is WeCom's errcode for that
// customer, such as 40096 (unknown customer), 84061 (not a customer of the
// handover member) or 40129 (already being transferred).
type TransferOutcome struct {
	ExternalUserID string     `json:"external_userid"`
	Code           wecom.Code `json:"errcode"`
}

// Started reports whether the transfer of this customer started.
func (o TransferOutcome) Started() bool { return o.Code == 0 }

// TransferResult is one customer's state in transfer_result.
type TransferResult struct {
	ExternalUserID string         `json:"external_userid"`
	Status         TransferStatus `json:"status"`
	// TakeoverTime is when the takeover member took the customer over, or,
	// while waiting, when they will (Unix seconds).
	TakeoverTime int64 `json:"takeover_time"`
}

// TakeoverAt returns TakeoverTime as a time.Time (zero when unset).
func (r TransferResult) TakeoverAt() time.Time { return unixOrZero(r.TakeoverTime) }

// UnassignedCustomer is a customer of a member who has left, waiting for a
// resigned transfer.
type UnassignedCustomer struct {
	HandoverUserID string `json:"handover_userid"`
	ExternalUserID string `json:"external_userid"`
	// DimissionTime is when the member left (Unix seconds).
	DimissionTime int64 `json:"dimission_time"`
}

// DimissionAt returns DimissionTime as a time.Time.
func (u UnassignedCustomer) DimissionAt() time.Time { return unixOrZero(u.DimissionTime) }

func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

func checkTransfer(handover, takeover string, ids []string) error {
	switch {
	case handover == "" || takeover == "":
		return ErrTransferMissingUserID
	case len(ids) == 0:
		return ErrTransferNoCustomers
	case len(ids) > MaxTransferCustomers:
		return fmt.Errorf("%w (got %d)", ErrTransferTooManyCustomers, len(ids))
	}
	for i, id := range ids {
		if id == "" {
			return fmt.Errorf("externalcontact: external_userid %d is empty", i)
		}
	}
	return nil
}

// TransferCustomers starts moving up to 100 customers from one member to
// another while both are with the corp (在职继承). Each customer gets 24
// hours to refuse; the outcome per customer only says whether the
// transfer started. Follow it with ListTransferResults or WaitTransfers.
// WeCom allows each customer to be transferred twice in 90 days.
//
// The call is not repeated on an ambiguous failure (it is not idempotent):
// an error with wecom.IsMaybeApplied means check ListTransferResults first.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_customer
func (s *Service) TransferCustomers(ctx context.Context, req *TransferCustomersRequest, opts ...wecom.CallOption) ([]TransferOutcome, error) {
	if req == nil {
		return nil, errors.New("externalcontact: nil TransferCustomersRequest")
	}
	if err := checkTransfer(req.HandoverUserID, req.TakeoverUserID, req.ExternalUserIDs); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(req.TransferSuccessMsg); n > MaxTransferSuccessMsgLen {
		return nil, fmt.Errorf("externalcontact: transfer_success_msg has %d characters, more than %d", n, MaxTransferSuccessMsgLen)
	}
	var resp struct {
		Customer []TransferOutcome `json:"customer"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/transfer_customer",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Customer, nil
}

// transferResultRequest names the member pair of a transfer and the page.
type transferResultRequest struct {
	HandoverUserID string `json:"handover_userid"`
	TakeoverUserID string `json:"takeover_userid"`
	Cursor         string `json:"cursor,omitempty"`
}

func (s *Service) transferResults(ctx context.Context, path, handover, takeover, cursor string, opts []wecom.CallOption) ([]TransferResult, string, error) {
	if handover == "" || takeover == "" {
		return nil, "", ErrTransferMissingUserID
	}
	var resp struct {
		Customer   []TransferResult `json:"customer"`
		NextCursor string           `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       path,
		Body:       transferResultRequest{handover, takeover, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Customer, resp.NextCursor, nil
}

// ListTransferResults returns one page of the on-job transfers from handover
// to takeover and the cursor of the next page ("" after the last).
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result
func (s *Service) ListTransferResults(ctx context.Context, handoverUserID, takeoverUserID, cursor string, opts ...wecom.CallOption) ([]TransferResult, string, error) {
	return s.transferResults(ctx, "/cgi-bin/externalcontact/transfer_result", handoverUserID, takeoverUserID, cursor, opts)
}

// AllTransferResults iterates over every on-job transfer from handover to
// takeover, fetching pages as the loop goes.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result
func (s *Service) AllTransferResults(ctx context.Context, handoverUserID, takeoverUserID string, opts ...wecom.CallOption) iter.Seq2[TransferResult, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]TransferResult, string, error) {
		return s.ListTransferResults(ctx, handoverUserID, takeoverUserID, cursor, opts...)
	})
}

// ListUnassignedCustomers returns one page of the customers of members who
// have left, waiting for a resigned transfer, and the cursor of the next
// page ("" after the last). pageSize is 1..1000; 0 means WeCom's default.
//
// WeCom: POST /cgi-bin/externalcontact/get_unassigned_list
func (s *Service) ListUnassignedCustomers(ctx context.Context, cursor string, pageSize int, opts ...wecom.CallOption) ([]UnassignedCustomer, string, error) {
	if pageSize < 0 || pageSize > MaxUnassignedPageSize {
		return nil, "", fmt.Errorf("externalcontact: page size %d is not in 0..%d", pageSize, MaxUnassignedPageSize)
	}
	var resp struct {
		Info       []UnassignedCustomer `json:"info"`
		IsLast     bool                 `json:"is_last"`
		NextCursor string               `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_unassigned_list",
		Body: struct {
			Cursor   string `json:"cursor,omitempty"`
			PageSize int    `json:"page_size,omitempty"`
		}{cursor, pageSize},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	// WeCom ends the list with is_last; some answers still carry a cursor
	// on the last page, so is_last wins.
	if resp.IsLast {
		return resp.Info, "", nil
	}
	return resp.Info, resp.NextCursor, nil
}

// AllUnassignedCustomers iterates over every customer waiting for a
// resigned transfer, pageSize at a time (0: WeCom's default).
//
// WeCom: POST /cgi-bin/externalcontact/get_unassigned_list
func (s *Service) AllUnassignedCustomers(ctx context.Context, pageSize int, opts ...wecom.CallOption) iter.Seq2[UnassignedCustomer, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]UnassignedCustomer, string, error) {
		return s.ListUnassignedCustomers(ctx, cursor, pageSize, opts...)
	})
}

// TransferResignedCustomers starts moving up to 100 customers of a member
// who has left (离职继承) to another member; the takeover completes after
// 24 hours. The outcome per customer only says whether it started; follow
// it with ListResignedTransferResults or WaitResignedTransfers.
//
// Not idempotent: an error with wecom.IsMaybeApplied means check
// ListResignedTransferResults before repeating.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_customer
func (s *Service) TransferResignedCustomers(ctx context.Context, req *ResignedTransferRequest, opts ...wecom.CallOption) ([]TransferOutcome, error) {
	if req == nil {
		return nil, errors.New("externalcontact: nil ResignedTransferRequest")
	}
	if err := checkTransfer(req.HandoverUserID, req.TakeoverUserID, req.ExternalUserIDs); err != nil {
		return nil, err
	}
	var resp struct {
		Customer []TransferOutcome `json:"customer"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/resigned/transfer_customer",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Customer, nil
}

// ListResignedTransferResults returns one page of the resigned transfers from
// handover to takeover and the cursor of the next page.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result
func (s *Service) ListResignedTransferResults(ctx context.Context, handoverUserID, takeoverUserID, cursor string, opts ...wecom.CallOption) ([]TransferResult, string, error) {
	return s.transferResults(ctx, "/cgi-bin/externalcontact/resigned/transfer_result", handoverUserID, takeoverUserID, cursor, opts)
}

// AllResignedTransferResults iterates over every resigned transfer from
// handover to takeover.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result
func (s *Service) AllResignedTransferResults(ctx context.Context, handoverUserID, takeoverUserID string, opts ...wecom.CallOption) iter.Seq2[TransferResult, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]TransferResult, string, error) {
		return s.ListResignedTransferResults(ctx, handoverUserID, takeoverUserID, cursor, opts...)
	})
}

// TransferWaitOption adjusts WaitTransfers and WaitResignedTransfers.
type TransferWaitOption func(*transferWait)

type transferWait struct {
	waiter poll.Waiter
	call   []wecom.CallOption
}

// TransferPollInterval sets the delay between polls: initial, doubling up
// to max. The default is 1 minute up to 30 minutes, since a transfer takes
// 24 hours.
func TransferPollInterval(initial, max time.Duration) TransferWaitOption {
	return func(w *transferWait) { w.waiter.Initial, w.waiter.Max = initial, max }
}

// TransferCallOptions passes call options to every poll.
func TransferCallOptions(opts ...wecom.CallOption) TransferWaitOption {
	return func(w *transferWait) { w.call = append(w.call, opts...) }
}

// WaitTransfers polls the on-job transfers from handover to takeover until
// none of externalUserIDs is waiting any more, and returns their results
// in the order asked. A customer WeCom does not list is reported with
// TransferStatusNoRecord. It returns ctx's error when ctx ends first, so
// bound ctx: a transfer takes 24 hours.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result (polled)
func (s *Service) WaitTransfers(ctx context.Context, handoverUserID, takeoverUserID string, externalUserIDs []string, opts ...TransferWaitOption) ([]TransferResult, error) {
	return s.waitTransfers(ctx, s.AllTransferResults, handoverUserID, takeoverUserID, externalUserIDs, opts)
}

// WaitResignedTransfers is WaitTransfers for resigned transfers.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result (polled)
func (s *Service) WaitResignedTransfers(ctx context.Context, handoverUserID, takeoverUserID string, externalUserIDs []string, opts ...TransferWaitOption) ([]TransferResult, error) {
	return s.waitTransfers(ctx, s.AllResignedTransferResults, handoverUserID, takeoverUserID, externalUserIDs, opts)
}

type resultLister func(ctx context.Context, handover, takeover string, opts ...wecom.CallOption) iter.Seq2[TransferResult, error]

func (s *Service) waitTransfers(ctx context.Context, list resultLister, handover, takeover string, ids []string, opts []TransferWaitOption) ([]TransferResult, error) {
	if handover == "" || takeover == "" {
		return nil, ErrTransferMissingUserID
	}
	if len(ids) == 0 {
		return nil, ErrTransferNoCustomers
	}
	w := transferWait{waiter: poll.Waiter{Initial: time.Minute, Max: 30 * time.Minute}}
	for _, o := range opts {
		if o != nil {
			o(&w)
		}
	}
	var out []TransferResult
	err := w.waiter.Until(ctx, func(ctx context.Context) (bool, error) {
		seen := make(map[string]TransferResult, len(ids))
		for r, err := range list(ctx, handover, takeover, w.call...) {
			if err != nil {
				return false, err
			}
			seen[r.ExternalUserID] = r
		}
		out = out[:0]
		done := true
		for _, id := range ids {
			r, ok := seen[id]
			if !ok {
				r = TransferResult{ExternalUserID: id, Status: TransferStatusNoRecord}
			}
			done = done && r.Status.Final()
			out = append(out, r)
		}
		return done, nil
	})
	if err != nil {
		return nil, fmt.Errorf("externalcontact: wait for the transfer of %d customers from %s to %s: %w", len(ids), handover, takeover, err)
	}
	return out, nil
}
