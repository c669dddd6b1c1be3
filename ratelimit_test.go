package wecom

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewLimiterValidates(t *testing.T) {
	_, err := NewLimiter(Rate{}, nil)
	assert.Error(t, err)
	_, err = NewLimiter(Rate{Calls: 1, Per: time.Second}, map[string]Rate{"/x": {Calls: 1, Per: 0}})
	assert.ErrorContains(t, err, "/x")
	l, err := NewLimiter(PerAPIQuota, nil)
	require.NoError(t, err)
	assert.NotNil(t, l)
}

func TestLimiterSpacesCallsPerCorpAndAPI(t *testing.T) {
	l, err := NewLimiter(Rate{Calls: 10, Per: time.Second, Burst: 2}, map[string]Rate{"/slow": {Calls: 1, Per: time.Second}})
	require.NoError(t, err)
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }

	// The burst goes at once, then calls are spaced by 100ms.
	var waits []time.Duration
	for i := 0; i < 6; i++ {
		waits = append(waits, l.reserve("ww1 /a", "/a"))
	}
	assert.Equal(t, []time.Duration{0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, waits)
	// Another API and another corp have their own buckets.
	assert.Zero(t, l.reserve("ww1 /b", "/b"))
	assert.Zero(t, l.reserve("ww2 /a", "/a"))
	// A per-API override applies.
	assert.Zero(t, l.reserve("ww1 /slow", "/slow"))
	assert.Equal(t, time.Second, l.reserve("ww1 /slow", "/slow"))
	// After a quiet period the bucket refills.
	now = now.Add(10 * time.Second)
	assert.Zero(t, l.reserve("ww1 /a", "/a"))
}

func TestLimiterAdmitsNoMoreThanTheBudget(t *testing.T) {
	l, err := NewLimiter(Rate{Calls: 100, Per: time.Second, Burst: 5}, nil)
	require.NoError(t, err)
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	// Book 1000 calls at once: in any 1s window at most Calls+Burst start.
	starts := make([]time.Duration, 1000)
	for i := range starts {
		starts[i] = l.reserve("k", "/a")
	}
	for i := range starts {
		j := i
		for j < len(starts) && starts[j] < starts[i]+time.Second {
			j++
		}
		require.LessOrEqual(t, j-i, 105, "window starting at call %d", i)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l, err := NewLimiter(Rate{Calls: 1, Per: time.Hour}, nil)
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background(), "ww1", "/a"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = l.Wait(ctx, "ww1", "/a")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestClientWaitsForTheLimiter(t *testing.T) {
	f := newFake(t)
	rec := &recordingLimiter{}
	c := f.client(t, WithLimiter(rec))
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	assert.Equal(t, []string{testCorpID + " /cgi-bin/gettoken", testCorpID + " /cgi-bin/x"}, rec.calls)

	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) { errcode(45009, "api freq out of limit")(w, r) })
	rec.calls = nil
	_ = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.Len(t, rec.calls, 4, "every retry waits for the limiter too")

	rec.err = context.Canceled
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

type recordingLimiter struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (r *recordingLimiter) Wait(_ context.Context, corpID, api string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, corpID+" "+api)
	return r.err
}
