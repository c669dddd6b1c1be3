// Command callback-server receives WeCom's encrypted event callbacks:
// customers added or deleted, group chats changed, tags edited. It prints
// every event it accepts as one JSON line on stdout and shuts down
// gracefully on SIGINT or SIGTERM, finishing the events it has taken.
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

	// The handler verifies, decrypts and decodes; handlers run in a small
	// pool after WeCom has been answered, so a slow handler never makes
	// WeCom deliver again. Redeliveries are recognised and dropped.
	h, err := callback.New(cfg.Token, cfg.EncodingAESKey, cfg.CorpID,
		callback.WithLogger(log),
		callback.WithAsync(4, 256),
	)
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
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	url := "http://" + ln.Addr().String() + path
	log.Info("listening", "url", url)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if cfg.Embedded() {
		// Stopped while the demo was still delivering is not a failure.
		if err := demoEvents(ctx, log, cfg, url); err != nil && ctx.Err() == nil {
			return err
		}
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Stop taking requests first, then finish the events already taken.
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := h.Shutdown(sctx); err != nil {
		return err
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
