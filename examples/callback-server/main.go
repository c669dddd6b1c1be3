// Command callback-server receives WeCom's encrypted event callbacks:
// customers added or deleted, group chats changed, tags edited. It prints
// every event it handles as one JSON line on stdout and shuts down
// gracefully on SIGINT or SIGTERM, handling the events it has queued.
//
// Events go through a queue: the callback handler verifies, decrypts and
// appends each one before it answers WeCom "success", and workers handle
// them, retrying failures and keeping the ones that keep failing as dead
// letters. The in-memory queue used here does not survive the process; a
// deployment that must not lose events uses a durable queue (the Redis
// Streams one in contrib/redis) and the same store for deduplication.
//
// Against a real WeCom set WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN and
// WECOM_ENCODING_AES_KEY (the callback's Token and EncodingAESKey from the
// admin console) and make the callback URL reach -addr. With none set it
// starts an embedded demo WeCom that delivers a few events to it.
//
//	go run ./examples/callback-server -addr 127.0.0.1:8080
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

const path = "/wecom/callback"

// line is one accepted event as printed on stdout.
type line struct {
	Event          string    `json:"event"`
	ChangeType     string    `json:"change_type"`
	UserID         string    `json:"userid,omitempty"`
	ExternalUserID string    `json:"external_userid,omitempty"`
	ChatID         string    `json:"chat_id,omitempty"`
	TagID          string    `json:"tag_id,omitempty"`
	Detail         string    `json:"detail,omitempty"`
	Time           time.Time `json:"time"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	verbose := flag.Bool("v", false, "debug logs")
	flag.Parse()

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()
	if err := run(ctx, log, os.Stdout, *addr); err != nil {
		log.Error("callback server failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, addr string) error {
	cfg, closeDemo, err := demo.Load(log, wecomtest.Demo{})
	if err != nil {
		return err
	}
	defer closeDemo()
	if cfg.Token == "" || cfg.EncodingAESKey == "" {
		return errors.New("set WECOM_TOKEN and WECOM_ENCODING_AES_KEY to the callback's Token and EncodingAESKey")
	}

	// The handler verifies, decrypts and decodes each event and appends it
	// to the queue before it answers WeCom, so a slow handler never makes
	// WeCom deliver again. Workers take the events from the queue; a
	// redelivered event is recognised and handled once.
	queue := callback.NewMemoryQueue(nil)
	h, err := callback.New(cfg.Token, cfg.EncodingAESKey, cfg.CorpID,
		callback.WithLogger(log),
		callback.WithQueue(queue),
	)
	if err != nil {
		return err
	}
	worker, err := callback.NewWorker(h, queue, &callback.WorkerOptions{Concurrency: 4})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	emit := func(l line) error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(l)
	}
	// Typed handlers for the events this program acts on ...
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		// A real program would send a welcome message with ev.WelcomeCode
		// here (valid for 20 seconds) and store the customer.
		return emit(line{Event: ev.Event, ChangeType: ev.ChangeType, UserID: ev.UserID,
			ExternalUserID: ev.ExternalUserID, Detail: ev.State, Time: ev.Time()})
	})
	callback.On(h, func(ctx context.Context, ev *callback.DelExternalContact) error {
		return emit(line{Event: ev.Event, ChangeType: ev.ChangeType, UserID: ev.UserID,
			ExternalUserID: ev.ExternalUserID, Detail: ev.Source, Time: ev.Time()})
	})
	// ... and one for everything else.
	h.OnOther(func(ctx context.Context, ev callback.Event) error {
		return emit(describe(ev))
	})

	mux := http.NewServeMux()
	mux.Handle(path, h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// WeCom gives up on an answer after 5 seconds and delivers again, so a
	// request that takes longer to arrive or to be answered is worth
	// nothing, and a client sending slowly must not hold a connection (and
	// its goroutine) for long: the whole request must arrive within 5 s,
	// the answer (given by the handler within 4.5 s) be written within 10 s
	// of the headers, and an idle keep-alive connection closes after 30 s.
	// WeCom's query is a few hundred bytes: no large headers either.
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	url := "http://" + ln.Addr().String() + path
	log.Info("listening", "url", url)

	if err := worker.Start(); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if cfg.Embedded() {
		// Stopped while the demo was still delivering is not a failure.
		if err := demoEvents(ctx, log, cfg, url); err != nil && ctx.Err() == nil {
			return err
		}
	}

	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return errors.Join(serveErr, shutdown(log, srv, h, queue, worker))
}

// shutdown stops taking requests, then handles what the queue holds. A
// step that runs out of time does not skip the next: the queued events
// were acknowledged to WeCom and exist nowhere else.
func shutdown(log *slog.Logger, srv *http.Server, h *callback.Handler, queue *callback.MemoryQueue, worker *callback.Worker) error {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Requests still arriving are answered 503, so WeCom delivers them
	// again (to another instance, or to this one after its restart).
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("connections still open at shutdown", "err", err)
	}
	if err := h.Shutdown(sctx); err != nil {
		log.Warn("handler shutdown", "err", err)
	}
	// A durable queue would keep its events for the next start; this one
	// is drained first, with more time, and says what it could not keep.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer dcancel()
	var lost error
	if err := queue.WaitEmpty(dctx); err != nil {
		lost = fmt.Errorf("%d queued events lost: %w", queue.Len(), err)
	}
	if err := worker.Shutdown(dctx); err != nil {
		lost = errors.Join(lost, err)
	}
	if dl, _ := queue.DeadLetters(dctx, 0); len(dl) > 0 {
		log.Warn("dead letters left (they are lost with the process)", "events", len(dl))
	}
	if lost != nil {
		return lost
	}
	log.Info("stopped")
	return nil
}

// describe turns any event into a line, with the ids it carries.
func describe(ev callback.Event) line {
	hd := ev.EventHeader()
	l := line{Event: hd.Event, ChangeType: hd.ChangeType, Time: hd.Time()}
	switch e := ev.(type) {
	case *callback.EditExternalContact:
		l.UserID, l.ExternalUserID = e.UserID, e.ExternalUserID
	case *callback.AddHalfExternalContact:
		l.UserID, l.ExternalUserID = e.UserID, e.ExternalUserID
	case *callback.DelFollowUser:
		l.UserID, l.ExternalUserID = e.UserID, e.ExternalUserID
	case *callback.TransferFail:
		l.UserID, l.ExternalUserID, l.Detail = e.UserID, e.ExternalUserID, string(e.FailReason)
	case *callback.ExternalChatCreate:
		l.ChatID = e.ChatID
	case *callback.ExternalChatUpdate:
		l.ChatID, l.Detail = e.ChatID, string(e.UpdateDetail)
	case *callback.ExternalChatDismiss:
		l.ChatID = e.ChatID
	case *callback.ExternalTagCreate:
		l.TagID, l.Detail = e.ID, string(e.TagType)
	case *callback.ExternalTagUpdate:
		l.TagID, l.Detail = e.ID, string(e.TagType)
	case *callback.ExternalTagDelete:
		l.TagID, l.Detail = e.ID, string(e.TagType)
	case *callback.ExternalTagShuffle:
		l.TagID, l.Detail = e.ID, string(e.TagType)
	case *callback.CustomerAcquisition:
		l.UserID, l.ExternalUserID, l.Detail = e.UserID, e.ExternalUserID, e.LinkID
	}
	return l
}

// demoEvents points the embedded WeCom at this server and makes it send
// events the way WeCom would: by changing its state. Embedded demo only.
func demoEvents(ctx context.Context, log *slog.Logger, cfg *demo.Config, url string) error {
	srv := cfg.Server
	srv.SetCallback(url, 5*time.Second, 5*time.Second, 3)

	users := srv.Users()
	staff := ""
	for _, u := range users {
		if u.CustomerContact && !u.Resigned {
			staff = u.UserID
			break
		}
	}
	if staff == "" {
		return errors.New("demo data has no member with customer contact")
	}
	// A shopper scans a member's QR code: add_external_contact.
	cust, err := srv.AddCustomer(wecomtest.Customer{Name: "周小满", Type: 1, Gender: 2},
		wecomtest.Follow{UserID: staff, AddWay: 1, State: "store_001"})
	if err != nil {
		return err
	}
	// The member notes something about them, and the corp adds a tag,
	// through the SDK as an app would: edit_external_contact and
	// change_external_tag.
	client, err := wecom.New(cfg.CorpID, cfg.Secret, cfg.Options()...)
	if err != nil {
		return err
	}
	svc := externalcontact.New(client)
	if err := svc.Remark(ctx, &externalcontact.RemarkRequest{UserID: staff, ExternalUserID: cust.ExternalUserID,
		Remark: "周小满（新客）"}); err != nil {
		return fmt.Errorf("remark: %w", err)
	}
	if _, err := svc.AddCorpTags(ctx, &externalcontact.AddCorpTagsRequest{GroupName: "活动",
		Tags: []externalcontact.TagSpec{{Name: "双十一直播间"}}}); err != nil {
		return fmt.Errorf("add tag: %w", err)
	}
	// A customer joins a group chat: change_external_chat update.
	if chats := srv.GroupChats(); len(chats) > 0 {
		srv.SendEvent(wecomtest.Event{Event: "change_external_chat", ChangeType: "update", Fields: []wecomtest.Field{
			{Name: "ChatId", Value: chats[0].ChatID},
			{Name: "UpdateDetail", Value: "add_member"},
			{Name: "JoinScene", Value: "3", Number: true},
			{Name: "MemChangeCnt", Value: "1", Number: true},
			{Name: "MemChangeList", Items: []string{cust.ExternalUserID}},
		}})
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.WaitForDeliveries(wctx); err != nil {
		return err
	}
	for _, d := range srv.Deliveries() {
		if !d.Delivered {
			log.Warn("demo event not delivered", "attempts", d.Attempts, "err", d.LastError)
		}
	}
	log.Info("demo events delivered; press Ctrl-C to stop", "events", len(srv.Deliveries()))
	return nil
}
