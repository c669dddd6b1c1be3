// Package callback serves WeCom's callback URL: an http.Handler that
// answers URL verification, verifies, decrypts and decodes the events
// WeCom POSTs into typed Go structs, and dispatches them to your code.
//
//	h, err := callback.New(token, encodingAESKey, corpID)
//	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
//		return welcome(ctx, ev.WelcomeCode)
//	})
//	mux.Handle("/wecom/callback", h)
//
// A handler's error answers 500, so WeCom delivers the event again
// (about three times, seconds apart); success answers "success". WeCom
// waits 5 seconds for an answer (1 second for a service provider's
// instruction callbacks): a handler still running at the answer deadline
// (WithAnswerDeadline) gets a 503 answered for it, keeps running, and its
// result decides how the redelivery is answered.
//
// Redeliveries are recognised through a DedupStore (in memory by default;
// shared, e.g. contrib/redis, in a fleet) in two states: while one
// delivery is being handled its key is leased, and a redelivery, on this
// instance or another, is answered 503 (WeCom tries again); once handled
// the key is done and a redelivery is answered "success" unhandled. A
// failed handler releases the key, so the redelivery is handled; a holder
// that died leaves a lease that runs out by itself.
//
// Async mode (WithQueue, or WithAsync for the in-memory queue) appends
// each verified, decrypted event to a Queue and answers "success" only
// once it is there; Workers take the events, retry failures and move
// poisoned ones aside (see Worker).
//
// Bad requests (wrong method, missing parameters, an oversized body, a bad
// signature, a stale timestamp, another receiver, malformed XML) are
// answered 4xx with a short reason, logged without secrets and never
// dispatched.
package callback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecomkit/wecom/crypto"
)

// Defaults of a Handler.
const (
	// DefaultMaxEventBytes is the largest decrypted event the default body
	// limit admits. WeCom's events are a few KB; the largest, a group
	// update listing the members that changed, stays well below it.
	DefaultMaxEventBytes = 128 << 10
	// DefaultMaxBodyBytes is the envelope of a DefaultMaxEventBytes event:
	// the envelope's XML is read before the signature is checked, so no
	// more is read than an event can need.
	DefaultMaxBodyBytes    = (DefaultMaxEventBytes+maxSealOverhead+2)/3*4 + envelopeOverhead
	DefaultTimestampWindow = 5 * time.Minute
	// DefaultDedupTTL is how long a handled event is remembered.
	DefaultDedupTTL = 10 * time.Minute
	// DefaultAnswerDeadline is WeCom's 5 seconds less a margin for the
	// network: a handler still running then is answered 503 for.
	DefaultAnswerDeadline = 4500 * time.Millisecond
	// DefaultHandlerTimeout is the deadline of a handler's context in
	// synchronous mode. The handler's dedup lease is this plus
	// DefaultLeaseMargin: it outlives a slow handler that still finishes,
	// and a holder that died frees the event before WeCom's last
	// redelivery (about 5, 10 and 15 seconds after the first delivery).
	DefaultHandlerTimeout = 8 * time.Second
	// DefaultLeaseMargin is added to a handler's timeout to make its
	// dedup lease.
	DefaultLeaseMargin = 2 * time.Second
	// DefaultStoreTimeout bounds each DedupStore call.
	DefaultStoreTimeout = 300 * time.Millisecond
)

const (
	// maxSealOverhead: the random prefix, the length, a receiver id and
	// the padding around a sealed message.
	maxSealOverhead  = 16 + 4 + 64 + 32
	envelopeOverhead = 1 << 10 // ToUserName, AgentID and the tags
)

// MaxEnvelopeBytes returns the size of the envelope of an event of
// maxEventBytes decrypted bytes: a body limit for WithMaxBodyBytes.
func MaxEnvelopeBytes(maxEventBytes int) int64 {
	return int64((maxEventBytes+maxSealOverhead+2)/3*4 + envelopeOverhead)
}

// Handler is the http.Handler of a callback URL. Create it with New,
// register handlers with On and OnOther, mount it on any router. It is
// safe for concurrent use; handlers may be registered while it serves.
type Handler struct {
	crypt          *crypto.Crypter
	log            *slog.Logger // nil: discard
	maxBody        int64
	window         time.Duration
	now            func() time.Time
	dedup          DedupStore
	dedupTTL       time.Duration
	answerWithin   time.Duration
	handlerTimeout time.Duration
	storeTimeout   time.Duration

	// receivers, when set, decides which receiver ids are accepted
	// (WithReceivers, WithReceiverFunc) instead of the one of New.
	receivers func(string) bool

	queue   Queue        // async mode
	memq    *MemoryQueue // WithAsync's queue, drained by Shutdown
	workers *Worker      // WithAsync's workers

	closeMu sync.RWMutex
	closed  bool
	running sync.WaitGroup // synchronous handlers, including those answered for

	// inflight maps the dedup keys of the events this process is
	// handling synchronously to their claim's owner: a redelivery that
	// arrives meanwhile is answered 503 without asking the store, and it
	// is the guard left when the store fails.
	inflightMu sync.Mutex
	inflight   map[string]string

	ownerPrefix string
	ownerSeq    atomic.Uint64

	regMu  sync.Mutex
	routes atomic.Pointer[routes]
	bufs   sync.Pool // *[]byte for request bodies
}

// HandlerFunc handles one event; an error makes WeCom deliver it again
// (in async mode: the Worker retries it). Its context carries the
// request's values but not its cancellation, and ends at the handler
// timeout (WithHandlerTimeout; WorkerOptions.HandlerTimeout).
type HandlerFunc func(ctx context.Context, ev Event) error

type routes struct {
	typed [numKinds]HandlerFunc
	other HandlerFunc
}

// Option configures a Handler.
type Option func(*config)

type config struct {
	log            *slog.Logger
	maxBody        int64
	window         time.Duration
	now            func() time.Time
	dedup          DedupStore
	dedupTTL       time.Duration
	dedupSet       bool
	answerWithin   time.Duration
	handlerTimeout time.Duration
	storeTimeout   time.Duration
	queue          Queue
	workers, bound int
	receivers      func(string) bool
	errs           []error
}

// WithLogger logs rejected requests (Warn), handler failures (Error) and
// duplicates (Debug) to l. The default discards. Logs never carry the
// token, the key, signatures or message content.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithMaxBodyBytes limits the POST body (default DefaultMaxBodyBytes, the
// envelope of a DefaultMaxEventBytes event; MaxEnvelopeBytes sizes it for
// another event size); larger bodies are answered 413 before any parsing.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithMaxBodyBytes: %d is not positive", n))
		}
		c.maxBody = n
	}
}

// WithTimestampWindow rejects requests whose timestamp is further than d
// from now, either way (default 5 minutes), answering 403. 0 disables the
// check.
func WithTimestampWindow(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithTimestampWindow: %s is negative", d))
		}
		c.window = d
	}
}

// WithAnswerDeadline sets how soon after a request arrives it is
// answered whatever the handler does (default DefaultAnswerDeadline, for
// WeCom's 5 seconds; use about 800ms for a service provider's instruction
// callbacks, which WeCom waits 1 second for). In synchronous mode a
// handler still running then is answered 503 for, and WeCom delivers the
// event again; in async mode it bounds Enqueue.
func WithAnswerDeadline(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithAnswerDeadline: %s is not positive", d))
		}
		c.answerWithin = d
	}
}

// WithHandlerTimeout sets the deadline of a handler's context in
// synchronous mode (default DefaultHandlerTimeout); the event's dedup
// lease lasts this plus DefaultLeaseMargin. A handler that ignores its
// context and runs past the lease may see its event handled again by a
// redelivery. Keep it well under 15 seconds, WeCom's last redelivery, or
// a holder that died keeps its event from every redelivery; longer work
// belongs in async mode.
func WithHandlerTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithHandlerTimeout: %s is not positive", d))
		}
		c.handlerTimeout = d
	}
}

// WithStoreTimeout bounds each call to the DedupStore (default
// DefaultStoreTimeout). A store that fails or times out does not lose the
// event: a Claim that fails is handled anyway, guarded against
// concurrent redeliveries only within this process (at-least-once), and
// logged at Warn.
func WithStoreTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithStoreTimeout: %s is not positive", d))
		}
		c.storeTimeout = d
	}
}

// WithQueue turns on durable async mode: each verified, decrypted event
// is appended to q and WeCom is answered "success" only once Enqueue
// returned nil; if it fails (or outlasts the answer deadline) the answer
// is 503 and WeCom delivers the event again. Run Workers (NewWorker) on q,
// in this process or any other, to handle the events.
func WithQueue(q Queue) Option {
	return func(c *config) {
		if q == nil {
			c.errs = append(c.errs, errors.New("WithQueue: nil queue"))
		}
		c.queue = q
	}
}

// WithAsync is async mode on a MemoryQueue holding at most queue events
// (DefaultMemoryQueueEvents when 0), with workers Workers (default
// options) owned by the Handler. It is not durable: what the queue holds
// is lost if the process exits or crashes, after WeCom was told
// "success"; use WithQueue with a durable queue where that matters.
// Shutdown drains the queue, then stops the workers.
func WithAsync(workers, queue int) Option {
	return func(c *config) {
		if workers < 1 || queue < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithAsync: need workers >= 1 and queue >= 0, got %d, %d", workers, queue))
		}
		c.workers, c.bound = workers, queue
	}
}

// WithDedup deduplicates redelivered events through store, remembering
// each handled event for ttl (the default is a MemoryDedup with
// DefaultDedupTTL; a nil store turns deduplication off). A delivery
// claims its event's key with a lease (the handler's timeout plus
// DefaultLeaseMargin), marks it done when the handler succeeded and
// releases it when it failed. A redelivery while the lease is held, by
// this process or another sharing the store, is answered 503 so that
// WeCom delivers it again later; never "success" without handling.
func WithDedup(store DedupStore, ttl time.Duration) Option {
	return func(c *config) {
		if store != nil && ttl <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithDedup: ttl %s is not positive", ttl))
		}
		c.dedup, c.dedupTTL, c.dedupSet = store, ttl, true
	}
}

// WithReceivers accepts messages sealed for any of ids besides the
// receiverID passed to New: one URL serving several receivers, such as a
// service provider's data URL, where each authorizing corp's events are
// sealed for that corp, or an instruction URL that also sees the
// provider's own corpid. Each event's ToUserName names the corp it came
// from.
func WithReceivers(ids ...string) Option {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return WithReceiverFunc(func(id string) bool { return set[id] })
}

// WithReceiverFunc accepts the messages whose receiver id accept reports
// true for (besides the receiverID passed to New): a lookup for a URL
// serving many receivers, such as the data URL of thousands of
// authorizing corps. accept must be fast and safe for concurrent use; the
// signature and the key authenticate every message before it is asked.
func WithReceiverFunc(accept func(receiverID string) bool) Option {
	return func(c *config) {
		if accept == nil {
			c.errs = append(c.errs, errors.New("WithReceiverFunc: nil func"))
		}
		c.receivers = accept
	}
}

// WithClock sets the clock of the timestamp check and of the default
// dedup store (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("WithClock: nil clock"))
		}
		c.now = now
	}
}

// New returns the Handler of a callback configured with token and the
// 43-character encodingAESKey, for receiverID: the corp ID for a
// self-built app (the suite ID for a third-party suite; empty skips the
// check).
func New(token, encodingAESKey, receiverID string, opts ...Option) (*Handler, error) {
	cfg := config{maxBody: DefaultMaxBodyBytes, window: DefaultTimestampWindow, now: time.Now,
		answerWithin: DefaultAnswerDeadline, handlerTimeout: DefaultHandlerTimeout, storeTimeout: DefaultStoreTimeout}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.queue != nil && cfg.workers > 0 {
		cfg.errs = append(cfg.errs, errors.New("WithQueue and WithAsync: choose one"))
	}
	if len(cfg.errs) > 0 {
		return nil, fmt.Errorf("callback: %w", errors.Join(cfg.errs...))
	}
	var accept func(string) bool
	if cfg.receivers != nil {
		// The Crypter skips the check; open applies the set.
		own, more := receiverID, cfg.receivers
		accept = func(id string) bool { return (own != "" && id == own) || more(id) }
		receiverID = ""
	}
	c, err := crypto.New(token, encodingAESKey, receiverID)
	if err != nil {
		return nil, fmt.Errorf("callback: %w", err)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	h := &Handler{
		crypt:          c,
		log:            cfg.log,
		maxBody:        cfg.maxBody,
		window:         cfg.window,
		now:            cfg.now,
		dedup:          cfg.dedup,
		dedupTTL:       cfg.dedupTTL,
		answerWithin:   cfg.answerWithin,
		handlerTimeout: cfg.handlerTimeout,
		storeTimeout:   cfg.storeTimeout,
		queue:          cfg.queue,
		receivers:      accept,
		inflight:       map[string]string{},
		ownerPrefix:    hex.EncodeToString(id[:]) + "-",
	}
	if !cfg.dedupSet {
		m := NewMemoryDedup(DefaultDedupEntries)
		m.now = cfg.now
		h.dedup, h.dedupTTL = m, DefaultDedupTTL
	}
	h.routes.Store(&routes{})
	h.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	if cfg.workers > 0 {
		h.memq = NewMemoryQueue(&MemoryQueueOptions{MaxEvents: cfg.bound})
		h.queue = h.memq
		h.workers, _ = NewWorker(h, h.memq, &WorkerOptions{Concurrency: cfg.workers})
		_ = h.workers.Start()
	}
	return h, nil
}

// On registers fn for the events of type *E, replacing any earlier one;
// a nil fn removes it. The type is inferred from fn:
//
//	callback.On(h, func(ctx context.Context, ev *callback.DelFollowUser) error { ... })
//
// On[UnknownEvent] receives the events this package does not model.
func On[E any, P interface {
	*E
	Event
}](h *Handler, fn func(ctx context.Context, ev P) error) {
	var zero E
	k := P(&zero).kind()
	var hf HandlerFunc
	if fn != nil {
		hf = func(ctx context.Context, ev Event) error { return fn(ctx, ev.(P)) }
	}
	h.update(func(r *routes) { r.typed[k] = hf })
}

// OnOther registers the catch-all: it receives every event no handler
// registered with On takes, including *UnknownEvent. Events nobody takes
// are acknowledged and logged at Debug.
func (h *Handler) OnOther(fn HandlerFunc) {
	h.update(func(r *routes) { r.other = fn })
}

// update swaps in a changed copy of the routes, so ServeHTTP reads them
// without a lock.
func (h *Handler) update(change func(*routes)) {
	h.regMu.Lock()
	defer h.regMu.Unlock()
	r := *h.routes.Load()
	change(&r)
	h.routes.Store(&r)
}

// ServeHTTP answers GET (URL verification) and POST (events).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		h.serveEvent(w, r)
	case http.MethodGet:
		h.serveVerify(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.reject(w, r, http.StatusMethodNotAllowed, "method not allowed", nil)
	}
}

var (
	textPlain   = []string{"text/plain; charset=utf-8"}
	successBody = []byte("success")
)

// writeSuccess acknowledges an event.
func writeSuccess(w http.ResponseWriter) { writeText(w, http.StatusOK, successBody) }

func writeText(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = textPlain
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// reject answers a bad request with a short reason and logs it.
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, status int, reason string, err error) {
	writeText(w, status, []byte(reason))
	if h.log != nil && h.log.Enabled(r.Context(), slog.LevelWarn) {
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.String("reason", reason),
			slog.String("remote", r.RemoteAddr),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "wecom callback: rejected request", attrs...)
	}
}

// query reads the signed parameters from a raw query without building a
// url.Values.
func parseQuery(raw string) (q crypto.Query, err error) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		var dst *string
		switch k {
		case "msg_signature":
			dst = &q.Signature
		case "timestamp":
			dst = &q.Timestamp
		case "nonce":
			dst = &q.Nonce
		case "echostr":
			dst = &q.EchoStr
		default:
			continue
		}
		if *dst != "" {
			continue // the first wins, as with url.Values.Get
		}
		if *dst, err = url.QueryUnescape(v); err != nil {
			return q, err
		}
	}
	return q, nil
}

// checkQuery reads and checks the query; it answers and returns false on
// failure.
func (h *Handler) checkQuery(w http.ResponseWriter, r *http.Request, echo bool) (crypto.Query, bool) {
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "malformed query", nil)
		return q, false
	}
	if q.Signature == "" || q.Timestamp == "" || q.Nonce == "" || (echo && q.EchoStr == "") {
		reason := "missing msg_signature, timestamp or nonce"
		if echo {
			reason = "missing msg_signature, timestamp, nonce or echostr"
		}
		h.reject(w, r, http.StatusBadRequest, reason, nil)
		return q, false
	}
	ts, err := strconv.ParseInt(q.Timestamp, 10, 64)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "malformed timestamp", nil)
		return q, false
	}
	if h.window > 0 {
		d := h.now().Sub(time.Unix(ts, 0))
		if d > h.window || d < -h.window {
			h.reject(w, r, http.StatusForbidden, "stale timestamp", fmt.Errorf("timestamp %d is %s from now", ts, d.Round(time.Second)))
			return q, false
		}
	}
	return q, true
}

func (h *Handler) serveVerify(w http.ResponseWriter, r *http.Request) {
	q, ok := h.checkQuery(w, r, true)
	if !ok {
		return
	}
	msg, err := h.crypt.VerifyURL(q)
	if err != nil {
		h.rejectCrypto(w, r, err)
		return
	}
	writeText(w, http.StatusOK, msg)
}

// rejectCrypto answers a failure to open a message.
func (h *Handler) rejectCrypto(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, crypto.ErrSignature):
		h.reject(w, r, http.StatusForbidden, "bad signature", err)
	case errors.Is(err, crypto.ErrReceiverID):
		h.reject(w, r, http.StatusForbidden, "wrong receiver", err)
	case errors.Is(err, crypto.ErrEnvelope):
		h.reject(w, r, http.StatusBadRequest, "malformed XML envelope", err)
	case errors.Is(err, ErrMalformedEvent):
		h.reject(w, r, http.StatusBadRequest, "malformed event XML", err)
	default: // base64, size, padding, length: signed but not ours to read
		h.reject(w, r, http.StatusBadRequest, "cannot decrypt", err)
	}
}

func (h *Handler) serveEvent(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q, ok := h.checkQuery(w, r, false)
	if !ok {
		return
	}
	if r.ContentLength > h.maxBody {
		h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large", nil)
		return
	}
	bp := h.bufs.Get().(*[]byte)
	defer h.putBuf(bp)
	body, err := readBody(r.Body, (*bp)[:0], h.maxBody)
	*bp = body
	if err != nil {
		if errors.Is(err, errTooLarge) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large", nil)
		} else {
			h.reject(w, r, http.StatusBadRequest, "cannot read body", err)
		}
		return
	}

	var (
		ev  Event
		key string
	)
	err = h.open(body, q, func(msg []byte) error {
		var err error
		if ev, err = decodeEvent(string(msg)); err != nil {
			return err
		}
		if h.dedup != nil && h.queue == nil {
			key = DedupKey(msg)
		}
		return nil
	})
	if err != nil {
		h.rejectCrypto(w, r, err)
		return
	}
	if h.queue != nil {
		h.serveEnqueue(w, r, start, ev)
		return
	}
	h.serveSync(w, r, start, ev, key)
}

// open is crypt.OpenFunc, with the receiver set when there is one.
func (h *Handler) open(body []byte, q crypto.Query, fn func(msg []byte) error) error {
	if h.receivers == nil {
		return h.crypt.OpenFunc(body, q, fn)
	}
	ct, err := crypto.Ciphertext(body)
	if err != nil {
		return err
	}
	if err := h.crypt.Verify(q.Signature, q.Timestamp, q.Nonce, string(ct)); err != nil {
		return err
	}
	msg, rid, err := h.crypt.Decrypt(ct)
	if err != nil {
		return err
	}
	if !h.receivers(rid) {
		return crypto.ErrReceiverID
	}
	return fn(msg)
}

// remaining is the time left to answer a request that arrived at start.
func (h *Handler) remaining(start time.Time) time.Duration {
	return max(h.answerWithin-time.Since(start), time.Millisecond)
}

// serveEnqueue is async mode: the answer depends only on Enqueue.
func (h *Handler) serveEnqueue(w http.ResponseWriter, r *http.Request, start time.Time, ev Event) {
	// The read lock keeps Shutdown from stopping the workers between the
	// check and the append.
	h.closeMu.RLock()
	defer h.closeMu.RUnlock()
	if h.closed {
		h.reject(w, r, http.StatusServiceUnavailable, "shutting down", nil)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.remaining(start))
	err := h.queue.Enqueue(ctx, []byte(ev.EventHeader().Raw))
	cancel()
	if err != nil {
		reason := "cannot queue the event"
		if errors.Is(err, ErrQueueFull) {
			reason = "queue full"
		}
		h.reject(w, r, http.StatusServiceUnavailable, reason, err)
		return
	}
	writeSuccess(w)
}

var errNotAnswered = errors.New("still running at the answer deadline")

// serveSync claims the event, runs its handler and answers by the
// deadline.
func (h *Handler) serveSync(w http.ResponseWriter, r *http.Request, start time.Time, ev Event, key string) {
	ctx := r.Context()
	h.closeMu.RLock()
	closed := h.closed
	if !closed {
		h.running.Add(1)
	}
	h.closeMu.RUnlock()
	if closed {
		h.reject(w, r, http.StatusServiceUnavailable, "shutting down", nil)
		return
	}
	var owner string
	held := false
	if key != "" {
		owner = h.newOwner()
		if !h.enter(key, owner) {
			h.running.Done()
			h.inProgress(w, ctx, ev)
			return
		}
		st, err := h.claim(key, owner, h.handlerTimeout+DefaultLeaseMargin)
		switch {
		case err != nil:
			// At-least-once: a store that cannot answer must not lose the
			// event. Only this process's in-flight map guards it now.
			h.logEvent(ctx, slog.LevelWarn, "wecom callback: dedup store failed; handling the event anyway", ev, err)
		case st == ClaimDone:
			h.leave(key, owner)
			h.running.Done()
			h.logEvent(ctx, slog.LevelDebug, "wecom callback: duplicate event acknowledged", ev, nil)
			writeSuccess(w)
			return
		case st == ClaimInProgress:
			h.leave(key, owner)
			h.running.Done()
			h.inProgress(w, ctx, ev)
			return
		default:
			held = true
		}
	}

	// The handler runs on its own goroutine so that the answer can be
	// given by the deadline whatever it does; its context outlives the
	// request, bounded by the handler timeout.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.handlerTimeout)
	c := syncCalls.Get().(*syncCall)
	c.h, c.ctx, c.cancel, c.ev, c.key, c.owner, c.held = h, hctx, cancel, ev, key, owner, held
	go c.run()
	// Most handlers finish in microseconds: yielding once lets the new
	// goroutine run on this P, and a result already there is taken
	// without parking this goroutine or arming the deadline timer (a
	// park costs a wake-up of another thread on each side). The yield
	// is only a hint; the select below keeps the deadline either way.
	runtime.Gosched()
	select {
	case err := <-c.res:
		c.put()
		writeResult(w, err)
		return
	default:
	}
	timer := getTimer(h.remaining(start))
	defer putTimer(timer)
	select {
	case err := <-c.res:
		c.put()
		writeResult(w, err)
	case <-timer.C:
		if key != "" {
			// A handler stuck past its timeout no longer blocks
			// redeliveries here; its lease runs out DefaultLeaseMargin
			// later. (If it finishes first, leave is a no-op then.)
			context.AfterFunc(hctx, func() { h.leave(key, owner) })
		}
		h.logEvent(ctx, slog.LevelWarn, "wecom callback: handler still running at the answer deadline; answered 503, WeCom delivers again", ev, errNotAnswered)
		writeText(w, http.StatusServiceUnavailable, []byte("event still being handled"))
	}
}

// syncCall is one synchronous handler's run. It is pooled once its
// result was received: the handler's goroutine does not touch it after
// sending the result. One answered at the deadline is left to the GC.
type syncCall struct {
	h          *Handler
	ctx        context.Context
	cancel     context.CancelFunc
	ev         Event
	key, owner string
	held       bool
	res        chan error // buffered: the send never waits
}

var syncCalls = sync.Pool{New: func() any { return &syncCall{res: make(chan error, 1)} }}

// run handles the event, settles its claim and sends the result.
func (c *syncCall) run() {
	h, cancel := c.h, c.cancel
	err := h.dispatch(c.ctx, c.ev)
	if err != nil {
		h.logEvent(c.ctx, slog.LevelError, "wecom callback: handler failed", c.ev, err)
	}
	if c.held {
		if err == nil {
			h.done(c.key, c.owner, c.ev)
		} else {
			h.release(c.key, c.owner, c.ev)
		}
	}
	if c.key != "" {
		h.leave(c.key, c.owner)
	}
	c.res <- err // c belongs to the receiver from here on
	cancel()
	h.running.Done()
}

func (c *syncCall) put() {
	res := c.res
	*c = syncCall{res: res}
	syncCalls.Put(c)
}

var handlerFailed = []byte("handler failed")

// writeResult answers a handler's result.
func writeResult(w http.ResponseWriter, err error) {
	if err != nil {
		writeText(w, http.StatusInternalServerError, handlerFailed)
		return
	}
	writeSuccess(w)
}

var timers sync.Pool // *time.Timer, stopped

func getTimer(d time.Duration) *time.Timer {
	if t, ok := timers.Get().(*time.Timer); ok {
		t.Reset(d)
		return t
	}
	return time.NewTimer(d)
}

// putTimer stops t and pools it; since Go 1.23 a stopped timer's channel
// holds no stale tick.
func putTimer(t *time.Timer) {
	t.Stop()
	timers.Put(t)
}

// inProgress answers a redelivery of an event being handled: not
// acknowledged, so WeCom tries again and then finds it done, or
// released and ready to handle again.
func (h *Handler) inProgress(w http.ResponseWriter, ctx context.Context, ev Event) {
	h.logEvent(ctx, slog.LevelDebug, "wecom callback: event still being handled; redelivery deferred", ev, nil)
	writeText(w, http.StatusServiceUnavailable, []byte("event still being handled"))
}

// newOwner returns an id unique to one claim.
func (h *Handler) newOwner() string {
	return h.ownerPrefix + strconv.FormatUint(h.ownerSeq.Add(1), 36)
}

// enter records that this process handles key, unless it already does.
func (h *Handler) enter(key, owner string) bool {
	h.inflightMu.Lock()
	defer h.inflightMu.Unlock()
	if _, ok := h.inflight[key]; ok {
		return false
	}
	h.inflight[key] = owner
	return true
}

func (h *Handler) leave(key, owner string) {
	h.inflightMu.Lock()
	if h.inflight[key] == owner {
		delete(h.inflight, key)
	}
	h.inflightMu.Unlock()
}

// storeCtx bounds one store call. MemoryDedup never blocks: it needs no
// deadline of its own.
func (h *Handler) storeCtx() (context.Context, context.CancelFunc) {
	if _, ok := h.dedup.(*MemoryDedup); ok {
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), h.storeTimeout)
}

func (h *Handler) claim(key, owner string, lease time.Duration) (ClaimState, error) {
	ctx, cancel := h.storeCtx()
	defer cancel()
	st, err := h.dedup.Claim(ctx, key, owner, lease)
	if err == nil && (st < ClaimAcquired || st > ClaimDone) {
		err = fmt.Errorf("callback: dedup store answered %s", st)
	}
	return st, err
}

func (h *Handler) done(key, owner string, ev Event) {
	ctx, cancel := h.storeCtx()
	defer cancel()
	if err := h.dedup.Done(ctx, key, owner, h.dedupTTL); err != nil {
		h.logEvent(ctx, slog.LevelWarn, "wecom callback: dedup done failed; a redelivery may be handled again", ev, err)
	}
}

func (h *Handler) release(key, owner string, ev Event) {
	ctx, cancel := h.storeCtx()
	defer cancel()
	if err := h.dedup.Release(ctx, key, owner); err != nil {
		h.logEvent(ctx, slog.LevelWarn, "wecom callback: dedup release failed; redeliveries wait for the lease to run out", ev, err)
	}
}

// maxPooledBody keeps one large body from pinning its buffer.
const maxPooledBody = 64 << 10

func (h *Handler) putBuf(b *[]byte) {
	if cap(*b) <= maxPooledBody {
		h.bufs.Put(b)
	}
}

var errTooLarge = errors.New("body too large")

// readBody appends r to buf, failing with errTooLarge past max bytes. It
// reads into buf's spare room directly: no io.LimitReader to allocate.
func readBody(r io.Reader, buf []byte, max int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return buf, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// dispatch runs the handler of ev. A panic becomes an error.
func (h *Handler) dispatch(ctx context.Context, ev Event) (err error) {
	rt := h.routes.Load()
	fn := rt.typed[ev.kind()]
	if fn == nil {
		fn = rt.other
	}
	if fn == nil {
		h.logEvent(ctx, slog.LevelDebug, "wecom callback: no handler; event acknowledged", ev, nil)
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("callback: handler panicked: %v", p)
		}
	}()
	return fn(ctx, ev)
}

func (h *Handler) logEvent(ctx context.Context, level slog.Level, msg string, ev Event, err error, extra ...slog.Attr) {
	if h.log == nil || !h.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 4+len(extra))
	if ev != nil {
		hd := ev.EventHeader()
		attrs = append(attrs, slog.String("event", hd.Event), slog.String("change_type", hd.ChangeType), slog.Int64("create_time", hd.CreateTime))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	attrs = append(attrs, extra...)
	h.log.LogAttrs(ctx, level, msg, attrs...)
}

// Shutdown stops accepting events (later POSTs are answered 503) and
// waits, until ctx ends, for:
//   - with WithAsync, the memory queue to empty (retries included) and
//     its workers to stop. If ctx ends first the error names the events
//     still held, which are lost when the process exits;
//   - the synchronous handlers still running, including those already
//     answered 503 at the answer deadline.
//
// With WithQueue the queue and its events are untouched: stop the
// Workers with their own Shutdown. It is safe to call more than once.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.closeMu.Lock()
	h.closed = true
	h.closeMu.Unlock()
	var errs []error
	if h.memq != nil {
		if err := h.memq.WaitEmpty(ctx); err != nil {
			errs = append(errs, fmt.Errorf("callback: shutdown: %d events still in the memory queue are lost when the process exits: %w", h.memq.Len(), err))
		}
		if err := h.workers.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	done := make(chan struct{})
	go func() {
		h.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("callback: shutdown: handlers still running: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}
