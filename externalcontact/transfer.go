package externalcontact

import (
	"context"
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
	// MaxTransferSuccessMsgLength is the most characters of the message a
	// customer receives after an on-job transfer.
	MaxTransferSuccessMsgLength = 200
	// MaxUnassignedPageSize is the largest page of get_unassigned_list.
	MaxUnassignedPageSize = 1000
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

// TransferResignedCustomersRequest moves customers of a member who has
// left (离职继承) to another member.
type TransferResignedCustomersRequest struct {
	HandoverUserID  string   `json:"handover_userid"`
	TakeoverUserID  string   `json:"takeover_userid"`
	ExternalUserIDs []string `json:"external_userid"` // 1..100
}

// TransferOutcome is what WeCom said about one customer of a transfer
// call. Code 0 (OK) means the transfer started (it completes after 24
// hours unless the customer refuses); anything else is WeCom's errcode for
// that customer, such as 40096 (unknown customer), 84061 (not a customer
// of the handover member) or 40129 (already being transferred).
type TransferOutcome struct {
	ExternalUserID string `json:"external_userid"`
	wecom.ItemStatus
	path string
}

// Err returns nil when the transfer of this customer started, otherwise a
// *wecom.Error with the customer's errcode for the transfer endpoint.
func (o TransferOutcome) Err() error { return o.ItemStatus.Err(o.path) }

// TransferResult is one customer's state in transfer_result.
type TransferResult struct {
	ExternalUserID string         `json:"external_userid"`
	Status         TransferStatus `json:"status"`
	// TakeoverTime is when the takeover member took the customer over, or,
	// while waiting, when they will (Unix seconds).
	TakeoverTime int64 `json:"takeover_time"`
}

// TakeoverAt returns TakeoverTime as a time.Time (zero when unset).
func (r TransferResult) TakeoverAt() time.Time { return wecom.UnixTime(r.TakeoverTime) }

// UnassignedCustomer is a customer of a member who has left, waiting for a
// resigned transfer.
type UnassignedCustomer struct {
	HandoverUserID string `json:"handover_userid"`
	ExternalUserID string `json:"external_userid"`
	// DimissionTime is when the member left (Unix seconds).
	DimissionTime int64 `json:"dimission_time"`
}

// DimissionAt returns DimissionTime as a time.Time (zero when unset).
func (u UnassignedCustomer) DimissionAt() time.Time { return wecom.UnixTime(u.DimissionTime) }

// members names the two members of a transfer.
type members struct{ handover, takeover string }

func checkMembers(op string, m members) error {
	if m.handover == "" || m.takeover == "" {
		return wecom.InvalidArgument("externalcontact: %s: handover_userid and takeover_userid are required", op)
	}
	return nil
}

func checkTransfer(op string, m members, ids []string) error {
	if err := checkMembers(op, m); err != nil {
		return err
	}
	switch {
	case len(ids) == 0:
		return wecom.InvalidArgument("externalcontact: %s: no external_userid given", op)
	case len(ids) > MaxTransferCustomers:
		return wecom.InvalidArgument("externalcontact: %s: %d external_userid, at most %d", op, len(ids), MaxTransferCustomers)
	}
	for i, id := range ids {
		if id == "" {
			return wecom.InvalidArgument("externalcontact: %s: external_userid %d is empty", op, i)
		}
	}
	return nil
}

// transferOutcomes decodes the customer list of a transfer call, each
// outcome knowing its endpoint for Err.
func (s *Service) transferOutcomes(ctx context.Context, path string, body any, opts []wecom.CallOption) ([]TransferOutcome, error) {
	resp, err := wecom.Call[struct {
		Customer []TransferOutcome `json:"customer"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: path, Body: body}, opts...)
	if err != nil {
		return nil, err
	}
	for i := range resp.Customer {
		resp.Customer[i].path = path
	}
	return resp.Customer, nil
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
	r := deref(req)
	if err := checkTransfer("transfer customers", members{r.HandoverUserID, r.TakeoverUserID}, r.ExternalUserIDs); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(r.TransferSuccessMsg); n > MaxTransferSuccessMsgLength {
		return nil, wecom.InvalidArgument("externalcontact: transfer customers: transfer_success_msg has %d characters, at most %d", n, MaxTransferSuccessMsgLength)
	}
	return s.transferOutcomes(ctx, "/cgi-bin/externalcontact/transfer_customer", &r, opts)
}

// ListTransferResultsRequest selects the transfers from one member to
// another and the page (transfer_result has no page size).
type ListTransferResultsRequest struct {
	HandoverUserID string `json:"handover_userid"`
	TakeoverUserID string `json:"takeover_userid"`
	Cursor         string `json:"cursor,omitempty"`
}

// ListResignedTransferResultsRequest is ListTransferResultsRequest for
// resigned transfers: resigned/transfer_result takes the same body.
type ListResignedTransferResultsRequest = ListTransferResultsRequest

func (s *Service) transferResults(ctx context.Context, op, path string, req *ListTransferResultsRequest, opts []wecom.CallOption) ([]TransferResult, string, error) {
	r := deref(req)
	if err := checkMembers(op, members{r.HandoverUserID, r.TakeoverUserID}); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Customer   []TransferResult `json:"customer"`
		NextCursor string           `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: path, Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.Customer, resp.NextCursor, nil
}

// allTransferResults walks the pages of list from the first, on a copy of
// req.
func allTransferResults(ctx context.Context, req *ListTransferResultsRequest, list func(context.Context, *ListTransferResultsRequest, ...wecom.CallOption) ([]TransferResult, string, error), opts []wecom.CallOption) iter.Seq2[TransferResult, error] {
	r := deref(req)
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]TransferResult, string, error) {
		p := r
		p.Cursor = cursor
		return list(ctx, &p, opts...)
	})
}

// ListTransferResults returns one page of the on-job transfers from
// handover to takeover and the cursor of the next page ("" after the
// last); req.Cursor selects the page.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result
func (s *Service) ListTransferResults(ctx context.Context, req *ListTransferResultsRequest, opts ...wecom.CallOption) ([]TransferResult, string, error) {
	return s.transferResults(ctx, "list transfer results", "/cgi-bin/externalcontact/transfer_result", req, opts)
}

// AllTransferResults iterates over every on-job transfer from handover to
// takeover, from the first page (req.Cursor is ignored), fetching pages
// as the loop goes.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result
func (s *Service) AllTransferResults(ctx context.Context, req *ListTransferResultsRequest, opts ...wecom.CallOption) iter.Seq2[TransferResult, error] {
	return allTransferResults(ctx, req, s.ListTransferResults, opts)
}

// ListUnassignedCustomersRequest selects a page of get_unassigned_list.
type ListUnassignedCustomersRequest struct {
	Cursor string `json:"cursor,omitempty"`
	// Limit is WeCom's page_size, 1..1000; 0 means WeCom's default (the
	// iterator asks for 1000).
	Limit int `json:"page_size,omitempty"`
}

// ListUnassignedCustomers returns one page of the customers of members who
// have left, waiting for a resigned transfer, and the cursor of the next
// page ("" after the last).
//
// WeCom: POST /cgi-bin/externalcontact/get_unassigned_list
func (s *Service) ListUnassignedCustomers(ctx context.Context, req *ListUnassignedCustomersRequest, opts ...wecom.CallOption) ([]UnassignedCustomer, string, error) {
	r := deref(req)
	if err := checkLimit("list unassigned customers", r.Limit, MaxUnassignedPageSize); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		Info       []UnassignedCustomer `json:"info"`
		IsLast     bool                 `json:"is_last"`
		NextCursor string               `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_unassigned_list", Body: &r, Idempotent: true}, opts...)
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
// resigned transfer, req.Limit at a time (0: 1000, the maximum), from the
// first page.
//
// WeCom: POST /cgi-bin/externalcontact/get_unassigned_list
func (s *Service) AllUnassignedCustomers(ctx context.Context, req *ListUnassignedCustomersRequest, opts ...wecom.CallOption) iter.Seq2[UnassignedCustomer, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxUnassignedPageSize
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]UnassignedCustomer, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListUnassignedCustomers(ctx, &p, opts...)
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
func (s *Service) TransferResignedCustomers(ctx context.Context, req *TransferResignedCustomersRequest, opts ...wecom.CallOption) ([]TransferOutcome, error) {
	r := deref(req)
	if err := checkTransfer("transfer resigned customers", members{r.HandoverUserID, r.TakeoverUserID}, r.ExternalUserIDs); err != nil {
		return nil, err
	}
	return s.transferOutcomes(ctx, "/cgi-bin/externalcontact/resigned/transfer_customer", &r, opts)
}

// ListResignedTransferResults returns one page of the resigned transfers
// from handover to takeover and the cursor of the next page.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result
func (s *Service) ListResignedTransferResults(ctx context.Context, req *ListResignedTransferResultsRequest, opts ...wecom.CallOption) ([]TransferResult, string, error) {
	return s.transferResults(ctx, "list resigned transfer results", "/cgi-bin/externalcontact/resigned/transfer_result", req, opts)
}

// AllResignedTransferResults iterates over every resigned transfer from
// handover to takeover, from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result
func (s *Service) AllResignedTransferResults(ctx context.Context, req *ListResignedTransferResultsRequest, opts ...wecom.CallOption) iter.Seq2[TransferResult, error] {
	return allTransferResults(ctx, req, s.ListResignedTransferResults, opts)
}

// Defaults of WaitTransfers' wecom.WaitOptions: a transfer takes 24 hours,
// so there is no point in polling often.
const (
	DefaultTransferPollInterval    = time.Minute
	DefaultTransferMaxPollInterval = 30 * time.Minute
)

// WaitTransfersRequest names the transfers to wait for: the customers
// moved from HandoverUserID to TakeoverUserID.
type WaitTransfersRequest struct {
	HandoverUserID  string
	TakeoverUserID  string
	ExternalUserIDs []string
	// WaitOptions tunes the polling: zero fields take
	// DefaultTransferPollInterval and DefaultTransferMaxPollInterval.
	wecom.WaitOptions
}

// WaitResignedTransfersRequest is WaitTransfersRequest for resigned
// transfers.
type WaitResignedTransfersRequest = WaitTransfersRequest

// waitSleep is the sleep between polls; tests replace it with a fake.
var waitSleep func(ctx context.Context, d time.Duration) error

// WaitTransfers polls the on-job transfers from handover to takeover until
// none of req.ExternalUserIDs is waiting any more, and returns their
// results in the order asked. A customer WeCom does not list is reported
// with TransferStatusNoRecord. It returns ctx's error when ctx ends first,
// so bound ctx: a transfer takes 24 hours. opts go to every poll.
//
// WeCom: POST /cgi-bin/externalcontact/transfer_result (polled)
func (s *Service) WaitTransfers(ctx context.Context, req *WaitTransfersRequest, opts ...wecom.CallOption) ([]TransferResult, error) {
	return s.waitTransfers(ctx, "wait transfers", s.AllTransferResults, req, opts)
}

// WaitResignedTransfers is WaitTransfers for resigned transfers.
//
// WeCom: POST /cgi-bin/externalcontact/resigned/transfer_result (polled)
func (s *Service) WaitResignedTransfers(ctx context.Context, req *WaitResignedTransfersRequest, opts ...wecom.CallOption) ([]TransferResult, error) {
	return s.waitTransfers(ctx, "wait resigned transfers", s.AllResignedTransferResults, req, opts)
}

type resultLister func(ctx context.Context, req *ListTransferResultsRequest, opts ...wecom.CallOption) iter.Seq2[TransferResult, error]

func (s *Service) waitTransfers(ctx context.Context, op string, list resultLister, req *WaitTransfersRequest, opts []wecom.CallOption) ([]TransferResult, error) {
	r := deref(req)
	if err := checkMembers(op, members{r.HandoverUserID, r.TakeoverUserID}); err != nil {
		return nil, err
	}
	ids := r.ExternalUserIDs
	if len(ids) == 0 {
		return nil, wecom.InvalidArgument("externalcontact: %s: no external_userid given", op)
	}
	w := poll.Waiter{Initial: r.PollInterval, Max: r.MaxPollInterval, Sleep: waitSleep}
	if w.Initial <= 0 {
		w.Initial = DefaultTransferPollInterval
	}
	if w.Max <= 0 {
		w.Max = DefaultTransferMaxPollInterval
	}
	lr := &ListTransferResultsRequest{HandoverUserID: r.HandoverUserID, TakeoverUserID: r.TakeoverUserID}
	var out []TransferResult
	err := w.Until(ctx, func(ctx context.Context) (bool, error) {
		seen := make(map[string]TransferResult, len(ids))
		for tr, err := range list(ctx, lr, opts...) {
			if err != nil {
				return false, err
			}
			seen[tr.ExternalUserID] = tr
		}
		out = out[:0]
		done := true
		for _, id := range ids {
			tr, ok := seen[id]
			if !ok {
				tr = TransferResult{ExternalUserID: id, Status: TransferStatusNoRecord}
			}
			done = done && tr.Status.Final()
			out = append(out, tr)
		}
		return done, nil
	})
	if err != nil {
		return nil, fmt.Errorf("externalcontact: wait for the transfer of %d customers from %s to %s: %w", len(ids), r.HandoverUserID, r.TakeoverUserID, err)
	}
	return out, nil
}
