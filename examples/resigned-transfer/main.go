// Command resigned-transfer hands the customers and customer groups of a
// member who has left the corp (离职继承) to a colleague, waits for WeCom
// to complete the transfers and prints one JSON line per customer and per
// group on stdout. Progress goes to stderr.
//
// WeCom keeps a resigned member's customers "unassigned" until someone
// takes them over. A customer transfer completes 24 hours after it starts
// (the customer is told in the meantime); a group changes owner at once.
// So the program runs for about a day against a real WeCom: bound it with
// -wait, or stop it with Ctrl-C; either way it prints the state it last
// saw, and the transfers go on in WeCom.
//
// Against a real WeCom set WECOM_CORP_ID and WECOM_SECRET (the
// customer-contact secret). With neither set it runs against an embedded
// demo WeCom whose clock it moves past the 24 hours.
//
//	go run ./examples/resigned-transfer -dry-run
//	go run ./examples/resigned-transfer -from lisi -to zhangsan > transfer.jsonl
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

// demoData is what the embedded WeCom holds: enough customers for the
// resigned member that the transfer needs more than one call of 100.
var demoData = wecomtest.Demo{Users: 8, Customers: 1000, GroupChats: 20}

// result is one line of stdout: a customer (external_userid set) or a
// group (chat_id set) and what became of its transfer.
type result struct {
	Kind           string `json:"kind"` // "customer" or "group"
	ExternalUserID string `json:"external_userid,omitempty"`
	ChatID         string `json:"chat_id,omitempty"`
	HandoverUserID string `json:"handover_userid"`
	TakeoverUserID string `json:"takeover_userid"`
	// Status is, for a customer, "done", "waiting", "takeover over limit",
	// "no record" or "failed" (WeCom refused to start it: see errcode);
	// for a group, "transferring", "transferred" or "failed".
	// With -dry-run it is "planned".
	Status string `json:"status"`
	// TakeoverTime is when the colleague took the customer over or, while
	// waiting, when they will (Unix seconds).
	TakeoverTime int64  `json:"takeover_time,omitempty"`
	Errcode      int    `json:"errcode,omitempty"`
	Errmsg       string `json:"errmsg,omitempty"`
}

type options struct {
	from, to string
	dryRun   bool
	wait     time.Duration
	poll     time.Duration
	pollSet  bool // -poll given explicitly
}

func main() {
	var o options
	flag.StringVar(&o.from, "from", "", "userid of the member who left (default: the first with unassigned customers)")
	flag.StringVar(&o.to, "to", "", "userid of the colleague who takes over (default: the first member with the customer-contact feature)")
	flag.BoolVar(&o.dryRun, "dry-run", false, "print what would be transferred and stop")
	flag.DurationVar(&o.wait, "wait", 25*time.Hour, "how long to wait for the customer transfers (they complete after 24h)")
	flag.DurationVar(&o.poll, "poll", 10*time.Minute, "first delay between checks of the transfer results (doubles up to 30m)")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { o.pollSet = o.pollSet || f.Name == "poll" })

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()

	if err := run(ctx, log, os.Stdout, o); err != nil {
		log.Error("resigned transfer failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, o options) error {
	cfg, closeDemo, err := demo.Load(log, demoData)
	if err != nil {
		return err
	}
	defer closeDemo()
	if cfg.Embedded() && !o.pollSet {
		o.poll = 100 * time.Millisecond // embedded demo only: no need to be gentle
	}

	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log))...)
	if err != nil {
		return err
	}
	ec, gc := externalcontact.New(client), groupchat.New(client)
	enc := json.NewEncoder(stdout) // unbuffered: lines appear as results arrive

	// 1. What the member left behind: customers nobody has taken over yet,
	// and groups whose owner has left.
	customers, err := unassignedCustomers(ctx, log, ec, &o.from)
	if err != nil {
		return err
	}
	if o.from == "" {
		log.Info("no resigned member has unassigned customers; name one with -from to transfer their groups")
		return nil
	}
	groups, err := resignedGroups(ctx, gc, o.from)
	if err != nil {
		return err
	}
	log.Info("found", "handover", o.from, "customers", len(customers), "groups", len(groups))
	if len(customers) == 0 && len(groups) == 0 {
		log.Info("nothing to transfer")
		return nil
	}

	// 2. Who takes over.
	if o.to == "" {
		if o.to, err = firstColleague(ctx, ec, o.from); err != nil {
			return err
		}
	}
	if o.to == o.from {
		return fmt.Errorf("-to %s is the member who left", o.to)
	}
	log.Info("handing over", "from", o.from, "to", o.to)

	if o.dryRun {
		for _, id := range customers {
			if err := enc.Encode(result{Kind: "customer", ExternalUserID: id, HandoverUserID: o.from, TakeoverUserID: o.to, Status: "planned"}); err != nil {
				return err
			}
		}
		for _, id := range groups {
			if err := enc.Encode(result{Kind: "group", ChatID: id, HandoverUserID: o.from, TakeoverUserID: o.to, Status: "planned"}); err != nil {
				return err
			}
		}
		return nil
	}

	// 3. Start the customer transfers, 100 a call. A call that fails
	// stops the rest (the cause, a permission say, would fail them too),
	// but the customers already started are still waited for below.
	started, transferErr := transferCustomers(ctx, log, ec, o.from, o.to, customers, enc)

	// 4. Groups change owner at once.
	if len(groups) > 0 && transferErr == nil {
		transferErr = transferGroups(ctx, log, gc, o.from, o.to, groups, enc)
	}

	if len(started) == 0 {
		return transferErr
	}
	if cfg.Embedded() {
		// Embedded demo only: jump the demo WeCom's clock past the 24 hours
		// a real transfer takes. Against WeCom the wait below is real.
		cfg.Server.Clock().Advance(wecomtest.TransferWait + time.Minute)
	}

	// 5. Wait for the takeovers and print each customer's result.
	log.Info("waiting for the customer transfers", "customers", len(started), "max_wait", o.wait)
	waitCtx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	results, err := ec.WaitResignedTransfers(waitCtx, &externalcontact.WaitResignedTransfersRequest{
		HandoverUserID: o.from, TakeoverUserID: o.to, ExternalUserIDs: started,
		WaitOptions: wecom.WaitOptions{PollInterval: o.poll, MaxPollInterval: max(o.poll, externalcontact.DefaultTransferMaxPollInterval)},
	})
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			return errors.Join(transferErr, err)
		}
		// Interrupted or out of time: the transfers go on in WeCom. Print
		// where they stand, with a little time of our own to ask.
		log.Warn("stopped waiting; the transfers continue in WeCom", "err", err)
		lastCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		results, err = currentResults(lastCtx, ec, o.from, o.to, started)
		if err != nil {
			return errors.Join(transferErr, err)
		}
		if ctx.Err() != nil {
			transferErr = errors.Join(transferErr, ctx.Err())
		}
	}
	done := 0
	for _, r := range results {
		if r.Status == externalcontact.TransferStatusDone {
			done++
		}
		if err := enc.Encode(result{
			Kind: "customer", ExternalUserID: r.ExternalUserID, HandoverUserID: o.from, TakeoverUserID: o.to,
			Status: r.Status.String(), TakeoverTime: r.TakeoverTime,
		}); err != nil {
			return err
		}
	}
	log.Info("done", "customers", len(results), "taken_over", done, "groups", len(groups))
	return transferErr
}

// unassignedCustomers returns the unassigned customers of *from. An empty
// *from becomes the first member who left with customers waiting.
func unassignedCustomers(ctx context.Context, log *slog.Logger, ec *externalcontact.Service, from *string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	others := map[string]int{} // other resigned members, to mention them
	for c, err := range ec.AllUnassignedCustomers(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("list unassigned customers: %w", err)
		}
		if *from == "" {
			*from = c.HandoverUserID
		}
		if c.HandoverUserID != *from {
			others[c.HandoverUserID]++
			continue
		}
		if !seen[c.ExternalUserID] {
			seen[c.ExternalUserID] = true
			ids = append(ids, c.ExternalUserID)
		}
	}
	for id, n := range others {
		log.Info("another resigned member has unassigned customers (use -from)", "userid", id, "customers", n)
	}
	return ids, nil
}

// resignedGroups returns the groups of from that await a resigned transfer.
func resignedGroups(ctx context.Context, gc *groupchat.Service, from string) ([]string, error) {
	var ids []string
	req := groupchat.ListGroupChatsRequest{
		StatusFilter: groupchat.StatusFilterResigned,
		OwnerFilter:  &groupchat.OwnerFilter{UserIDList: []string{from}},
	}
	for g, err := range gc.AllGroupChats(ctx, &req) {
		if err != nil {
			return nil, fmt.Errorf("list groups of %s: %w", from, err)
		}
		ids = append(ids, g.ChatID)
	}
	return ids, nil
}

// firstColleague returns the first member with the customer-contact
// feature who is not from. A real team would pick by department or load.
func firstColleague(ctx context.Context, ec *externalcontact.Service, from string) (string, error) {
	staff, err := ec.ListFollowUsers(ctx)
	if err != nil {
		return "", fmt.Errorf("list members with the customer-contact feature: %w", err)
	}
	for _, id := range staff {
		if id != from {
			return id, nil
		}
	}
	return "", errors.New("no member with the customer-contact feature to take over; name one with -to")
}

// transferCustomers starts the transfers, MaxTransferCustomers a call, and
// returns the customers whose transfer started (or may have). Customers
// WeCom refused are printed at once.
func transferCustomers(ctx context.Context, log *slog.Logger, ec *externalcontact.Service, from, to string, ids []string, enc *json.Encoder) ([]string, error) {
	var started []string
	for i := 0; i < len(ids); i += externalcontact.MaxTransferCustomers {
		batch := ids[i:min(i+externalcontact.MaxTransferCustomers, len(ids))]
		outcomes, err := ec.TransferResignedCustomers(ctx, &externalcontact.TransferResignedCustomersRequest{
			HandoverUserID: from, TakeoverUserID: to, ExternalUserIDs: batch,
		})
		if err != nil {
			if wecom.IsMaybeApplied(err) {
				// WeCom may have started them: wait for them like the
				// others; any it did not start show up as "no record".
				started = append(started, batch...)
			}
			return started, fmt.Errorf("transfer customers %d..%d of %d: %w", i+1, i+len(batch), len(ids), err)
		}
		for _, o := range outcomes {
			if o.OK() {
				started = append(started, o.ExternalUserID)
				continue
			}
			if err := enc.Encode(result{
				Kind: "customer", ExternalUserID: o.ExternalUserID, HandoverUserID: from, TakeoverUserID: to,
				Status: "failed", Errcode: int(o.Code),
			}); err != nil {
				return started, err
			}
		}
		log.Info("customer transfers started", "batch", i/externalcontact.MaxTransferCustomers+1, "customers", len(batch), "started_so_far", len(started))
	}
	return started, nil
}

// transferGroups hands the groups over, MaxTransferChats a call, and
// prints each group's result.
func transferGroups(ctx context.Context, log *slog.Logger, gc *groupchat.Service, from, to string, ids []string, enc *json.Encoder) error {
	failed := map[string]groupchat.FailedChat{}
	for i := 0; i < len(ids); i += groupchat.MaxTransferChats {
		batch := ids[i:min(i+groupchat.MaxTransferChats, len(ids))]
		fails, err := gc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: batch, NewOwner: to})
		if err != nil {
			if wecom.IsMaybeApplied(err) {
				return fmt.Errorf("transfer groups (check their owners before trying again): %w", err)
			}
			return fmt.Errorf("transfer groups: %w", err)
		}
		for _, f := range fails {
			failed[f.ChatID] = f
		}
	}
	// WeCom reports a handed-over group as transferring, then
	// transferred; read where ours stand from the new owner's list.
	status := map[string]groupchat.Status{}
	for g, err := range gc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{OwnerFilter: &groupchat.OwnerFilter{UserIDList: []string{to}}}) {
		if err != nil {
			return fmt.Errorf("list groups of %s: %w", to, err)
		}
		status[g.ChatID] = g.Status
	}
	for _, id := range ids {
		r := result{Kind: "group", ChatID: id, HandoverUserID: from, TakeoverUserID: to}
		if f, ok := failed[id]; ok {
			r.Status, r.Errcode, r.Errmsg = "failed", int(f.Code), f.Message
		} else if st, ok := status[id]; ok {
			r.Status = st.String()
		} else {
			r.Status = "transferring" // not listed yet
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	log.Info("groups handed over", "groups", len(ids)-len(failed), "failed", len(failed))
	return nil
}

// currentResults reads the transfers' state once, for when the wait ends
// early.
func currentResults(ctx context.Context, ec *externalcontact.Service, from, to string, ids []string) ([]externalcontact.TransferResult, error) {
	byID := map[string]externalcontact.TransferResult{}
	for r, err := range ec.AllResignedTransferResults(ctx, &externalcontact.ListResignedTransferResultsRequest{HandoverUserID: from, TakeoverUserID: to}) {
		if err != nil {
			return nil, fmt.Errorf("read transfer results: %w", err)
		}
		byID[r.ExternalUserID] = r
	}
	out := make([]externalcontact.TransferResult, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			r = externalcontact.TransferResult{ExternalUserID: id, Status: externalcontact.TransferStatusNoRecord}
		}
		out = append(out, r)
	}
	return out, nil
}
