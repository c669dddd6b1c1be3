package wecomtest

import "sync"

// deliveryQueue is one goroutine that delivers queued items in order and
// keeps the outcome of each: the callbacks of a Server and the instruction
// callbacks of a Provider both go through one.
type deliveryQueue[T, D any] struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []T
	done    []D
	busy    bool // an item is being delivered
	closed  bool
	started bool
	wg      sync.WaitGroup
	deliver func(T) D
}

func newDeliveryQueue[T, D any](deliver func(T) D) *deliveryQueue[T, D] {
	q := &deliveryQueue[T, D]{deliver: deliver}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// start starts the delivering goroutine, once, unless the queue is closed.
func (q *deliveryQueue[T, D]) start() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.started && !q.closed {
		q.started = true
		q.wg.Add(1)
		go q.run()
	}
}

func (q *deliveryQueue[T, D]) push(v T) {
	q.mu.Lock()
	q.queue = append(q.queue, v)
	q.cond.Signal()
	q.mu.Unlock()
}

// close stops the goroutine after the item it is delivering, if any.
func (q *deliveryQueue[T, D]) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	q.wg.Wait()
}

func (q *deliveryQueue[T, D]) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// idle reports whether nothing waits and nothing is being delivered.
func (q *deliveryQueue[T, D]) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue) == 0 && !q.busy
}

// delivered returns the outcomes so far, in order.
func (q *deliveryQueue[T, D]) delivered() []D {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]D(nil), q.done...)
}

func (q *deliveryQueue[T, D]) run() {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		for len(q.queue) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		v := q.queue[0]
		q.queue = q.queue[1:]
		q.busy = true
		q.mu.Unlock()

		d := q.deliver(v)

		q.mu.Lock()
		q.done = append(q.done, d)
		q.busy = false
		q.mu.Unlock()
	}
}
