// Package poll waits for WeCom's asynchronous results (moment tasks,
// customer transfers, mass-message sends) with capped exponential backoff.
package poll

import (
	"context"
	"time"

	"github.com/wecomkit/wecom/internal/backoff"
)

// Waiter polls with delays Initial, 2·Initial, ... up to Max.
type Waiter struct {
	Initial time.Duration
	Max     time.Duration
	// Sleep waits between polls; nil means a real timer bounded by ctx.
	// Tests put a fake clock here.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Until calls check until it reports done or fails, sleeping between calls.
// It returns ctx's error as soon as ctx ends, including mid-sleep.
func (w Waiter) Until(ctx context.Context, check func(ctx context.Context) (done bool, err error)) error {
	sleep := w.Sleep
	if sleep == nil {
		sleep = backoff.Sleep
	}
	initial, max := w.Initial, w.Max
	if initial <= 0 {
		initial = time.Second
	}
	if max < initial {
		max = initial
	}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if err := sleep(ctx, backoff.Exp(initial, max, n)); err != nil {
			return err
		}
	}
}
