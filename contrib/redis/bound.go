package redis

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is wrapped by the error of a Redis operation that did not
// answer within its bound (WithOpTimeout): Redis is up but hung, or the
// network to it is.
var ErrTimeout = errors.New("wecomredis: redis did not answer in time")

// bounded runs op, one Redis operation, and returns when it does, when d
// has passed or when ctx ends, whichever comes first.
//
// go-redis applies a context's deadline to the connection only with
// Options.ContextTimeoutEnabled; without it a hung Redis holds a command
// for the client's ReadTimeout (3s by default), whatever the context says.
// So op runs in a goroutine of its own, on a context bounded by d, and
// bounded stops waiting for it after d: the caller gets ErrTimeout
// promptly and can fall back, while op finishes (or fails) in the
// background within the client's own timeouts.
func bounded[T any](ctx context.Context, d time.Duration, op func(context.Context) (T, error)) (T, error) {
	octx, cancel := context.WithTimeout(ctx, d)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer cancel()
		v, err := op(octx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-octx.Done():
		// op may have answered at the same moment: prefer its answer.
		select {
		case r := <-done:
			return r.v, r.err
		default:
		}
		var zero T
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("%w (%s)", ErrTimeout, d)
	}
}

// bounded0 is bounded for an operation without a value.
func bounded0(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	_, err := bounded(ctx, d, func(ctx context.Context) (struct{}, error) { return struct{}{}, op(ctx) })
	return err
}
