package callback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Worker.
const (
	DefaultWorkerConcurrency = 4
	// DefaultMaxAttempts: an event whose handler failed this many times is
	// moved aside as a dead letter.
	DefaultMaxAttempts = 8
	// DefaultRetryBackoff is the delay before the first retry; each next
	// one doubles, up to DefaultMaxRetryBackoff, with jitter.
	DefaultRetryBackoff    = time.Second
	DefaultMaxRetryBackoff = 5 * time.Minute
	// DefaultWorkerHandlerTimeout is the deadline of one handler call in
	// a Worker; its dedup lease is this plus DefaultLeaseMargin.
	DefaultWorkerHandlerTimeout = time.Minute
	// DefaultReceiveWait is how long one Receive waits for events.
	DefaultReceiveWait = time.Second
	// DefaultQueueTimeout bounds each Ack, Retry and DeadLetter call.
	DefaultQueueTimeout = 2 * time.Second
)

// WorkerOptions configures NewWorker; the zero value (or nil) takes the
// defaults.
type WorkerOptions struct {
	// Consumer names this worker to the queue, unique per process
	// (default: host name, pid and a random suffix).
	Consumer string
	// Concurrency is the number of events handled at once
	// (DefaultWorkerConcurrency).
	Concurrency int
	// MaxAttempts: after this many failed deliveries an event is moved
	// aside with Queue.DeadLetter (DefaultMaxAttempts).
	MaxAttempts int
	// Backoff and MaxBackoff shape the retry delay: Backoff doubled per
	// attempt up to MaxBackoff, half of it random (DefaultRetryBackoff,
	// DefaultMaxRetryBackoff).
	Backoff, MaxBackoff time.Duration
	// HandlerTimeout is the deadline of each handler call
	// (DefaultWorkerHandlerTimeout). Keep it below the queue's visibility
	// timeout.
	HandlerTimeout time.Duration
	// ReceiveWait is how long one Receive call waits (DefaultReceiveWait).
	ReceiveWait time.Duration
	// QueueTimeout bounds each Ack, Retry and DeadLetter call
	// (DefaultQueueTimeout).
	QueueTimeout time.Duration
}

// Worker takes events from a Queue and runs the handlers registered on a
// Handler (On, OnOther). Run one or more in any process that shares the
// queue: a worker-only process builds a Handler with the same settings
// and registrations and never serves it.
//
// For each delivery it claims the event's dedup key in the Handler's
// DedupStore (an event WeCom redelivered and the Handler enqueued twice is
// handled once), runs the handler with HandlerTimeout, and then:
//   - success: marks the key done and acknowledges the delivery;
//   - an error or a panic: releases the key and retries the delivery
//     after an exponential backoff with jitter, or after MaxAttempts moves
//     it aside as a dead letter (Queue.DeadLetters lists it, Queue.Replay
//     puts it back);
//   - the key done already: acknowledges without handling;
//   - the key leased by another holder: retries later, without counting
//     towards MaxAttempts.
//
// A delivery that cannot be decoded is moved aside at once. A worker that
// dies holding deliveries loses nothing of a durable queue: the queue
// delivers them again after its visibility timeout.
type Worker struct {
	h    *Handler
	q    Queue
	opt  WorkerOptions
	log  *slog.Logger
	busy atomic.Int64

	mu       sync.Mutex
	started  bool
	stopped  bool
	stop     context.CancelFunc // ends the receive loops
	abandon  context.CancelFunc // ends the handler contexts
	handlers context.Context
	wg       sync.WaitGroup
}

// NewWorker returns a Worker taking events from q for the handlers of h.
// Call Start to run it and Shutdown to stop it.
func NewWorker(h *Handler, q Queue, opts *WorkerOptions) (*Worker, error) {
	if h == nil || q == nil {
		return nil, errors.New("callback: NewWorker: nil Handler or Queue")
	}
	var o WorkerOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency < 0 || o.MaxAttempts < 0 || o.Backoff < 0 || o.MaxBackoff < 0 || o.HandlerTimeout < 0 || o.ReceiveWait < 0 || o.QueueTimeout < 0 {
		return nil, errors.New("callback: NewWorker: negative option")
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultWorkerConcurrency
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	def(&o.Backoff, DefaultRetryBackoff)
	def(&o.MaxBackoff, DefaultMaxRetryBackoff)
	def(&o.HandlerTimeout, DefaultWorkerHandlerTimeout)
	def(&o.ReceiveWait, DefaultReceiveWait)
	def(&o.QueueTimeout, DefaultQueueTimeout)
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = o.Backoff
	}
	if o.Consumer == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.Consumer = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	return &Worker{h: h, q: q, opt: o, log: h.log}, nil
}

// Consumer returns the name the worker receives under.
func (w *Worker) Consumer() string { return w.opt.Consumer }

// Start runs the worker's goroutines. It fails if the worker was started
// or shut down before.
func (w *Worker) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.stopped {
		return errors.New("callback: Worker.Start: already started or shut down")
	}
	w.started = true
	recv, stop := context.WithCancel(context.Background())
	hctx, abandon := context.WithCancel(context.Background())
	w.stop, w.abandon, w.handlers = stop, abandon, hctx
	w.wg.Add(w.opt.Concurrency)
	for range w.opt.Concurrency {
		go w.run(recv)
	}
	return nil
}

// Shutdown stops taking events and waits for the handlers running to
// finish, or for ctx to end. Then the deliveries still being handled are
// not acknowledged: their handlers' contexts are cancelled, and the
// queue delivers them again after its visibility timeout (for a
// MemoryQueue, only while this process lives). The error then names how
// many. Events waiting in the queue stay there. It is safe to call more
// than once.
func (w *Worker) Shutdown(ctx context.Context) error {
	w.mu.Lock()
	w.stopped = true
	started := w.started
	if started {
		w.stop()
	}
	w.mu.Unlock()
	if !started {
		return nil
	}
	done := make(chan struct{})
	go func() {
		w.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		w.abandon()
		return nil
	case <-ctx.Done():
		w.abandon()
		return fmt.Errorf("callback: worker shutdown: %d events still being handled were not acknowledged: %w", w.busy.Load(), ctx.Err())
	}
}

func (w *Worker) run(ctx context.Context) {
	defer w.wg.Done()
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		ds, err := w.q.Receive(ctx, w.opt.Consumer, 1, w.opt.ReceiveWait)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.logf(ctx, slog.LevelWarn, "wecom callback: queue receive failed", nil, 0, err)
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			pause = min(2*pause, 5*time.Second)
			continue
		}
		pause = 100 * time.Millisecond
		for _, d := range ds {
			w.handle(d)
		}
	}
}

// handle runs one delivery to its end: acknowledged, retried or moved
// aside. The deliveries received are handled even during Shutdown.
func (w *Worker) handle(d Delivery) {
	w.busy.Add(1)
	defer w.busy.Add(-1)
	h := w.h
	ev, err := decodeEvent(string(d.Data))
	if err != nil {
		w.deadLetter(d, nil, "cannot decode: "+err.Error())
		return
	}
	var key, owner string
	held := false
	if h.dedup != nil {
		key, owner = DedupKey(d.Data), h.newOwner()
		st, err := h.claim(key, owner, w.opt.HandlerTimeout+DefaultLeaseMargin)
		switch {
		case err != nil:
			w.logf(w.handlers, slog.LevelWarn, "wecom callback: dedup store failed; handling the event anyway", ev, d.Attempt, err)
		case st == ClaimDone:
			w.logf(w.handlers, slog.LevelDebug, "wecom callback: duplicate event acknowledged", ev, d.Attempt, nil)
			w.ack(d, ev)
			return
		case st == ClaimInProgress:
			// Another worker holds the event: come back after its lease
			// could have run out or turned to done.
			w.retry(d, ev, w.backoff(d.Attempt))
			return
		default:
			held = true
		}
	}
	hctx, cancel := context.WithTimeout(w.handlers, w.opt.HandlerTimeout)
	err = h.dispatch(hctx, ev)
	cancel()
	if err == nil {
		if held {
			h.done(key, owner, ev)
		}
		w.ack(d, ev)
		return
	}
	if held {
		h.release(key, owner, ev)
	}
	w.logf(w.handlers, slog.LevelError, "wecom callback: async handler failed", ev, d.Attempt, err)
	if d.Attempt >= w.opt.MaxAttempts {
		w.deadLetter(d, ev, err.Error())
		return
	}
	w.retry(d, ev, w.backoff(d.Attempt))
}

// backoff is the delay after the attempt-th delivery: Backoff doubled per
// attempt, capped, the upper half random.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.opt.Backoff
	for i := 1; i < attempt && d < w.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.opt.MaxBackoff)
	return d/2 + mrand.N(d/2+1)
}

func (w *Worker) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), w.opt.QueueTimeout)
}

func (w *Worker) ack(d Delivery, ev Event) {
	ctx, cancel := w.opCtx()
	defer cancel()
	if err := w.q.Ack(ctx, d); err != nil {
		w.logf(ctx, slog.LevelWarn, "wecom callback: queue ack failed; the event comes back and is recognised as done", ev, d.Attempt, err)
	}
}

func (w *Worker) retry(d Delivery, ev Event, delay time.Duration) {
	ctx, cancel := w.opCtx()
	defer cancel()
	if err := w.q.Retry(ctx, d, delay); err != nil {
		w.logf(ctx, slog.LevelWarn, "wecom callback: queue retry failed; the event comes back after the visibility timeout", ev, d.Attempt, err)
	}
}

func (w *Worker) deadLetter(d Delivery, ev Event, reason string) {
	ctx, cancel := w.opCtx()
	defer cancel()
	if err := w.q.DeadLetter(ctx, d, reason); err != nil {
		w.logf(ctx, slog.LevelError, "wecom callback: dead-letter failed; retrying the event later", ev, d.Attempt, err)
		w.retry(d, ev, w.opt.MaxBackoff)
		return
	}
	w.logf(ctx, slog.LevelError, "wecom callback: event moved to the dead letters", ev, d.Attempt, errors.New(reason))
}

func (w *Worker) logf(ctx context.Context, level slog.Level, msg string, ev Event, attempt int, err error) {
	if w.log == nil || !w.log.Enabled(ctx, level) {
		return
	}
	w.h.logEvent(ctx, level, msg, ev, err, slog.Int("attempt", attempt), slog.String("consumer", w.opt.Consumer))
}
