// Package backoff holds the delay arithmetic shared by the request pipeline
// and the polling helpers of the area packages.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Exp returns the capped exponential delay for the n-th retry (n >= 1):
// min(max, base * 2^(n-1)).
func Exp(base, max time.Duration, n int) time.Duration {
	if base <= 0 {
		return 0
	}
	d := base
	for i := 1; i < n; i++ {
		if d >= max/2 {
			return max
		}
		d *= 2
	}
	if d > max {
		return max
	}
	return d
}

// FullJitter returns a random delay in [0, Exp(base, max, n)), the "full
// jitter" strategy: retries from many clients spread out instead of arriving
// in waves.
func FullJitter(base, max time.Duration, n int) time.Duration {
	d := Exp(base, max, n)
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// Sleep waits for d or until ctx ends, whichever comes first, and returns
// ctx.Err() in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
