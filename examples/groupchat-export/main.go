// Command groupchat-export writes every customer group (客户群) with its
// members to stdout as JSON lines: one line per group. Progress and a
// summary go to stderr.
//
// The groups are those of the members in the app's visible range; -owner
// and -status narrow them. Lines come in the order the details arrive,
// not the list order, since several groups are fetched at once.
//
// Against a real WeCom set WECOM_CORP_ID and WECOM_SECRET (the
// customer-contact secret, or an app secret with customer-contact
// permission). With neither set it runs against an embedded demo WeCom.
//
//	go run ./examples/groupchat-export > groups.jsonl
//	go run ./examples/groupchat-export -owner zhangsan,lisi -status resigned
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

// demoData is what the embedded WeCom holds.
var demoData = wecomtest.Demo{Users: 8, Customers: 60, GroupChats: 12}

// line is one group as written to stdout: WeCom's groupchat/get fields,
// plus member counts for a quick look.
type line struct {
	*groupchat.GroupChat
	Status        string `json:"status"` // normal, resigned, transferring, transferred
	MemberCount   int    `json:"member_count"`
	CustomerCount int    `json:"customer_count"`
}

type options struct {
	concurrency int
	owners      []string
	status      groupchat.StatusFilter
	names       bool
}

func main() {
	var o options
	flag.IntVar(&o.concurrency, "concurrency", groupchat.DefaultDetailsConcurrency, "groups fetched at once")
	owners := flag.String("owner", "", "comma-separated userids: only the groups they own (at most 100)")
	status := flag.String("status", "all", "only groups whose owner is: all, resigned, transferring or transferred")
	flag.BoolVar(&o.names, "names", true, "fill in every member's name")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()

	log := demo.Logger(*verbose)
	var err error
	if o.status, err = parseStatus(*status); err != nil {
		log.Error("bad -status", "err", err)
		os.Exit(2)
	}
	if *owners != "" {
		o.owners = strings.Split(*owners, ",")
	}

	ctx, stop := demo.SignalContext()
	defer stop()
	if err := run(ctx, log, os.Stdout, o); err != nil {
		log.Error("export failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func parseStatus(s string) (groupchat.StatusFilter, error) {
	for _, f := range []groupchat.StatusFilter{
		groupchat.StatusFilterAll, groupchat.StatusFilterResigned,
		groupchat.StatusFilterTransferring, groupchat.StatusFilterTransferred,
	} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%q is not all, resigned, transferring or transferred", s)
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, o options) error {
	cfg, closeDemo, err := demo.Load(log, demoData)
	if err != nil {
		return err
	}
	defer closeDemo()
	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log))...)
	if err != nil {
		return err
	}
	svc := groupchat.New(client)
	start := time.Now()

	// groupchat/get does not say a group's owner state; the list does.
	// Read it first: a cheap call, a page of up to 1000 groups.
	list := groupchat.ListGroupChatsRequest{StatusFilter: o.status}
	if len(o.owners) > 0 {
		list.OwnerFilter = &groupchat.OwnerFilter{UserIDList: o.owners}
	}
	status := map[string]groupchat.Status{}
	for g, err := range svc.AllGroupChats(ctx, &list) {
		if err != nil {
			return wrap(err)
		}
		status[g.ChatID] = g.Status
	}
	log.Info("exporting", "groups", len(status))

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	var groups, members int
	customers := map[string]struct{}{}
	last := time.Now()

	// AllDetails lists the groups again and fetches each one's details,
	// o.concurrency at a time; a group dissolved meanwhile is skipped.
	req := groupchat.AllDetailsRequest{ListGroupChatsRequest: list, NeedName: o.names, Concurrency: o.concurrency}
	for g, err := range svc.AllDetails(ctx, &req) {
		if err != nil {
			return wrap(err)
		}
		l := line{GroupChat: g, MemberCount: len(g.Members)}
		st, ok := status[g.ChatID]
		if !ok {
			// Created after the first listing: AllDetails found it, so
			// it matches the filter; its exact state is unknown.
			st = groupchat.Status(o.status)
		}
		l.Status = st.String()
		for _, m := range g.Members {
			if m.Type == groupchat.MemberTypeCustomer {
				l.CustomerCount++
				customers[m.UserID] = struct{}{}
			}
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
		groups++
		members += len(g.Members)
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			log.Info("progress", "groups", groups)
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	log.Info("done",
		"groups", groups,
		"members", members,
		"customers", len(customers),
		"duration", time.Since(start).Round(time.Millisecond),
	)
	return nil
}

func wrap(err error) error {
	if wecom.IsPermissionDenied(err) {
		return fmt.Errorf("%w (does the secret have the customer-contact permission?)", err)
	}
	return err
}
