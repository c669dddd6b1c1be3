package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// Defaults of an InstructionHandler.
const (
	// DefaultInstructionWorkers run the app's callbacks.
	DefaultInstructionWorkers = 4
	// DefaultInstructionAnswerDeadline is when an instruction is answered
	// whatever the app does: WeCom waits 1000 ms, less a margin for the
	// network.
	DefaultInstructionAnswerDeadline = 800 * time.Millisecond
	// TicketStoreTimeout bounds storing a pushed suite ticket.
	TicketStoreTimeout = 500 * time.Millisecond
	// DefaultHandlerTimeout bounds one run of an app callback.
	DefaultHandlerTimeout = 5 * time.Minute
	// exchangeMemory is how long an exchanged auth code's answer is kept
	// for a retry of the app's callback: the auth code's own life.
	exchangeMemory = 10 * time.Minute
)

// InstructionConfig configures NewInstructionHandler. Token and
// EncodingAESKey are the suite's callback credentials (the instruction
// URL's). Every On... field is optional.
type InstructionConfig struct {
	Token          string
	EncodingAESKey string
	// Receivers are accepted as the receiver id besides the suite id: WeCom
	// has been seen to seal instruction callbacks for the provider's own
	// corpid.
	Receivers []string
	// Tenants, when set, loses a corp's client on cancel_auth and
	// reset_permanent_code.
	Tenants *Tenants

	// OnAuthorized receives each new permanent code (create_auth after
	// the SDK exchanged its AuthCode; reset_permanent_code). Store it: the
	// SDK does not, and the auth code cannot be exchanged twice (a retry
	// after a failed OnAuthorized reuses the exchange's answer, in this
	// process, for 10 minutes).
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

	// Queue makes the handler durable: each verified instruction is
	// appended to it before WeCom is answered, and a callback.Worker
	// started by the handler (Workers at once) takes it, retrying
	// failures; other instances may run Workers on the same queue
	// (callback.NewWorker(h.Callback(), q, nil)). contrib/redis has one.
	// nil: an in-memory queue of MemoryQueueEvents, lost on exit.
	Queue callback.Queue
	// MemoryQueueEvents bounds the in-memory queue (default
	// callback.DefaultMemoryQueueEvents).
	MemoryQueueEvents int
	// Workers is how many instructions are handled at once (default
	// DefaultInstructionWorkers).
	Workers int
	// Dedup recognises redeliveries across instances (default: in memory).
	Dedup callback.DedupStore
	// AnswerDeadline is when an instruction is answered at the latest
	// (default DefaultInstructionAnswerDeadline).
	AnswerDeadline time.Duration
	// HandlerTimeout bounds one callback (default DefaultHandlerTimeout).
	HandlerTimeout time.Duration
	// Clock is the clock of the timestamp check (default time.Now); tests
	// on a wecomtest provider's manual clock pass its Now.
	Clock func() time.Time
	// Logger receives failures. Tickets, codes and secrets are never
	// logged. nil discards.
	Logger *slog.Logger
}

// InstructionHandler is the http.Handler of a suite's instruction URL
// (指令回调URL), built on package callback's Handler: it verifies and
// decrypts each callback (receiver: the suite id, or one of Receivers),
// appends it to a queue and answers "success" within the answer deadline
// (WeCom wants an answer within 1000 ms) whatever the app's code does.
// Workers then store suite tickets into the suite's TicketStore, exchange
// create_auth and reset_permanent_code for the permanent code
// (Suite.PermanentCode), drop cancelled tenants from the pool and call the
// app, retrying what fails. Redeliveries are recognised and acknowledged.
type InstructionHandler struct {
	suite  *Suite
	cfg    InstructionConfig
	log    *slog.Logger
	cb     *callback.Handler
	worker *callback.Worker // on cfg.Queue; nil with the memory queue

	exMu      sync.Mutex
	exchanged map[string]exchange // auth code → its exchange, for retries
}

type exchange struct {
	auth *Authorization
	at   time.Time
}

// NewInstructionHandler returns the instruction handler of suite.
func NewInstructionHandler(suite *Suite, cfg *InstructionConfig) (*InstructionHandler, error) {
	if suite == nil || cfg == nil {
		return nil, wecom.InvalidArgument("provider: instruction handler: a Suite and an InstructionConfig are required")
	}
	h := &InstructionHandler{suite: suite, cfg: *cfg, log: cfg.Logger, exchanged: map[string]exchange{}}
	if h.cfg.Workers <= 0 {
		h.cfg.Workers = DefaultInstructionWorkers
	}
	if h.cfg.HandlerTimeout <= 0 {
		h.cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if h.cfg.AnswerDeadline <= 0 {
		h.cfg.AnswerDeadline = DefaultInstructionAnswerDeadline
	}
	opts := []callback.Option{
		callback.WithAnswerDeadline(h.cfg.AnswerDeadline),
		callback.WithHandlerTimeout(h.cfg.HandlerTimeout),
	}
	if len(cfg.Receivers) > 0 {
		opts = append(opts, callback.WithReceivers(cfg.Receivers...))
	}
	if cfg.Logger != nil {
		opts = append(opts, callback.WithLogger(cfg.Logger))
	}
	if cfg.Clock != nil {
		opts = append(opts, callback.WithClock(cfg.Clock))
	}
	if cfg.Dedup != nil {
		opts = append(opts, callback.WithDedup(cfg.Dedup, callback.DefaultDedupTTL))
	}
	if cfg.Queue != nil {
		opts = append(opts, callback.WithQueue(cfg.Queue))
	} else {
		opts = append(opts, callback.WithAsync(h.cfg.Workers, cfg.MemoryQueueEvents))
	}
	cb, err := callback.New(cfg.Token, cfg.EncodingAESKey, suite.id, opts...)
	if err != nil {
		return nil, fmt.Errorf("provider: instruction handler: %w", err)
	}
	cb.OnOther(h.dispatch)
	h.cb = cb
	if cfg.Queue != nil {
		w, err := callback.NewWorker(cb, cfg.Queue, &callback.WorkerOptions{Concurrency: h.cfg.Workers, HandlerTimeout: h.cfg.HandlerTimeout})
		if err != nil {
			return nil, fmt.Errorf("provider: instruction handler: %w", err)
		}
		if err := w.Start(); err != nil {
			return nil, fmt.Errorf("provider: instruction handler: %w", err)
		}
		h.worker = w
	}
	return h, nil
}

// Callback returns the callback.Handler underneath, for running more
// Workers on the Queue (callback.NewWorker).
func (h *InstructionHandler) Callback() *callback.Handler { return h.cb }

// ServeHTTP answers GET (URL verification) and POST (instructions).
func (h *InstructionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.cb.ServeHTTP(w, r)
}

// dispatch receives every event of the callback handler: instructions
// (no Event element, so callback's *UnknownEvent) and, should the
// instruction URL get any, events of the self-built shape.
func (h *InstructionHandler) dispatch(ctx context.Context, ev callback.Event) error {
	u, ok := ev.(*callback.UnknownEvent)
	if !ok || u.Event != "" {
		if h.cfg.OnEvent != nil {
			return h.cfg.OnEvent(ctx, ev.EventHeader().ToUserName, ev)
		}
		return nil
	}
	in, err := instructionOf(u)
	if err != nil {
		return err
	}
	return h.handle(ctx, in)
}

func (h *InstructionHandler) storeTicket(ctx context.Context, in *Instruction) error {
	if in.SuiteID != "" && in.SuiteID != h.suite.id {
		return fmt.Errorf("%w: suite ticket for suite %s, not %s", ErrMalformedInstruction, in.SuiteID, h.suite.id)
	}
	t := Ticket{SuiteID: h.suite.id, Value: in.Get("SuiteTicket"), TimeStamp: in.TimeStamp}
	if t.Value == "" {
		return fmt.Errorf("%w: suite_ticket without SuiteTicket", ErrMalformedInstruction)
	}
	ctx, cancel := context.WithTimeout(ctx, TicketStoreTimeout)
	defer cancel()
	return h.suite.tickets.SetTicket(ctx, &t)
}

// exchange returns the answer of PermanentCode for code: the one this
// process already got, when the app's callback is being retried.
func (h *InstructionHandler) exchange(ctx context.Context, code string) (*Authorization, error) {
	h.exMu.Lock()
	now := time.Now()
	for c, e := range h.exchanged {
		if now.Sub(e.at) > exchangeMemory {
			delete(h.exchanged, c)
		}
	}
	e, ok := h.exchanged[code]
	h.exMu.Unlock()
	if ok {
		return e.auth, nil
	}
	auth, err := h.suite.PermanentCode(ctx, code)
	if err != nil {
		return nil, err
	}
	h.exMu.Lock()
	h.exchanged[code] = exchange{auth: auth, at: now}
	h.exMu.Unlock()
	return auth, nil
}

func (h *InstructionHandler) forget(code string) {
	h.exMu.Lock()
	delete(h.exchanged, code)
	h.exMu.Unlock()
}

// handle runs the SDK's part of an instruction and then the app's.
func (h *InstructionHandler) handle(ctx context.Context, in *Instruction) error {
	switch in.InfoType {
	case InfoSuiteTicket:
		return h.storeTicket(ctx, in)
	case InfoCreateAuth, InfoResetPermanentCode:
		code := in.Get("AuthCode")
		if code == "" {
			return fmt.Errorf("%w: %s without AuthCode", ErrMalformedInstruction, in.InfoType)
		}
		auth, err := h.exchange(ctx, code)
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
		if err := h.cfg.OnAuthorized(ctx, a); err != nil {
			return err
		}
		h.forget(code)
		return nil
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

// Shutdown stops accepting instructions (later ones are answered 503)
// and waits until ctx ends for the queued ones to be handled (the memory
// queue) or for the handler's Worker to stop (a Queue keeps the rest).
//
// WeCom: POST /cgi-bin/service/v2/get_permanent_code (the queued exchanges finish)
func (h *InstructionHandler) Shutdown(ctx context.Context) error {
	err := h.cb.Shutdown(ctx)
	if h.worker != nil {
		err = errors.Join(err, h.worker.Shutdown(ctx))
	}
	return err
}

func (h *InstructionHandler) warn(ctx context.Context, msg string, err error, in *Instruction) {
	if h.log != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "provider: "+msg, slog.String("info_type", in.InfoType),
			slog.String("auth_corpid", in.AuthCorpID), slog.String("error", err.Error()))
	}
}
