package wecomtest

import (
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// Customer transfers (在职继承 and 离职继承). A transfer waits 24 hours on
// the server clock (status 2); then the follow relation moves to the
// takeover member (status 1) and the callbacks WeCom sends are emitted:
// del_external_contact with Source DELETE_BY_TRANSFER for the handover
// member of an on-job transfer and add_external_contact for the takeover
// member. A customer may refuse an on-job transfer while it waits
// (RefuseTransfer: status 3, transfer_fail), and a takeover member over
// their customer limit (SetCustomerLimit) gets status 4.

func registerECTransfers(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/transfer_customer", s.ecTransferCustomer(false))
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/resigned/transfer_customer", s.ecTransferCustomer(true))
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/transfer_result", s.ecTransferResult(false))
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/resigned/transfer_result", s.ecTransferResult(true))
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_unassigned_list", s.ecUnassignedList)
}

// TransferWait is how long a customer transfer waits before it completes.
const TransferWait = 24 * time.Hour

const (
	codeCustomerTransferring = 40129 // the customer is being transferred already
	ecTransferPageSize       = 100
)

type ecTransfer struct {
	handover, takeover, ext string
	resigned                bool
	status                  int // 1 done, 2 waiting, 3 refused, 4 takeover over limit, 5 no record
	due                     time.Time
	takeoverTime            int64
	msg                     string
}

type ecTransferState struct {
	all     []*ecTransfer
	pending []*ecTransfer  // status 2, so the per-request settle stays cheap
	limits  map[string]int // takeover userid → most customers they may have
}

func newECTransferState() *ecTransferState {
	return &ecTransferState{limits: map[string]int{}}
}

func ecTransfers(s *Server) *ecTransferState {
	return areaState(s, "ec.transfers", newECTransferState)
}

// waiting returns the pending transfer of a customer, if any.
func (st *ecTransferState) waiting(ext string) *ecTransfer {
	for _, t := range st.pending {
		if t.ext == ext && t.status == 2 {
			return t
		}
	}
	return nil
}

func (s *Server) ecTransferCustomer(resigned bool) handlerFunc {
	return func(c *call) (any, error) {
		var req struct {
			HandoverUserID string   `json:"handover_userid"`
			TakeoverUserID string   `json:"takeover_userid"`
			ExternalUserID []string `json:"external_userid"`
			SuccessMsg     string   `json:"transfer_success_msg"`
		}
		if err := c.decode(&req); err != nil {
			return nil, err
		}
		if err := requireField("handover_userid", req.HandoverUserID); err != nil {
			return nil, err
		}
		if err := requireField("takeover_userid", req.TakeoverUserID); err != nil {
			return nil, err
		}
		if n := len(req.ExternalUserID); n == 0 || n > 100 {
			return nil, errorf(codeInvalidParameter, "invalid parameter: external_userid must hold 1..100 ids, got %d", n)
		}
		if resigned && req.SuccessMsg != "" {
			return nil, errorf(codeInvalidParameter, "invalid parameter: transfer_success_msg is not accepted for resigned members")
		}
		if utf8.RuneCountInString(req.SuccessMsg) > 200 {
			return nil, errorf(codeInvalidParameter, "invalid parameter: transfer_success_msg longer than 200 characters")
		}
		from, err := s.st.user(req.HandoverUserID)
		if err != nil {
			return nil, err
		}
		to, err := s.st.user(req.TakeoverUserID)
		if err != nil {
			return nil, err
		}
		switch {
		case from.UserID == to.UserID:
			return nil, errorf(codeInvalidParameter, "invalid parameter: handover and takeover are the same member")
		case resigned && !from.Resigned:
			return nil, errorf(codeInvalidParameter, "invalid parameter: handover_userid %s has not resigned", from.UserID)
		case !resigned && from.Resigned:
			return nil, errorf(codeInvalidParameter, "invalid parameter: handover_userid %s has resigned: use resigned/transfer_customer", from.UserID)
		case to.Resigned:
			return nil, errorf(codeUserNotFound, "invalid userid %s: member has resigned", to.UserID)
		case to.Inactive:
			return nil, errorf(codeMemberNotActivated, "member %s not activated", to.UserID)
		case !to.CustomerContact:
			return nil, errorf(codeAPIForbidden, "member %s has no customer-contact permission", to.UserID)
		}
		st := ecTransfers(s)
		type outcome struct {
			ExternalUserID string `json:"external_userid"`
			ErrCode        int    `json:"errcode"`
		}
		out := make([]outcome, 0, len(req.ExternalUserID))
		for _, ext := range req.ExternalUserID {
			code := 0
			if _, err := s.st.customer(ext); err != nil {
				code = codeInvalidExternalID
			} else if _, err := s.st.follow(from.UserID, ext); err != nil {
				code = codeNoRelationship
			} else if st.waiting(ext) != nil {
				code = codeCustomerTransferring
			}
			if code == 0 {
				due := c.Now.Add(TransferWait)
				t := &ecTransfer{
					handover: from.UserID, takeover: to.UserID, ext: ext, resigned: resigned,
					status: 2, due: due, takeoverTime: due.Unix(), msg: req.SuccessMsg,
				}
				st.all = append(st.all, t)
				st.pending = append(st.pending, t)
			}
			out = append(out, outcome{ext, code})
		}
		return map[string]any{"customer": out}, nil
	}
}

// settleECTransfers completes the transfers whose wait is over.
func settleECTransfers(s *Server, now time.Time) {
	st, ok := s.st.ext["ec.transfers"].(*ecTransferState)
	if !ok || len(st.pending) == 0 {
		return
	}
	waiting := st.pending[:0]
	defer func() {
		clear(st.pending[len(waiting):])
		st.pending = waiting
	}()
	// The events below are not callbacks for the transfer_customer call
	// (WeCom sends none for an API call): they report what happens when
	// the transfer settles, 24 hours later, after the customer's window to
	// refuse. WeCom sends them as consequences: the handover member loses
	// the customer (del_external_contact, Source DELETE_BY_TRANSFER), the
	// takeover member gains them (add_external_contact), or the takeover
	// fails (transfer_fail).
	for _, t := range st.pending {
		if t.status != 2 {
			continue // refused meanwhile
		}
		if now.Before(t.due) {
			waiting = append(waiting, t)
			continue
		}
		if limit, ok := st.limits[t.takeover]; ok && len(s.st.byUser[t.takeover]) >= limit {
			t.status = 4
			s.emit(Event{Event: "change_external_contact", ChangeType: "transfer_fail", CreateTime: t.due.Unix(), Fields: []Field{
				{Name: "FailReason", Value: "customer_limit_exceed"},
				{Name: "UserID", Value: t.takeover},
				{Name: "ExternalUserID", Value: t.ext},
			}})
			continue
		}
		if err := s.st.moveFollow(t.handover, t.takeover, t.ext, t.due.Unix()); err != nil {
			// The customer deleted the handover member meanwhile.
			t.status = 5
			continue
		}
		t.status, t.takeoverTime = 1, t.due.Unix()
		if !t.resigned {
			s.emit(Event{Event: "change_external_contact", ChangeType: "del_external_contact", CreateTime: t.due.Unix(), Fields: []Field{
				{Name: "UserID", Value: t.handover},
				{Name: "ExternalUserID", Value: t.ext},
				{Name: "Source", Value: "DELETE_BY_TRANSFER"},
			}})
		}
		s.emit(Event{Event: "change_external_contact", ChangeType: "add_external_contact", CreateTime: t.due.Unix(), Fields: []Field{
			{Name: "UserID", Value: t.takeover},
			{Name: "ExternalUserID", Value: t.ext},
		}})
	}
}

func (s *Server) ecTransferResult(resigned bool) handlerFunc {
	tag := "transfer_result"
	if resigned {
		tag = "resigned_transfer_result"
	}
	return func(c *call) (any, error) {
		var req struct {
			HandoverUserID string `json:"handover_userid"`
			TakeoverUserID string `json:"takeover_userid"`
			Cursor         string `json:"cursor"`
		}
		if err := c.decode(&req); err != nil {
			return nil, err
		}
		if err := requireField("handover_userid", req.HandoverUserID); err != nil {
			return nil, err
		}
		if err := requireField("takeover_userid", req.TakeoverUserID); err != nil {
			return nil, err
		}
		if _, err := s.st.user(req.HandoverUserID); err != nil {
			return nil, err
		}
		if _, err := s.st.user(req.TakeoverUserID); err != nil {
			return nil, err
		}
		type result struct {
			ExternalUserID string `json:"external_userid"`
			Status         int    `json:"status"`
			TakeoverTime   int64  `json:"takeover_time"`
		}
		// The latest transfer of each customer between the pair.
		var rows []result
		index := map[string]int{}
		for _, t := range ecTransfers(s).all {
			if t.resigned != resigned || t.handover != req.HandoverUserID || t.takeover != req.TakeoverUserID {
				continue
			}
			r := result{t.ext, t.status, t.takeoverTime}
			if i, ok := index[t.ext]; ok {
				rows[i] = r
				continue
			}
			index[t.ext] = len(rows)
			rows = append(rows, r)
		}
		items, next, err := page(tag, rows, req.Cursor, ecTransferPageSize)
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []result{}
		}
		return map[string]any{"customer": items, "next_cursor": next}, nil
	}
}

func (s *Server) ecUnassignedList(c *call) (any, error) {
	var req struct {
		PageID   int    `json:"page_id"`
		Cursor   string `json:"cursor"`
		PageSize int    `json:"page_size"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	size, err := checkLimit(req.PageSize, 1000, 1000)
	if err != nil {
		return nil, err
	}
	type info struct {
		HandoverUserID string `json:"handover_userid"`
		ExternalUserID string `json:"external_userid"`
		DimissionTime  int64  `json:"dimission_time"`
	}
	st := ecTransfers(s)
	var rows []info
	for _, id := range s.st.userOrder {
		u := s.st.users[id]
		if !u.Resigned {
			continue
		}
		for _, f := range s.st.byUser[id] {
			if t := st.waiting(f.ExternalUserID); t != nil && t.handover == id {
				continue // assigned, waiting for the takeover
			}
			rows = append(rows, info{id, f.ExternalUserID, u.DimissionTime})
		}
	}
	items, next, err := page("unassigned", rows, req.Cursor, size)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []info{}
	}
	return map[string]any{"info": items, "is_last": next == "", "next_cursor": next}, nil
}

// RefuseTransfer makes a customer refuse their waiting on-job transfer, as
// they can within the 24 hours: its status becomes 3 and a transfer_fail
// callback (FailReason customer_refused) is emitted.
func (s *Server) RefuseTransfer(externalUserID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runTickers(s.clock.Now())
	t := ecTransfers(s).waiting(externalUserID)
	if t == nil || t.resigned {
		return fmt.Errorf("wecomtest: no waiting on-job transfer of %s", externalUserID)
	}
	t.status = 3
	s.emit(Event{Event: "change_external_contact", ChangeType: "transfer_fail", Fields: []Field{
		{Name: "FailReason", Value: "customer_refused"},
		{Name: "UserID", Value: t.takeover},
		{Name: "ExternalUserID", Value: t.ext},
	}})
	return nil
}

// SetCustomerLimit caps the customers a member may have: a transfer that
// completes while they have n or more fails with status 4 (takeover over
// limit) and a transfer_fail callback (customer_limit_exceed).
func (s *Server) SetCustomerLimit(userID string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ecTransfers(s).limits[userID] = n
}
