package provider

import (
	"context"
	"fmt"
	"github.com/wecomkit/wecom"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/crypto"
)

// Defaults of an InstructionHandler.
const (
	// DefaultInstructionWorkers run the app's callbacks.
	DefaultInstructionWorkers = 4
	// DefaultInstructionQueue bounds the instructions waiting for a worker.
	DefaultInstructionQueue = 1024
	// TicketStoreTimeout bounds storing a pushed suite ticket, which
	// happens before the answer: WeCom wants one within 1000 ms.
	TicketStoreTimeout = 500 * time.Millisecond
	// DefaultHandlerTimeout bounds one run of an app callback.
	DefaultHandlerTimeout = 5 * time.Minute
)

// InstructionConfig configures NewInstructionHandler. Token and
// EncodingAESKey are the suite's callback credentials (the instruction
// URL's). Every On... field is optional.
type InstructionConfig struct {
	Token          string
	EncodingAESKey string
	// Receivers are accepted as the receiver id besides the suite id: WeCom
	// has been seen to seal instruction callbacks and the URL check for
	// the provider's own corpid.
	Receivers []string
	// Tenants, when set, loses a corp's client on cancel_auth and
	// reset_permanent_code.
	Tenants *Tenants

	// OnAuthorized receives each new permanent code (create_auth after
	// the SDK exchanged its AuthCode; reset_permanent_code). Store it: the
	// SDK does not, and the auth code cannot be exchanged twice.
	OnAuthorized func(ctx context.Context, a *Authorized) error
	// OnChangeAuth receives change_auth.
	OnChangeAuth func(ctx context.Context, c *AuthChange) error
	// OnCancelAuth receives cancel_auth: delete the corp's data (its
	// permanent code included).
	OnCancelAuth func(ctx context.Context, c *AuthCancel) error
	// OnContactChange receives change_contact.
	OnContactChange func(ctx context.Context, c *ContactChange) error
	// OnEvent receives the customer events (change_external_contact,
	// change_external_chat, change_external_tag) as the typed events of
	// package callback; corpID is the authorizing corp (also in
	// ev.EventHeader().ToUserName).
	OnEvent func(ctx context.Context, corpID string, ev callback.Event) error
	// OnOther receives every other instruction (licences, orders,
	// admin changes, ...).
	OnOther func(ctx context.Context, in *Instruction) error

	// Workers and Queue size the pool that runs the callbacks (defaults
	// DefaultInstructionWorkers, DefaultInstructionQueue).
	Workers, Queue int
	// HandlerTimeout bounds one callback (default DefaultHandlerTimeout).
	HandlerTimeout time.Duration
	// Logger receives failures. Tickets, codes and secrets are never
	// logged. nil discards.
	Logger *slog.Logger
}

// InstructionHandler is the http.Handler of a suite's instruction URL
// (指令回调URL). It verifies and decrypts each callback, stores suite
// tickets into the suite's TicketStore before answering, and answers
// "success" at once for everything else, which it hands to a bounded pool
// of workers: WeCom wants an answer within 1000 ms whatever the app's
// code does. create_auth and reset_permanent_code are exchanged for the
// permanent code (Suite.PermanentCode) by a worker.
//
// Redeliveries of an instruction still queued or handled are recognised
// and acknowledged. When the queue is full the answer is 503, so WeCom
// delivers it again. This version keeps the queue in memory: instructions
// queued when the process stops are lost (WeCom does not resend them).
type InstructionHandler struct {
	suite     *Suite
	crypt     *crypto.Crypter
	receivers map[string]bool
	cfg       InstructionConfig
	log       *slog.Logger
	dedup     *callback.MemoryDedup

	mu     sync.Mutex
	closed bool
	jobs   chan *Instruction
	wg     sync.WaitGroup
}

// NewInstructionHandler returns the instruction handler of suite.
func NewInstructionHandler(suite *Suite, cfg *InstructionConfig) (*InstructionHandler, error) {
	if suite == nil || cfg == nil {
		return nil, wecom.InvalidArgument("provider: instruction handler: a Suite and an InstructionConfig are required")
	}
	c, err := crypto.New(cfg.Token, cfg.EncodingAESKey, "")
	if err != nil {
		return nil, fmt.Errorf("provider: instruction handler: %w", err)
	}
	h := &InstructionHandler{suite: suite, crypt: c, cfg: *cfg, log: cfg.Logger,
		receivers: map[string]bool{suite.id: true}, dedup: callback.NewMemoryDedup(callback.DefaultDedupEntries)}
	for _, r := range cfg.Receivers {
		h.receivers[r] = true
	}
	if h.cfg.Workers <= 0 {
		h.cfg.Workers = DefaultInstructionWorkers
	}
	if h.cfg.Queue <= 0 {
		h.cfg.Queue = DefaultInstructionQueue
	}
	if h.cfg.HandlerTimeout <= 0 {
		h.cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	h.jobs = make(chan *Instruction, h.cfg.Queue)
	for range h.cfg.Workers {
		h.wg.Add(1)
		go h.work()
	}
	return h, nil
}

// ServeHTTP answers GET (URL verification) and POST (instructions).
func (h *InstructionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := crypto.QueryFrom(r.URL.Query())
	switch r.Method {
	case http.MethodGet:
		msg, err := h.crypt.VerifyURL(q)
		if err != nil {
			h.reject(w, r, http.StatusForbidden, "URL verification failed", err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(msg)
	case http.MethodPost:
		h.serveInstruction(w, r, q)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.reject(w, r, http.StatusMethodNotAllowed, "method not allowed", nil)
	}
}

const maxInstructionBody = 1 << 20

func (h *InstructionHandler) serveInstruction(w http.ResponseWriter, r *http.Request, q crypto.Query) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInstructionBody+1))
	if err != nil || len(body) > maxInstructionBody {
		h.reject(w, r, http.StatusBadRequest, "unreadable or oversized body", err)
		return
	}
	ct, err := crypto.Ciphertext(body)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "malformed envelope", err)
		return
	}
	if err := h.crypt.Verify(q.Signature, q.Timestamp, q.Nonce, string(ct)); err != nil {
		h.reject(w, r, http.StatusForbidden, "signature check failed", err)
		return
	}
	msg, receiver, err := h.crypt.Decrypt(ct)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "decryption failed", err)
		return
	}
	if !h.receivers[receiver] {
		h.reject(w, r, http.StatusForbidden, "receiver id is neither the suite id nor an accepted receiver", crypto.ErrReceiverID)
		return
	}
	in, err := DecodeInstruction(msg)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "malformed instruction", err)
		return
	}
	if in.InfoType == InfoSuiteTicket {
		if err := h.storeTicket(r.Context(), in); err != nil {
			h.warn(r.Context(), "suite ticket not stored; asking WeCom to deliver it again", err, in)
			http.Error(w, "ticket not stored", http.StatusServiceUnavailable)
			return
		}
		writeSuccess(w)
		return
	}
	key := callback.DedupKey(msg)
	fresh, err := h.dedup.Claim(r.Context(), key, 24*time.Hour)
	if err == nil && !fresh {
		writeSuccess(w) // a redelivery of one already queued or handled
		return
	}
	if !h.enqueue(in) {
		_ = h.dedup.Release(r.Context(), key)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	writeSuccess(w)
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("success"))
}

func (h *InstructionHandler) storeTicket(ctx context.Context, in *Instruction) error {
	if in.SuiteID != "" && in.SuiteID != h.suite.id {
		return fmt.Errorf("%w: suite ticket for suite %s, not %s", ErrMalformedInstruction, in.SuiteID, h.suite.id)
	}
	t := Ticket{SuiteID: h.suite.id, Value: in.Get("SuiteTicket"), TimeStamp: in.TimeStamp}
	if t.Value == "" {
		return fmt.Errorf("%w: suite_ticket without SuiteTicket", ErrMalformedInstruction)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), TicketStoreTimeout)
	defer cancel()
	return h.suite.tickets.SetTicket(ctx, &t)
}

func (h *InstructionHandler) enqueue(in *Instruction) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	select {
	case h.jobs <- in:
		return true
	default:
		return false
	}
}

func (h *InstructionHandler) work() {
	defer h.wg.Done()
	for in := range h.jobs {
		ctx, cancel := context.WithTimeout(context.Background(), h.cfg.HandlerTimeout)
		if err := h.handle(ctx, in); err != nil {
			h.warn(ctx, "instruction handling failed", err, in)
		}
		cancel()
	}
}

// handle runs the SDK's part of an instruction and then the app's.
func (h *InstructionHandler) handle(ctx context.Context, in *Instruction) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("provider: %w: %v", errPanicked, p)
		}
	}()
	switch in.InfoType {
	case InfoCreateAuth, InfoResetPermanentCode:
		code := in.Get("AuthCode")
		if code == "" {
			return fmt.Errorf("%w: %s without AuthCode", ErrMalformedInstruction, in.InfoType)
		}
		auth, err := h.suite.PermanentCode(ctx, code)
		if err != nil {
			return fmt.Errorf("provider: %s: exchange the auth code: %w", in.InfoType, err)
		}
		a := &Authorized{Instruction: in, CorpID: auth.AuthCorpInfo.CorpID, Reset: in.InfoType == InfoResetPermanentCode,
			State: in.Get("State"), ExtraInfo: in.Get("ExtraInfo"), Authorization: auth}
		if a.CorpID == "" {
			a.CorpID = in.AuthCorpID
		}
		if a.Reset && h.cfg.Tenants != nil {
			h.cfg.Tenants.Remove(ctx, a.CorpID)
		}
		if h.cfg.OnAuthorized == nil {
			return wecom.InvalidArgument("provider: %s for %s: no OnAuthorized to store the permanent code", in.InfoType, a.CorpID)
		}
		return h.cfg.OnAuthorized(ctx, a)
	case InfoChangeAuth:
		if h.cfg.OnChangeAuth != nil {
			return h.cfg.OnChangeAuth(ctx, &AuthChange{Instruction: in, State: in.Get("State"), ExtraInfo: in.Get("ExtraInfo")})
		}
	case InfoCancelAuth:
		if h.cfg.Tenants != nil {
			h.cfg.Tenants.Remove(ctx, in.AuthCorpID)
		}
		if h.cfg.OnCancelAuth != nil {
			return h.cfg.OnCancelAuth(ctx, &AuthCancel{Instruction: in})
		}
	case InfoChangeContact:
		if h.cfg.OnContactChange != nil {
			return h.cfg.OnContactChange(ctx, newContactChange(in))
		}
	case InfoChangeExternalContact, InfoChangeExternalChat, InfoChangeExternalTag:
		ev, _, err := in.CustomerEvent()
		if err != nil {
			return fmt.Errorf("provider: %s: %w", in.InfoType, err)
		}
		if h.cfg.OnEvent != nil {
			return h.cfg.OnEvent(ctx, in.AuthCorpID, ev)
		}
	default:
		if h.cfg.OnOther != nil {
			return h.cfg.OnOther(ctx, in)
		}
	}
	return nil
}

// Shutdown stops accepting instructions (later ones are answered 503) and
// waits until the queued ones are handled or ctx ends.
//
// WeCom: POST /cgi-bin/service/v2/get_permanent_code (the queued exchanges finish)
func (h *InstructionHandler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.jobs)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *InstructionHandler) reject(w http.ResponseWriter, r *http.Request, status int, reason string, err error) {
	if h.log != nil {
		attrs := []slog.Attr{slog.String("reason", reason), slog.Int("status", status)}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "provider: instruction callback rejected", attrs...)
	}
	http.Error(w, http.StatusText(status), status)
}

func (h *InstructionHandler) warn(ctx context.Context, msg string, err error, in *Instruction) {
	if h.log != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "provider: "+msg, slog.String("info_type", in.InfoType),
			slog.String("auth_corpid", in.AuthCorpID), slog.String("error", err.Error()))
	}
}
