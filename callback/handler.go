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
// (about three times, seconds apart); success answers "success".
// Redeliveries of an event that was handled are recognised through a
// DedupStore (in memory by default) and acknowledged without dispatch.
// WithAsync acknowledges at once and handles events in a bounded worker
// pool; Shutdown drains it.
//
// Bad requests (wrong method, missing parameters, an oversized body, a bad
// signature, a stale timestamp, another receiver, malformed XML) are
// answered 4xx with a short reason, logged without secrets and never
// dispatched.
package callback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecomkit/wecom/crypto"
)

// Defaults of a Handler.
const (
	DefaultMaxBodyBytes    = 1 << 20
	DefaultTimestampWindow = 5 * time.Minute
	DefaultDedupTTL        = 10 * time.Minute
)

// Handler is the http.Handler of a callback URL. Create it with New,
// register handlers with On and OnOther, mount it on any router. It is
// safe for concurrent use; handlers may be registered while it serves.
type Handler struct {
	crypt    *crypto.Crypter
	log      *slog.Logger // nil: discard
	maxBody  int64
	window   time.Duration
	now      func() time.Time
	dedup    DedupStore
	dedupTTL time.Duration
	async    *workers
	// inflight holds the dedup keys of events this process is handling
	// synchronously, so a redelivery that arrives meanwhile is not taken
	// for a finished one.
	inflightMu sync.Mutex
	inflight   map[string]struct{}

	regMu  sync.Mutex
	routes atomic.Pointer[routes]
	bufs   sync.Pool // *[]byte for request bodies
}

// HandlerFunc handles one event; an error makes WeCom deliver it again.
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
	workers, queue int
	errs           []error
}

// WithLogger logs rejected requests (Warn), handler failures (Error) and
// duplicates (Debug) to l. The default discards. Logs never carry the
// token, the key, signatures or message content.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithMaxBodyBytes limits the POST body (default 1 MiB); larger bodies are
// answered 413.
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

// WithAsync acknowledges each event as soon as it is verified and decoded
// and handles it in a pool of workers fed by a queue of the given bound.
// When the queue is full the request is answered 503, so WeCom delivers
// the event again later. A handler error is logged (WeCom was already
// told "success"). Call Shutdown to stop the workers after the queue is
// drained.
func WithAsync(workers, queue int) Option {
	return func(c *config) {
		if workers < 1 || queue < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithAsync: need workers >= 1 and queue >= 0, got %d, %d", workers, queue))
		}
		c.workers, c.queue = workers, queue
	}
}

// WithDedup deduplicates redelivered events through store, remembering
// each handled event for ttl. The default is an in-memory store
// (NewMemoryDedup) with DefaultDedupTTL; a nil store turns deduplication
// off. A key is released when its handling fails, so WeCom's redelivery
// is handled again. A redelivery that arrives while this process is still
// handling the first delivery (a handler slower than WeCom's 5 seconds)
// is answered 503, so WeCom delivers it again later rather than taking it
// as handled. If the store fails, the event is handled anyway.
func WithDedup(store DedupStore, ttl time.Duration) Option {
	return func(c *config) {
		if store != nil && ttl <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithDedup: ttl %s is not positive", ttl))
		}
		c.dedup, c.dedupTTL, c.dedupSet = store, ttl, true
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
	cfg := config{maxBody: DefaultMaxBodyBytes, window: DefaultTimestampWindow, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, fmt.Errorf("callback: %w", errors.Join(cfg.errs...))
	}
	c, err := crypto.New(token, encodingAESKey, receiverID)
	if err != nil {
		return nil, fmt.Errorf("callback: %w", err)
	}
	h := &Handler{
		crypt:    c,
		log:      cfg.log,
		maxBody:  cfg.maxBody,
		window:   cfg.window,
		now:      cfg.now,
		dedup:    cfg.dedup,
		dedupTTL: cfg.dedupTTL,
	}
	if !cfg.dedupSet {
		m := NewMemoryDedup(DefaultDedupEntries)
		m.now = cfg.now
		h.dedup, h.dedupTTL = m, DefaultDedupTTL
	}
	h.routes.Store(&routes{})
	h.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	if cfg.workers > 0 {
		h.async = startWorkers(h, cfg.workers, cfg.queue)
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
	err = h.crypt.OpenFunc(body, q, func(msg []byte) error {
		var err error
		if ev, err = decodeEvent(string(msg)); err != nil {
			return err
		}
		if h.dedup != nil {
			key = DedupKey(msg)
		}
		return nil
	})
	if err != nil {
		h.rejectCrypto(w, r, err)
		return
	}

	ctx := r.Context()
	if key != "" {
		claimed, err := h.dedup.Claim(ctx, key, h.dedupTTL)
		switch {
		case err != nil:
			h.logEvent(ctx, slog.LevelWarn, "wecom callback: dedup store failed; handling the event anyway", ev, err)
			key = ""
		case !claimed:
			if h.handling(key) {
				// WeCom redelivers after about 5 seconds without an answer.
				// The first delivery may still fail, so this one is not
				// acknowledged: WeCom tries again later and then finds the
				// event handled, or released and ready to handle again.
				h.logEvent(ctx, slog.LevelDebug, "wecom callback: event still being handled; redelivery deferred", ev, nil)
				writeText(w, http.StatusServiceUnavailable, []byte("event still being handled"))
				return
			}
			h.logEvent(ctx, slog.LevelDebug, "wecom callback: duplicate event acknowledged", ev, nil)
			writeSuccess(w)
			return
		}
	}

	if h.async != nil {
		if err := h.async.enqueue(job{ctx: context.WithoutCancel(ctx), ev: ev, key: key}); err != nil {
			h.release(ctx, key)
			h.reject(w, r, http.StatusServiceUnavailable, err.Error(), nil)
			return
		}
		writeSuccess(w)
		return
	}

	if key != "" {
		h.setHandling(key, true)
		defer h.setHandling(key, false)
	}
	if err := h.dispatch(ctx, ev); err != nil {
		h.release(ctx, key)
		h.logEvent(ctx, slog.LevelError, "wecom callback: handler failed", ev, err)
		writeText(w, http.StatusInternalServerError, []byte("handler failed"))
		return
	}
	writeSuccess(w)
}

// handling reports whether this process is handling the event of key.
func (h *Handler) handling(key string) bool {
	h.inflightMu.Lock()
	defer h.inflightMu.Unlock()
	_, ok := h.inflight[key]
	return ok
}

func (h *Handler) setHandling(key string, on bool) {
	h.inflightMu.Lock()
	defer h.inflightMu.Unlock()
	if !on {
		delete(h.inflight, key)
		return
	}
	if h.inflight == nil {
		h.inflight = make(map[string]struct{})
	}
	h.inflight[key] = struct{}{}
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

func (h *Handler) release(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := h.dedup.Release(context.WithoutCancel(ctx), key); err != nil {
		h.logEvent(ctx, slog.LevelWarn, "wecom callback: dedup release failed; a redelivery will be skipped", nil, err)
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

func (h *Handler) logEvent(ctx context.Context, level slog.Level, msg string, ev Event, err error) {
	if h.log == nil || !h.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 4)
	if ev != nil {
		hd := ev.EventHeader()
		attrs = append(attrs, slog.String("event", hd.Event), slog.String("change_type", hd.ChangeType), slog.Int64("create_time", hd.CreateTime))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}

// ---- async mode ----

type job struct {
	ctx context.Context
	ev  Event
	key string
}

type workers struct {
	h      *Handler
	mu     sync.RWMutex
	closed bool
	jobs   chan job
	wg     sync.WaitGroup
}

var (
	errQueueFull    = errors.New("queue full")
	errShuttingDown = errors.New("shutting down")
)

func startWorkers(h *Handler, n, queue int) *workers {
	p := &workers{h: h, jobs: make(chan job, queue)}
	p.wg.Add(n)
	for range n {
		go p.run()
	}
	return p
}

func (p *workers) enqueue(j job) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return errShuttingDown
	}
	select {
	case p.jobs <- j:
		return nil
	default:
		return errQueueFull
	}
}

func (p *workers) run() {
	defer p.wg.Done()
	for j := range p.jobs {
		if err := p.h.dispatch(j.ctx, j.ev); err != nil {
			p.h.release(j.ctx, j.key)
			p.h.logEvent(j.ctx, slog.LevelError, "wecom callback: async handler failed", j.ev, err)
		}
	}
}

// Shutdown stops accepting events (later POSTs are answered 503) and waits
// until every queued event has been handled, or ctx ends. In synchronous
// mode it returns at once. It is safe to call more than once.
func (h *Handler) Shutdown(ctx context.Context) error {
	p := h.async
	if p == nil {
		return nil
	}
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
