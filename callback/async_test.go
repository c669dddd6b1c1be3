package callback

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// countingQueue counts the acknowledgements per delivery id.
type countingQueue struct {
	*MemoryQueue
	mu   sync.Mutex
	acks map[string]int
}

func (q *countingQueue) Ack(ctx context.Context, d Delivery) error {
	q.mu.Lock()
	q.acks[d.ID]++
	q.mu.Unlock()
	return q.MemoryQueue.Ack(ctx, d)
}

// failQueue refuses every event.
type failQueue struct{ MemoryQueue }

func (*failQueue) Enqueue(context.Context, []byte) error { return errors.New("redis: READONLY") }

// slowQueue's Enqueue outlasts any deadline.
type slowQueue struct{ MemoryQueue }

func (*slowQueue) Enqueue(ctx context.Context, _ []byte) error { <-ctx.Done(); return ctx.Err() }

func eventOf(i int) string {
	return `<xml><ToUserName><![CDATA[ww]]></ToUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
		`<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType>` +
		`<UserID><![CDATA[u` + strconv.Itoa(i) + `]]></UserID><ExternalUserID><![CDATA[wm]]></ExternalUserID></xml>`
}

// The answer depends only on Enqueue: "success" once the event is in the
// queue (before any worker ran), 503 when Enqueue fails or hangs.
func TestAsyncAnswerIsEnqueue(t *testing.T) {
	wc := newWeCom(t, testKey, testCorpID)
	q := NewMemoryQueue(&MemoryQueueOptions{MaxEvents: 2})
	h := newHandler(t, WithQueue(q))
	var handled atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error { handled.Add(1); return nil })
	for i := range 2 {
		rec := serve(h, wc.post(eventOf(i), testNow))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "success", rec.Body.String())
	}
	rec := serve(h, wc.post(eventOf(2), testNow))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "queue full", rec.Body.String())
	assert.Equal(t, 2, q.Len())
	ds, err := q.Receive(context.Background(), "c", 5, 0)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.Equal(t, eventOf(0), string(ds[0].Data), "the decrypted event, as sent")
	assert.Equal(t, 1, ds[0].Attempt)
	assert.Zero(t, handled.Load(), "no worker: nothing handled")

	var logs bytes.Buffer
	for name, tc := range map[string]struct {
		q      Queue
		reason string
	}{
		"failing": {&failQueue{}, "cannot queue the event"},
		"hanging": {&slowQueue{}, "cannot queue the event"},
	} {
		h := newHandler(t, WithQueue(tc.q), WithAnswerDeadline(20*time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		rec := serve(h, wc.post(eventOf(1), testNow))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, name)
		assert.Equal(t, tc.reason, rec.Body.String(), name)
	}
	assert.Contains(t, logs.String(), "READONLY")
	assert.Contains(t, logs.String(), "context deadline exceeded")

	require.NoError(t, h.Shutdown(context.Background()))
	assert.Equal(t, "shutting down", serve(h, wc.post(eventOf(9), testNow)).Body.String())
	assert.Equal(t, 2, q.Len(), "Shutdown leaves a WithQueue queue alone")
}

// 10,000 events through the memory queue, with handlers that fail, panic
// or keep failing, and redeliveries enqueued twice: every event is
// handled successfully exactly once and acknowledged once; the poisoned
// ones are dead letters, and replayed once the handler is fixed.
func TestWorkerTenThousandEvents(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n, dup = 10_000, 200
	wc := newWeCom(t, testKey, testCorpID)
	mq := NewMemoryQueue(&MemoryQueueOptions{MaxEvents: n + dup})
	q := &countingQueue{MemoryQueue: mq, acks: map[string]int{}}
	var logs bytes.Buffer
	h := newHandler(t, WithQueue(q), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))))

	var (
		mu       sync.Mutex
		attempts = map[string]int{}
		handled  = map[string]int{}
		fixed    atomic.Bool
	)
	poisoned := func(u string) bool { i, _ := strconv.Atoi(u[1:]); return i%997 == 0 }
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		mu.Lock()
		attempts[ev.UserID]++
		a := attempts[ev.UserID]
		mu.Unlock()
		i, _ := strconv.Atoi(ev.UserID[1:])
		switch {
		case poisoned(ev.UserID) && !fixed.Load():
			return errors.New("poisoned")
		case i%13 == 0 && a == 1:
			panic("boom")
		case i%7 == 0 && a < 3:
			return errors.New("flaky")
		}
		mu.Lock()
		handled[ev.UserID]++
		mu.Unlock()
		return nil
	})
	for i := range n {
		require.Equal(t, http.StatusOK, serve(h, wc.post(eventOf(i), testNow)).Code)
	}
	for i := range dup { // WeCom redelivered: enqueued twice (u0 too, poisoned)
		require.Equal(t, http.StatusOK, serve(h, wc.post(eventOf(i*37), testNow)).Code)
	}
	w, err := NewWorker(h, q, &WorkerOptions{Concurrency: 8, MaxAttempts: 3, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, ReceiveWait: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	npoison := 1 // u0's second copy
	for i := range n {
		if i%997 == 0 {
			npoison++
		}
	}
	ctx := context.Background()
	require.Eventually(t, func() bool {
		dl, _ := q.DeadLetters(ctx, 0)
		return q.Len() == 0 && len(dl) == npoison
	}, 60*time.Second, 5*time.Millisecond, "queue drained")

	dl, err := q.DeadLetters(ctx, 0)
	require.NoError(t, err)
	require.Len(t, dl, npoison)
	for _, d := range dl {
		assert.Equal(t, 3, d.Attempts)
		assert.Equal(t, "poisoned", d.Reason)
		assert.False(t, d.Failed.IsZero())
		assert.Contains(t, string(d.Data), "del_follow_user")
	}
	first2, _ := q.DeadLetters(ctx, 2)
	assert.Equal(t, dl[:2], first2, "oldest first, up to n")

	// Fixed: replay every dead letter.
	fixed.Store(true)
	for _, d := range dl {
		require.NoError(t, q.Replay(ctx, d.ID))
	}
	assert.ErrorIs(t, q.Replay(ctx, dl[0].ID), ErrUnknownDelivery, "replayed once")
	require.Eventually(t, func() bool { return q.Len() == 0 }, 30*time.Second, 5*time.Millisecond)
	require.NoError(t, w.Shutdown(ctx))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, handled, n, "every event handled")
	for u, c := range handled {
		if c != 1 {
			t.Fatalf("%s handled %d times", u, c)
		}
	}
	// Poisoned and enqueued twice: three failures for one copy, one to
	// three for the other (it may have waited while the first held the
	// key), then one replay handles it and the other is a duplicate.
	assert.GreaterOrEqual(t, attempts["u0"], 3+1+1)
	assert.LessOrEqual(t, attempts["u0"], 3+3+1)
	assert.Equal(t, 3+1, attempts["u997"], "poisoned: three failures, then the replay")
	assert.Equal(t, 2, attempts["u13"], "panicked once")
	assert.Equal(t, 3, attempts["u7"], "failed twice")
	q.mu.Lock()
	assert.Len(t, q.acks, n+dup, "every delivery acknowledged")
	for id, c := range q.acks {
		if c != 1 {
			t.Fatalf("delivery %s acknowledged %d times", id, c)
		}
	}
	q.mu.Unlock()
	l := logs.String()
	assert.Contains(t, l, "handler panicked: boom")
	assert.Contains(t, l, "moved to the dead letters")
	assert.Contains(t, l, "attempt=3")
}

// A worker that took an event and died (never acknowledged it): after the
// visibility timeout another worker gets it, with Attempt 2.
func TestWorkerReclaimsDeadWorkersEvent(t *testing.T) {
	defer goleak.VerifyNone(t)
	q := NewMemoryQueue(&MemoryQueueOptions{Visibility: 30 * time.Millisecond})
	ctx := context.Background()
	require.NoError(t, q.Enqueue(ctx, []byte(eventOf(1))))
	ds, err := q.Receive(ctx, "dead-worker", 1, 0)
	require.NoError(t, err)
	require.Len(t, ds, 1)

	h := newHandler(t)
	got := make(chan int, 1)
	On(h, func(ctx context.Context, ev *DelFollowUser) error { got <- 1; return nil })
	w, err := NewWorker(h, q, &WorkerOptions{Concurrency: 1, ReceiveWait: 5 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	<-got
	require.Eventually(t, func() bool { return q.Len() == 0 }, 5*time.Second, time.Millisecond, "acknowledged")
	require.NoError(t, w.Shutdown(ctx))
	// The dead worker's late Ack or Retry finds nothing.
	assert.NoError(t, q.Ack(ctx, ds[0]))
	assert.ErrorIs(t, q.Retry(ctx, ds[0], 0), ErrUnknownDelivery)
	assert.ErrorIs(t, q.DeadLetter(ctx, ds[0], "x"), ErrUnknownDelivery)
}

func TestMemoryQueueReceive(t *testing.T) {
	defer goleak.VerifyNone(t)
	q := NewMemoryQueue(nil)
	ctx := context.Background()
	ds, err := q.Receive(ctx, "c", 1, time.Millisecond)
	require.NoError(t, err)
	assert.Empty(t, ds, "nothing within wait")

	// A waiting Receive wakes on Enqueue.
	got := make(chan []Delivery)
	go func() { ds, _ := q.Receive(ctx, "c", 10, time.Minute); got <- ds }()
	require.Eventually(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.waiting == 1 }, time.Second, time.Millisecond)
	require.NoError(t, q.Enqueue(ctx, []byte("a")))
	ds = <-got
	require.Len(t, ds, 1)
	assert.Equal(t, "a", string(ds[0].Data))
	assert.False(t, ds[0].Enqueued.IsZero())

	// Retry with a delay: not before it; Attempt counts deliveries.
	require.NoError(t, q.Retry(ctx, ds[0], 20*time.Millisecond))
	again, err := q.Receive(ctx, "c", 1, 0)
	require.NoError(t, err)
	assert.Empty(t, again, "delayed")
	again, err = q.Receive(ctx, "c", 1, time.Minute)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, 2, again[0].Attempt)
	assert.Equal(t, ds[0].ID, again[0].ID)

	// A cancelled Receive returns at once.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = q.Receive(cctx, "c", 1, time.Minute)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, q.Enqueue(cctx, []byte("x")), context.Canceled)

	// Dead letters are bounded.
	small := NewMemoryQueue(&MemoryQueueOptions{MaxDeadLetters: 1})
	for range 2 {
		require.NoError(t, small.Enqueue(ctx, []byte("p")))
	}
	ds, _ = small.Receive(ctx, "c", 2, 0)
	require.Len(t, ds, 2)
	require.NoError(t, small.DeadLetter(ctx, ds[0], "r"))
	assert.ErrorIs(t, small.DeadLetter(ctx, ds[1], "r"), ErrQueueFull)
}

// Shutdown of an idle worker leaves no goroutine; of a busy one it returns
// when ctx ends, says how many deliveries were not acknowledged, and the
// event stays in the queue.
func TestWorkerShutdown(t *testing.T) {
	defer goleak.VerifyNone(t)
	q := NewMemoryQueue(nil)
	h := newHandler(t)
	w, err := NewWorker(h, q, &WorkerOptions{Concurrency: 3, ReceiveWait: time.Hour})
	require.NoError(t, err)
	assert.NotEmpty(t, w.Consumer())
	require.NoError(t, w.Start())
	assert.Error(t, w.Start(), "twice")
	require.NoError(t, w.Shutdown(context.Background()), "Receive waiting an hour is interrupted")
	require.NoError(t, w.Shutdown(context.Background()), "twice")

	gate := make(chan struct{})
	ctxDone := make(chan struct{})
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		select {
		case <-gate:
		case <-ctx.Done():
			close(ctxDone)
			<-gate
		}
		return ctx.Err()
	})
	require.NoError(t, q.Enqueue(context.Background(), []byte(eventOf(1))))
	w, err = NewWorker(h, q, &WorkerOptions{Concurrency: 1, ReceiveWait: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	require.Eventually(t, func() bool { return w.busy.Load() == 1 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err = w.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 events still being handled were not acknowledged")
	<-ctxDone // the handler's context was cancelled
	assert.Equal(t, 1, q.Len(), "still in the queue")
	close(gate)
	require.NoError(t, w.Shutdown(context.Background()))
	assert.Equal(t, 1, q.Len(), "failed (cancelled), retried later: still there")

	idle, err := NewWorker(h, q, nil)
	require.NoError(t, err)
	require.NoError(t, idle.Shutdown(context.Background()), "never started")
	assert.Error(t, idle.Start(), "shut down")
}

func TestNewWorkerErrors(t *testing.T) {
	h := newHandler(t)
	_, err := NewWorker(nil, NewMemoryQueue(nil), nil)
	assert.Error(t, err)
	_, err = NewWorker(h, nil, nil)
	assert.Error(t, err)
	_, err = NewWorker(h, NewMemoryQueue(nil), &WorkerOptions{MaxAttempts: -1})
	assert.Error(t, err)
}

func TestWorkerBackoff(t *testing.T) {
	w, err := NewWorker(newHandler(t), NewMemoryQueue(nil), &WorkerOptions{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	require.NoError(t, err)
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 50 {
			d := w.backoff(attempt)
			require.GreaterOrEqual(t, d, want/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, want, "attempt %d", attempt)
		}
	}
}

// A delivery that does not decode is moved aside at once; one whose key
// another worker holds is retried without counting towards MaxAttempts.
func TestWorkerMalformedAndInProgress(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	q := NewMemoryQueue(nil)
	store := NewMemoryDedup(10)
	h := newHandler(t, WithDedup(store, time.Hour))
	var handled atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error { handled.Add(1); return nil })
	require.NoError(t, q.Enqueue(ctx, []byte("<xml><Event>")))
	data := []byte(eventOf(5))
	_, err := store.Claim(ctx, DedupKey(data), "another-worker", time.Hour)
	require.NoError(t, err)
	require.NoError(t, q.Enqueue(ctx, data))

	w, err := NewWorker(h, q, &WorkerOptions{Concurrency: 1, MaxAttempts: 1, Backoff: time.Millisecond, MaxBackoff: time.Millisecond, ReceiveWait: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	require.Eventually(t, func() bool { dl, _ := q.DeadLetters(ctx, 0); return len(dl) == 1 }, 5*time.Second, time.Millisecond)
	dl, _ := q.DeadLetters(ctx, 0)
	assert.True(t, strings.HasPrefix(dl[0].Reason, "cannot decode"), dl[0].Reason)
	assert.Equal(t, 1, dl[0].Attempts)

	// The other holder finishes: the retried copy is acknowledged, not
	// handled, and never dead-lettered although MaxAttempts is 1.
	require.Eventually(t, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		for _, it := range q.items {
			return it.deliveries >= 3
		}
		return false
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, store.Done(ctx, DedupKey(data), "another-worker", time.Hour))
	require.Eventually(t, func() bool { return q.Len() == 0 }, 5*time.Second, time.Millisecond)
	require.NoError(t, w.Shutdown(ctx))
	assert.Zero(t, handled.Load())
	dl, _ = q.DeadLetters(ctx, 0)
	assert.Len(t, dl, 1)
}

// WithAsync: Shutdown drains the memory queue; if ctx ends first the
// error names the events lost with the process.
func TestWithAsyncShutdown(t *testing.T) {
	defer goleak.VerifyNone(t)
	wc := newWeCom(t, testKey, testCorpID)
	h := newHandler(t, WithAsync(2, 10))
	gate := make(chan struct{})
	var handled atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error { <-gate; handled.Add(1); return nil })
	for i := range 5 {
		assert.Equal(t, http.StatusOK, serve(h, wc.post(eventOf(i), testNow)).Code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := h.Shutdown(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "5 events still in the memory queue are lost when the process exits")
	assert.Contains(t, err.Error(), "2 events still being handled were not acknowledged")
	assert.Equal(t, "shutting down", serve(h, wc.post(eventOf(9), testNow)).Body.String())
	close(gate)
	require.Eventually(t, func() bool { return handled.Load() == 2 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return h.workers.busy.Load() == 0 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return h.memq.Len() == 3 }, 5*time.Second, time.Millisecond, "the two taken were acknowledged")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	err = h.Shutdown(ctx2)
	require.Error(t, err, "the workers stopped: the rest stays")
	assert.Contains(t, err.Error(), "3 events still in the memory queue")
	assert.Equal(t, int32(2), handled.Load())

	// Without a deadline trouble, Shutdown drains everything.
	h = newHandler(t, WithAsync(2, 10))
	On(h, func(ctx context.Context, ev *DelFollowUser) error { handled.Add(1); return nil })
	for i := range 5 {
		assert.Equal(t, http.StatusOK, serve(h, wc.post(eventOf(i), testNow)).Code)
	}
	require.NoError(t, h.Shutdown(context.Background()))
	assert.Equal(t, int32(7), handled.Load())
	assert.Zero(t, h.memq.Len())
}
