package callback

import (
	"container/heap"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Defaults of a MemoryQueue.
const (
	DefaultMemoryQueueEvents = 10_000
	DefaultMaxDeadLetters    = 10_000
	// DefaultVisibilityTimeout is how long a received event stays with
	// its worker before it is delivered again; it is longer than
	// DefaultWorkerHandlerTimeout plus the dedup lease margin.
	DefaultVisibilityTimeout = 2 * time.Minute
)

var (
	// ErrQueueFull: a MemoryQueue holds its maximum of events (or dead
	// letters). The Handler answers 503, so WeCom delivers the event again.
	ErrQueueFull = errors.New("callback: queue full")
	// ErrUnknownDelivery: the queue does not hold the event any more (it
	// was acknowledged or moved aside by another holder).
	ErrUnknownDelivery = errors.New("callback: unknown delivery")
)

// MemoryQueueOptions configures NewMemoryQueue; the zero value (or nil)
// takes the defaults.
type MemoryQueueOptions struct {
	// MaxEvents bounds the events held: waiting, delayed for a retry and
	// being handled (DefaultMemoryQueueEvents). Enqueue fails with
	// ErrQueueFull beyond it.
	MaxEvents int
	// MaxDeadLetters bounds the dead letters kept (DefaultMaxDeadLetters);
	// DeadLetter fails with ErrQueueFull beyond it.
	MaxDeadLetters int
	// Visibility is how long a received, unacknowledged event stays with
	// its worker before it is delivered again (DefaultVisibilityTimeout).
	Visibility time.Duration
}

// MemoryQueue is the in-process Queue, the default of async mode. It is
// not durable: the events it holds (waiting, being handled, waiting for a
// retry, dead letters) exist only in this process and are lost when it
// exits or crashes, after WeCom was told "success". Use a durable Queue
// (contrib/redis) where losing events on a crash is not acceptable.
//
// It is safe for concurrent use. Delivery.Data is shared with the queue:
// do not modify it.
type MemoryQueue struct {
	mu      sync.Mutex
	max     int
	maxDead int
	vis     time.Duration
	seq     uint64
	items   map[string]*qitem // every event held
	ready   []readyEntry      // FIFO from head
	head    int
	timed   timedHeap // delayed retries and visibility deadlines
	dead    []deadItem
	waiting int           // goroutines waiting on wake
	wake    chan struct{} // closed (and replaced) when something changed
}

type qitem struct {
	id         string
	data       []byte
	deliveries int
	enqueued   time.Time
	gen        uint64 // bumped on every move; stale timed entries are skipped
}

type deadItem struct {
	DeadLetter
	enqueued time.Time
}

type readyEntry struct {
	it  *qitem
	gen uint64
}

type timedEntry struct {
	due time.Time
	it  *qitem
	gen uint64
}

type timedHeap []timedEntry

func (h timedHeap) Len() int           { return len(h) }
func (h timedHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h timedHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timedHeap) Push(x any)        { *h = append(*h, x.(timedEntry)) }
func (h *timedHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// NewMemoryQueue returns an empty in-process queue.
func NewMemoryQueue(opts *MemoryQueueOptions) *MemoryQueue {
	var o MemoryQueueOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = DefaultMemoryQueueEvents
	}
	if o.MaxDeadLetters <= 0 {
		o.MaxDeadLetters = DefaultMaxDeadLetters
	}
	if o.Visibility <= 0 {
		o.Visibility = DefaultVisibilityTimeout
	}
	return &MemoryQueue{max: o.MaxEvents, maxDead: o.MaxDeadLetters, vis: o.Visibility,
		items: map[string]*qitem{}, wake: make(chan struct{})}
}

// Enqueue implements Queue. It keeps data: do not modify it afterwards.
func (q *MemoryQueue) Enqueue(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.max {
		return ErrQueueFull
	}
	q.seq++
	it := &qitem{id: strconv.FormatUint(q.seq, 10), data: data, enqueued: time.Now()}
	q.items[it.id] = it
	q.ready = append(q.ready, readyEntry{it, it.gen})
	q.broadcast()
	return nil
}

// Receive implements Queue. consumer is not used: one process holds the
// queue.
func (q *MemoryQueue) Receive(ctx context.Context, _ string, n int, wait time.Duration) ([]Delivery, error) {
	if n <= 0 {
		n = 1
	}
	deadline := time.Now().Add(wait)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		q.mu.Lock()
		now := time.Now()
		q.promote(now)
		if ds := q.take(now, n); len(ds) > 0 {
			q.mu.Unlock()
			return ds, nil
		}
		sleep := deadline.Sub(now)
		if len(q.timed) > 0 {
			sleep = min(sleep, q.timed[0].due.Sub(now))
		}
		if deadline.Sub(now) <= 0 {
			q.mu.Unlock()
			return nil, nil
		}
		wake := q.wake
		q.waiting++
		q.mu.Unlock()

		if timer == nil {
			timer = time.NewTimer(max(sleep, 0))
		} else {
			timer.Reset(max(sleep, 0))
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-timer.C:
		}
		q.mu.Lock()
		q.waiting--
		q.mu.Unlock()
	}
}

// promote moves the delayed events that are due, and the received ones
// whose visibility ran out, back to ready.
func (q *MemoryQueue) promote(now time.Time) {
	for len(q.timed) > 0 && !now.Before(q.timed[0].due) {
		e := heap.Pop(&q.timed).(timedEntry)
		if q.items[e.it.id] != e.it || e.it.gen != e.gen {
			continue // acknowledged or moved since
		}
		e.it.gen++
		q.ready = append(q.ready, readyEntry{e.it, e.it.gen})
	}
}

// take hands out up to n ready events.
func (q *MemoryQueue) take(now time.Time, n int) []Delivery {
	var ds []Delivery
	for len(ds) < n && q.head < len(q.ready) {
		e := q.ready[q.head]
		q.ready[q.head] = readyEntry{}
		q.head++
		it := e.it
		if q.items[it.id] != it || it.gen != e.gen {
			continue // acknowledged or moved since
		}
		it.deliveries++
		it.gen++
		heap.Push(&q.timed, timedEntry{due: now.Add(q.vis), it: it, gen: it.gen})
		ds = append(ds, Delivery{ID: it.id, Data: it.data, Attempt: it.deliveries, Enqueued: it.enqueued})
	}
	if q.head > 64 && q.head*2 > len(q.ready) {
		q.ready = append(q.ready[:0:0], q.ready[q.head:]...)
		q.head = 0
	}
	return ds
}

func (q *MemoryQueue) broadcast() {
	if q.waiting > 0 {
		close(q.wake)
		q.wake = make(chan struct{})
	}
}

// Ack implements Queue. Acknowledging an event the queue no longer holds
// is not an error.
func (q *MemoryQueue) Ack(_ context.Context, d Delivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.items[d.ID]; ok {
		delete(q.items, d.ID)
		q.broadcast()
	}
	return nil
}

// Retry implements Queue.
func (q *MemoryQueue) Retry(_ context.Context, d Delivery, delay time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[d.ID]
	if !ok {
		return ErrUnknownDelivery
	}
	it.gen++
	heap.Push(&q.timed, timedEntry{due: time.Now().Add(delay), it: it, gen: it.gen})
	q.broadcast()
	return nil
}

// DeadLetter implements Queue.
func (q *MemoryQueue) DeadLetter(_ context.Context, d Delivery, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[d.ID]
	if !ok {
		return ErrUnknownDelivery
	}
	if len(q.dead) >= q.maxDead {
		return ErrQueueFull
	}
	delete(q.items, d.ID)
	q.dead = append(q.dead, deadItem{DeadLetter{ID: it.id, Data: it.data, Attempts: it.deliveries, Reason: reason, Failed: time.Now()}, it.enqueued})
	q.broadcast()
	return nil
}

// DeadLetters implements Queue; n <= 0 lists them all.
func (q *MemoryQueue) DeadLetters(_ context.Context, n int) ([]DeadLetter, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n <= 0 || n > len(q.dead) {
		n = len(q.dead)
	}
	out := make([]DeadLetter, n)
	for i := range out {
		out[i] = q.dead[i].DeadLetter
	}
	return out, nil
}

// Replay implements Queue: the event is delivered again with Attempt 1.
func (q *MemoryQueue) Replay(_ context.Context, id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, d := range q.dead {
		if d.ID != id {
			continue
		}
		if len(q.items) >= q.max {
			return ErrQueueFull
		}
		q.dead = append(q.dead[:i], q.dead[i+1:]...)
		it := &qitem{id: d.ID, data: d.Data, enqueued: d.enqueued}
		q.items[it.id] = it
		q.ready = append(q.ready, readyEntry{it, it.gen})
		q.broadcast()
		return nil
	}
	return ErrUnknownDelivery
}

// Len returns the number of events held (waiting, being handled or
// delayed for a retry), not counting dead letters.
func (q *MemoryQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// WaitEmpty waits until the queue holds no event (its workers handled
// everything, dead letters aside), or ctx ends. Use it to drain the queue
// before a shutdown.
func (q *MemoryQueue) WaitEmpty(ctx context.Context) error {
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.mu.Unlock()
			return nil
		}
		wake := q.wake
		q.waiting++
		q.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-wake:
		}
		q.mu.Lock()
		q.waiting--
		q.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
