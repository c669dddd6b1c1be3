package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExp(t *testing.T) {
	assert.Equal(t, 100*time.Millisecond, Exp(100*time.Millisecond, time.Second, 1))
	assert.Equal(t, 200*time.Millisecond, Exp(100*time.Millisecond, time.Second, 2))
	assert.Equal(t, 800*time.Millisecond, Exp(100*time.Millisecond, time.Second, 4))
	assert.Equal(t, time.Second, Exp(100*time.Millisecond, time.Second, 5))
	assert.Equal(t, time.Second, Exp(100*time.Millisecond, time.Second, 500), "no overflow")
	assert.Equal(t, time.Duration(0), Exp(0, time.Second, 3))
}

func TestFullJitterStaysBelowTheCap(t *testing.T) {
	for i := 0; i < 1000; i++ {
		d := FullJitter(10*time.Millisecond, 50*time.Millisecond, 10)
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.Less(t, d, 50*time.Millisecond)
	}
	assert.Equal(t, time.Duration(0), FullJitter(0, 0, 1))
}

func TestSleep(t *testing.T) {
	assert.NoError(t, Sleep(context.Background(), time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	assert.ErrorIs(t, Sleep(ctx, 0), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}
