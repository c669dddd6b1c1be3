package callback

import (
	"context"
	"strconv"
	"time"
)

// This file is the contract between the Handler and the stores behind it:
// the two-state dedup store (a short processing lease, then "done") and the
// durable queue of async mode. The in-memory implementations live in this
// package; contrib/redis implements both for a fleet.

// ClaimState is the answer of DedupStore.Claim.
type ClaimState int

const (
	// ClaimAcquired: the caller now holds the processing lease and must
	// handle the event, then call Done (handled) or Release (failed).
	ClaimAcquired ClaimState = iota + 1
	// ClaimInProgress: another holder's lease is live (a slow first delivery,
	// maybe on another instance). Answer WeCom with a retryable failure so it
	// delivers again; the event is neither handled twice nor lost.
	ClaimInProgress
	// ClaimDone: the event was handled already. Answer success.
	ClaimDone
)

// DedupStore remembers, across redeliveries and across the instances that
// share it, which events are being handled and which are done. A claim has
// two states: a processing lease that runs out by itself (so a holder that
// dies frees the event for WeCom's next redelivery), and done, kept for the
// dedup window only once the handler succeeded.
//
// owner is an id unique to one claim; Done and Release act only while the
// key is still held by that owner (a lease that ran out is not held).
// Implementations must be safe for concurrent use and must bound every
// operation in time; the Handler also gives each call its own deadline
// (WithStoreTimeout) and treats an error as "the store cannot say", never
// as "done".
type DedupStore interface {
	// Claim takes the processing lease on key for lease, unless key is done
	// or leased by another owner.
	Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error)
	// Done marks key handled for ttl, replacing owner's lease.
	Done(ctx context.Context, key, owner string, ttl time.Duration) error
	// Release drops owner's lease so that a redelivery is handled again.
	Release(ctx context.Context, key, owner string) error
}

// Delivery is one event taken from a Queue.
type Delivery struct {
	// ID identifies this delivery in the queue (for Ack, Retry, DeadLetter).
	ID string
	// Data is the decrypted event (the plaintext XML) as it was enqueued.
	Data []byte
	// Attempt counts deliveries of the event, 1 for the first.
	Attempt int
	// Enqueued is when the event was first appended.
	Enqueued time.Time
}

// Queue is the durable queue of async mode: the Handler appends each
// verified, decrypted event before it answers WeCom "success", and workers
// in any instance take events from it. An event a worker took and did not
// acknowledge within the queue's visibility timeout (the worker died) is
// delivered again to another worker.
type Queue interface {
	// Enqueue appends an event. Once it returns nil the event is the
	// queue's: for a durable queue, it survives a crash of this process.
	Enqueue(ctx context.Context, data []byte) error
	// Receive waits up to wait for at most n events for consumer (a name
	// unique to one worker process), including events reclaimed from
	// holders that did not acknowledge them in time.
	Receive(ctx context.Context, consumer string, n int, wait time.Duration) ([]Delivery, error)
	// Ack removes a handled event.
	Ack(ctx context.Context, d Delivery) error
	// Retry gives a failed event back, to be delivered again no earlier
	// than delay from now, with Attempt one higher.
	Retry(ctx context.Context, d Delivery, delay time.Duration) error
	// DeadLetter moves a poisoned event aside (reason says why), where
	// DeadLetters lists it and Replay puts it back.
	DeadLetter(ctx context.Context, d Delivery, reason string) error
	// DeadLetters lists up to n events moved aside, oldest first.
	DeadLetters(ctx context.Context, n int) ([]DeadLetter, error)
	// Replay moves the dead letter with id back into the queue.
	Replay(ctx context.Context, id string) error
}

// DeadLetter is an event moved aside after its handler kept failing.
type DeadLetter struct {
	ID       string    // for Replay
	Data     []byte    // the decrypted event XML
	Attempts int       // deliveries made before it was moved aside
	Reason   string    // the last handler error
	Failed   time.Time // when it was moved aside
}

// String implements fmt.Stringer.
func (s ClaimState) String() string {
	switch s {
	case ClaimAcquired:
		return "acquired"
	case ClaimInProgress:
		return "in progress"
	case ClaimDone:
		return "done"
	}
	return "ClaimState(" + strconv.Itoa(int(s)) + ")"
}
