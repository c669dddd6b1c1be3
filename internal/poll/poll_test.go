package poll

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestUntilBacksOffAndStops(t *testing.T) {
	var slept []time.Duration
	w := Waiter{Initial: time.Second, Max: 4 * time.Second, Sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}}
	n := 0
	err := w.Until(context.Background(), func(context.Context) (bool, error) { n++; return n == 5, nil })
	assert.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, slept)
}

func TestUntilReturnsCheckError(t *testing.T) {
	boom := errors.New("boom")
	err := Waiter{Sleep: func(context.Context, time.Duration) error { return nil }}.Until(context.Background(),
		func(context.Context) (bool, error) { return false, boom })
	assert.ErrorIs(t, err, boom)
}

func TestUntilStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	w := Waiter{Sleep: func(ctx context.Context, d time.Duration) error { cancel(); <-ctx.Done(); return ctx.Err() }}
	err := w.Until(ctx, func(context.Context) (bool, error) { calls++; return false, nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
	err = Waiter{}.Until(ctx, func(context.Context) (bool, error) { calls++; return false, nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls, "a canceled context is checked before polling")
}

func TestUntilRealSleepRespectsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Waiter{Initial: time.Hour}.Until(ctx, func(context.Context) (bool, error) { return false, nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}
