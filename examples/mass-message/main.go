// Command mass-message creates a mass message (群发) to the customers who
// carry a tag, follows it while the members send it, and prints JSON lines
// on stdout: first the message (when it creates one), then per member
// their task and, after it, one line per customer with what became of the
// message for them.
// Progress goes to stderr.
//
// WeCom does not send a mass message by itself: each member concerned
// gets a task in their WeCom app and sends when they confirm. So the
// program polls until every member has sent or -wait has passed, then
// prints the state it found. To look again later without creating a
// second message, pass the msgid it printed with -msgid. A customer gets
// at most one corp mass message a day; never create one twice by mistake.
//
// Against a real WeCom set WECOM_CORP_ID and WECOM_SECRET (the
// customer-contact secret). With neither set it runs against an embedded
// demo WeCom whose members send within a second or so.
//
//	go run ./examples/mass-message -tag etXXXX -text "周末会员日，全场 8 折"
//	go run ./examples/mass-message -msgid msgXXXX -wait 0
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
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// demoData is what the embedded WeCom holds.
var demoData = wecomtest.Demo{Users: 8, Customers: 120}

// messageLine is the first line: the message created.
type messageLine struct {
	Kind    string `json:"kind"` // "message"
	MsgID   string `json:"msgid"`
	TagID   string `json:"tag_id"`
	TagName string `json:"tag_name,omitempty"`
	// FailList holds customers WeCom cannot reach; with a tag filter it
	// is usually empty.
	FailList []string `json:"fail_list"`
}

// taskLine is one member's part of the message.
type taskLine struct {
	Kind     string `json:"kind"` // "task"
	MsgID    string `json:"msgid"`
	UserID   string `json:"userid"`
	Status   string `json:"status"`              // pending or sent
	SendTime int64  `json:"send_time,omitempty"` // Unix seconds
}

// resultLine is what became of the message for one customer.
type resultLine struct {
	Kind           string `json:"kind"` // "result"
	MsgID          string `json:"msgid"`
	UserID         string `json:"userid"` // the member who sends to them
	ExternalUserID string `json:"external_userid"`
	// Status is "not sent", "sent", "not a contact" or "already received
	// one today".
	Status   string `json:"status"`
	SendTime int64  `json:"send_time,omitempty"`
}

type options struct {
	tag, text, msgID string
	poll, wait       time.Duration
	pollSet          bool // -poll given explicitly
}

func main() {
	var o options
	flag.StringVar(&o.tag, "tag", "", "corp tag id: the customers who get the message (default: the first corp tag)")
	flag.StringVar(&o.text, "text", "周末会员日：到店出示本消息，全场正价商品 8 折。", "the message text")
	flag.StringVar(&o.msgID, "msgid", "", "follow this existing mass message instead of creating one")
	flag.DurationVar(&o.poll, "poll", 30*time.Second, "delay between checks of the members' tasks")
	flag.DurationVar(&o.wait, "wait", 30*time.Minute, "how long to wait for every member to send (0: check once)")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { o.pollSet = o.pollSet || f.Name == "poll" })

	log := newLogger(*verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, log, os.Stdout, o); err != nil {
		log.Error("mass message failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, o options) error {
	cfg, err := wecomtest.EnvOrDemo(log, demoData)
	if err != nil {
		return err
	}
	defer cfg.Close()
	if cfg.Embedded() && !o.pollSet {
		o.poll = 200 * time.Millisecond // embedded demo only: its members are quick
	}
	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log))...)
	if err != nil {
		return err
	}
	ec := externalcontact.New(client)
	enc := json.NewEncoder(stdout)

	if o.msgID == "" {
		if o.msgID, err = create(ctx, log, ec, o, enc); err != nil {
			return err
		}
		notifyMembers(ctx, log, client, cfg.AgentID, ec, o.msgID)
		if cfg.Embedded() {
			// Embedded demo only: the members confirm in their app, one by
			// one, while we poll. Against WeCom people do this.
			var wg sync.WaitGroup
			demoCtx, cancel := context.WithCancel(ctx)
			defer wg.Wait()
			defer cancel()
			wg.Add(1)
			go func() {
				defer wg.Done()
				demoMembersSend(demoCtx, log, cfg.Server, o.msgID)
			}()
		}
	}

	// Poll the members' tasks until all have sent or the wait is over.
	tasks, waitErr := waitForSends(ctx, log, ec, o)
	if waitErr != nil && !errors.Is(waitErr, context.Canceled) {
		return waitErr
	}
	// Print where everyone stands, even when interrupted: with a little
	// time of our own to ask.
	pctx := ctx
	if waitErr != nil {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if tasks, err = allTasks(pctx, ec, o.msgID); err != nil {
			return errors.Join(waitErr, err)
		}
	}
	counts := map[externalcontact.GroupMsgSendStatus]int{}
	for _, t := range tasks {
		if err := enc.Encode(taskLine{Kind: "task", MsgID: o.msgID, UserID: t.UserID, Status: t.Status.String(), SendTime: t.SendTime}); err != nil {
			return err
		}
		for r, err := range ec.AllGroupMsgSendResults(pctx, &externalcontact.ListGroupMsgSendResultsRequest{MsgID: o.msgID, UserID: t.UserID}) {
			if err != nil {
				return errors.Join(waitErr, fmt.Errorf("send results of %s: %w", t.UserID, err))
			}
			counts[r.Status]++
			if err := enc.Encode(resultLine{
				Kind: "result", MsgID: o.msgID, UserID: r.UserID, ExternalUserID: r.ExternalUserID,
				Status: r.Status.String(), SendTime: r.SendTime,
			}); err != nil {
				return err
			}
		}
	}
	log.Info("done", "msgid", o.msgID, "members", len(tasks),
		"sent", counts[externalcontact.GroupMsgSent],
		"not_sent", counts[externalcontact.GroupMsgNotSent],
		"not_a_contact", counts[externalcontact.GroupMsgNotFriend],
		"quota_reached", counts[externalcontact.GroupMsgQuotaReached])
	return waitErr
}

// create makes the mass message and prints its line.
func create(ctx context.Context, log *slog.Logger, ec *externalcontact.Service, o options, enc *json.Encoder) (string, error) {
	tagID, tagName, err := pickTag(ctx, ec, o.tag)
	if err != nil {
		return "", err
	}
	res, err := ec.AddMsgTemplate(ctx, &externalcontact.AddMsgTemplateRequest{
		// No external_userid: every customer of every member, narrowed to
		// those with the tag. Each customer gets it from one member.
		TagFilter: &externalcontact.MsgTemplateTagFilter{
			GroupList: []externalcontact.MsgTemplateTagGroup{{TagList: []string{tagID}}},
		},
		Text: &message.Text{Content: o.text},
	})
	if err != nil {
		if wecom.IsMaybeApplied(err) {
			// Never create it again blindly: a customer would get it twice.
			return "", fmt.Errorf("the message may have been created; look for it (get_groupmsg_list_v2) and follow it with -msgid: %w", err)
		}
		return "", fmt.Errorf("create the mass message: %w", err)
	}
	log.Info("mass message created", "msgid", res.MsgID, "tag_id", tagID, "tag_name", tagName)
	fails := res.FailList
	if fails == nil {
		fails = []string{}
	}
	return res.MsgID, enc.Encode(messageLine{Kind: "message", MsgID: res.MsgID, TagID: tagID, TagName: tagName, FailList: fails})
}

// pickTag returns the tag's id and name; with no id, the first corp tag.
func pickTag(ctx context.Context, ec *externalcontact.Service, id string) (tagID, name string, err error) {
	var ids []string
	if id != "" {
		ids = []string{id}
	}
	groups, err := ec.ListCorpTags(ctx, &externalcontact.ListCorpTagsRequest{TagIDs: ids})
	if err != nil {
		return "", "", fmt.Errorf("list corp tags: %w", err)
	}
	for _, g := range groups {
		for _, t := range g.Tags {
			if id == "" || t.ID == id {
				return t.ID, g.GroupName + "/" + t.Name, nil
			}
		}
	}
	if id != "" {
		return "", "", fmt.Errorf("no corp tag %s", id)
	}
	return "", "", errors.New("the corp has no customer tags; create one or pass -tag")
}

// waitForSends polls the tasks every o.poll until every member has sent
// or o.wait has passed, and returns the tasks last read. It returns
// context.Canceled when interrupted.
func waitForSends(ctx context.Context, log *slog.Logger, ec *externalcontact.Service, o options) ([]externalcontact.GroupMsgTask, error) {
	deadline := time.Now().Add(o.wait)
	lastSent := -1
	for {
		tasks, err := allTasks(ctx, ec, o.msgID)
		if err != nil {
			return nil, err
		}
		sent := 0
		for _, t := range tasks {
			if t.Status == externalcontact.GroupMsgTaskSent {
				sent++
			}
		}
		if sent != lastSent {
			log.Info("progress", "members_sent", sent, "members", len(tasks))
			lastSent = sent
		}
		if sent == len(tasks) {
			return tasks, nil
		}
		if !time.Now().Add(o.poll).Before(deadline) {
			log.Warn("not every member has sent yet; look again later with -msgid", "msgid", o.msgID, "pending", len(tasks)-sent)
			return tasks, nil
		}
		select {
		case <-ctx.Done():
			return tasks, ctx.Err()
		case <-time.After(o.poll):
		}
	}
}

func allTasks(ctx context.Context, ec *externalcontact.Service, msgID string) ([]externalcontact.GroupMsgTask, error) {
	var tasks []externalcontact.GroupMsgTask
	for t, err := range ec.AllGroupMsgTasks(ctx, &externalcontact.ListGroupMsgTasksRequest{MsgID: msgID}) {
		if err != nil {
			return nil, fmt.Errorf("tasks of mass message %s: %w", msgID, err)
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// demoMembersSend confirms the message for each member of the embedded
// demo WeCom, one every few hundred milliseconds, as people would in the
// WeCom app.
func demoMembersSend(ctx context.Context, log *slog.Logger, srv *wecomtest.Server, msgID string) {
	for _, m := range srv.MsgTemplates() {
		if m.MsgID != msgID {
			continue
		}
		for _, t := range m.Tasks {
			select {
			case <-ctx.Done():
				return
			case <-time.After(150 * time.Millisecond):
			}
			if err := srv.ConfirmGroupMsg(msgID, t.UserID); err != nil {
				log.Warn("demo: confirm", "userid", t.UserID, "err", err)
			}
		}
	}
}

// newLogger returns a text logger on stderr, at debug level when verbose.
func newLogger(verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
