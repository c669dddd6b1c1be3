// Command callback-server receives WeCom's encrypted event callbacks:
// customers added or deleted, group chats changed, tags edited. It greets
// every new customer with a welcome message (a text and an image uploaded
// as temporary media), prints every event it handles as one JSON line on
// stdout and shuts down gracefully on SIGINT or SIGTERM, handling the
// events it has queued.
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
// admin console) and make the callback URL reach -addr; since 2023-12-01
// the secret is that of a self-built app listed under 客户联系 > 可调用接口的
// 应用 (set WECOM_AGENT_ID to its agentid). With none set it starts an
// embedded demo WeCom that delivers a few events to it, the way WeCom
// would after people act in their client.
//
//	go run ./examples/callback-server -addr 127.0.0.1:8080
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/media"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

const path = "/wecom/callback"

// line is one accepted event as printed on stdout.
type line struct {
	Event          string `json:"event"`
	ChangeType     string `json:"change_type"`
	UserID         string `json:"userid,omitempty"`
	ExternalUserID string `json:"external_userid,omitempty"`
	ChatID         string `json:"chat_id,omitempty"`
	TagID          string `json:"tag_id,omitempty"`
	Detail         string `json:"detail,omitempty"`
	// Welcome says what became of the welcome message of a new customer:
	// "sent" (with the image's MediaID), "no code" or the error.
	Welcome string    `json:"welcome,omitempty"`
	MediaID string    `json:"media_id,omitempty"`
	Time    time.Time `json:"time"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	verbose := flag.Bool("v", false, "debug logs")
	flag.Parse()

	log := newLogger(*verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Stdout, *addr); err != nil {
		log.Error("callback server failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, addr string) error {
	cfg, err := wecomtest.EnvOrDemo(log, wecomtest.Demo{})
	if err != nil {
		return err
	}
	defer cfg.Close()
	return serve(ctx, log, stdout, addr, cfg)
}

func serve(ctx context.Context, log *slog.Logger, stdout io.Writer, addr string, cfg *wecomtest.Env) error {
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
	client, err := cfg.Client(wecom.WithLogger(log))
	if err != nil {
		return err
	}
	welcome := &welcomer{
		ec:    externalcontact.New(client),
		media: media.New(client),
		text:  "您好，欢迎光临！回复「1」查看本周新品，有问题随时找我。",
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
		// The welcome code is valid for 20 seconds and once: greet the
		// customer first, then do the rest (store them, ...).
		l := line{Event: ev.Event, ChangeType: ev.ChangeType, UserID: ev.UserID,
			ExternalUserID: ev.ExternalUserID, Detail: ev.State, Time: ev.Time()}
		l.Welcome, l.MediaID = welcome.send(ctx, log, ev.WelcomeCode)
		return emit(l)
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
// events the way WeCom does: after people act in their client or the admin
// console (changes made through the API send no callback). Embedded demo
// only.
func demoEvents(ctx context.Context, log *slog.Logger, cfg *wecomtest.Env, url string) error {
	srv := cfg.Server
	srv.SetCallback(url, 5*time.Second, 5*time.Second, 3)

	staff := ""
	for _, u := range srv.Users() {
		if u.CustomerContact && !u.Resigned {
			staff = u.UserID
			break
		}
	}
	if staff == "" {
		return errors.New("demo data has no member with customer contact")
	}
	// A shopper scans a member's QR code: add_external_contact, with a
	// welcome code this server answers with a welcome message.
	cust, err := srv.AddCustomer(wecomtest.Customer{Name: "周小满", Type: 1, Gender: 2},
		wecomtest.Follow{UserID: staff, AddWay: 1, State: "store_001"})
	if err != nil {
		return err
	}
	// The member edits the customer's remark in their client:
	// edit_external_contact.
	remark := "周小满（直播间）"
	if err := srv.MemberEditsCustomer(staff, cust.ExternalUserID, wecomtest.CustomerEdit{Remark: &remark}); err != nil {
		return err
	}
	// An admin adds a tag group in the admin console: change_external_tag
	// create.
	if _, err := srv.AdminAddsCorpTags("活动", "双十一直播间"); err != nil {
		return err
	}
	// The app makes a join way for a group (no callback: an API call); the
	// customer scans its QR code and joins: change_external_chat update.
	if chats := srv.GroupChats(); len(chats) > 0 {
		client, err := cfg.Client()
		if err != nil {
			return err
		}
		id, err := groupchat.New(client).AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{
			Scene: groupchat.JoinWaySceneQRCode, ChatIDList: []string{chats[0].ChatID}, State: "live_room",
		}})
		if err != nil {
			return fmt.Errorf("add join way: %w", err)
		}
		if _, err := srv.JoinGroupChatByJoinWay(id, cust.ExternalUserID); err != nil {
			return err
		}
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

// welcomer sends the welcome message: a text and an image. The image is
// uploaded as temporary media (media/upload) once and uploaded again when
// its media_id nears the end of its 3 days.
type welcomer struct {
	ec    *externalcontact.Service
	media *media.Service
	text  string

	mu      sync.Mutex
	mediaID string
	expires time.Time
}

// send greets with code and reports the outcome for the output line: what
// happened, and the image's media id when it was sent. A failed send is
// logged, not retried: a welcome code works once, and a second message
// must never reach the customer.
func (w *welcomer) send(ctx context.Context, log *slog.Logger, code string) (outcome, mediaID string) {
	if code == "" {
		// No code: the member already chats with the customer, or the
		// customer was greeted already.
		return "no code", ""
	}
	mediaID, err := w.image(ctx)
	if err != nil {
		log.Warn("welcome image not uploaded", "err", err)
		return "not sent: " + err.Error(), ""
	}
	err = w.ec.SendWelcomeMsg(ctx, &externalcontact.SendWelcomeMsgRequest{
		WelcomeCode: code,
		Text:        &message.Text{Content: w.text},
		Attachments: []message.Attachment{message.ImageAttachment(mediaID)},
	})
	if err != nil {
		log.Warn("welcome message not sent", "err", err)
		return "not sent: " + err.Error(), ""
	}
	return "sent", mediaID
}

// image returns the media_id of the welcome picture, uploading it when
// there is none or the one there is expires within an hour.
func (w *welcomer) image(ctx context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mediaID != "" && time.Until(w.expires) > time.Hour {
		return w.mediaID, nil
	}
	pic, err := welcomePicture()
	if err != nil {
		return "", err
	}
	up, err := w.media.Upload(ctx, &media.UploadRequest{
		Type: media.TypeImage, FileName: "welcome.png", ContentType: "image/png",
		Reader: bytes.NewReader(pic), Size: int64(len(pic)),
	})
	if err != nil {
		return "", err
	}
	w.mediaID, w.expires = up.MediaID, up.CreateAt().Add(media.Lifetime)
	return w.mediaID, nil
}

// welcomePicture draws the welcome image. A real program uploads its own
// picture (a JPG or PNG of at most 10 MB), e.g. from os.Open.
func welcomePicture() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{R: 7, G: 193, B: 96, A: 255}) // WeCom green
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// newLogger returns a text logger on stderr, at debug level when verbose.
func newLogger(verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
