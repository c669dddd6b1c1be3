package redis

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

const testAPI = "/cgi-bin/externalcontact/get"

func newTestLimiter(t testing.TB, r *testRedis, prefix string, def wecom.Rate, perAPI map[string]wecom.Rate, opts ...Option) *Limiter {
	t.Helper()
	// testBound, not the default: these tests are about the shared
	// bucket, and a loaded -race run can take a loopback round trip for a
	// hang (the hang tests set their bound).
	l, err := NewLimiter(r.Client(t), def, perAPI, append([]Option{WithPrefix(prefix), WithOpTimeout(testBound)}, opts...)...)
	require.NoError(t, err)
	return l
}

func TestNewLimiterValidates(t *testing.T) {
	r := startRedis(t)
	rdb := r.Client(t)
	_, err := NewLimiter(nil, wecom.PerAPIQuota, nil)
	assert.ErrorContains(t, err, "nil redis client")
	_, err = NewLimiter(rdb, wecom.Rate{}, nil)
	assert.ErrorContains(t, err, "invalid rate")
	_, err = NewLimiter(rdb, wecom.PerAPIQuota, map[string]wecom.Rate{testAPI: {Calls: 1, Per: time.Second, Burst: -1}})
	assert.ErrorContains(t, err, testAPI)
	l, err := NewLimiter(rdb, wecom.PerAPIQuota, map[string]wecom.Rate{testAPI: {Calls: 10, Per: time.Second}}, WithFleetSize(100))
	require.NoError(t, err, "a fleet larger than the budget still gets a local share of one call")
	assert.Equal(t, int64(100_000), l.perAPI[testAPI].interval)
}

func TestNewCell(t *testing.T) {
	c := newCell(wecom.PerAPIQuota)
	// 60s / 2375 = 25263.157...µs, rounded up so the fleet is never faster.
	assert.Equal(t, cell{interval: 25264, tolerance: 5000 * 25264}, c)
	assert.Equal(t, cell{interval: 1, tolerance: 0}, newCell(wecom.Rate{Calls: 10_000_000, Per: time.Second}))
}

func TestLimiterBurstThenPaced(t *testing.T) {
	r := startRedis(t)
	// 100ms between calls, 4 more at once after a quiet period.
	l := newTestLimiter(t, r, testPrefix(t), wecom.Rate{Calls: 600, Per: time.Minute, Burst: 4}, nil)
	ctx := context.Background()

	start := time.Now()
	for i := 0; i < 5; i++ {
		require.NoError(t, l.Wait(ctx, testCorp, testAPI))
	}
	assert.Less(t, time.Since(start), 80*time.Millisecond, "burst+1 calls at once")

	require.NoError(t, l.Wait(ctx, testCorp, testAPI))
	require.NoError(t, l.Wait(ctx, testCorp, testAPI))
	el := time.Since(start)
	assert.GreaterOrEqual(t, el, 190*time.Millisecond, "then one per 100ms")
	assert.Less(t, el, 400*time.Millisecond)
}

func TestLimiterSharedAcrossInstancesPerCorpAndAPI(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	rate := wecom.Rate{Calls: 60, Per: time.Minute, Burst: 2} // one a second after 3
	a := newTestLimiter(t, r, prefix, rate, nil)
	b := newTestLimiter(t, r, prefix, rate, nil)
	ctx := context.Background()
	quick := func(l *Limiter, corp, api string) error {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		return l.Wait(ctx, corp, api)
	}
	require.NoError(t, quick(a, testCorp, testAPI))
	require.NoError(t, quick(b, testCorp, testAPI))
	require.NoError(t, quick(a, testCorp, testAPI))
	// The shared bucket is empty for this corp and API, whichever instance asks.
	err := quick(b, testCorp, testAPI)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "past the deadline")
	assert.ErrorIs(t, quick(a, testCorp, testAPI), context.DeadlineExceeded)

	// Another API, another corp and another prefix have budgets of their own.
	assert.NoError(t, quick(a, testCorp, "/cgi-bin/externalcontact/list"))
	assert.NoError(t, quick(b, "wwOtherCorp", testAPI))
	c := newTestLimiter(t, r, testPrefix(t), rate, nil)
	assert.NoError(t, quick(c, testCorp, testAPI))
}

func TestLimiterPerAPIBudget(t *testing.T) {
	r := startRedis(t)
	l := newTestLimiter(t, r, testPrefix(t), wecom.Rate{Calls: 1, Per: time.Hour},
		map[string]wecom.Rate{testAPI: {Calls: 6000, Per: time.Minute, Burst: 9}})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	for i := 0; i < 10; i++ {
		require.NoError(t, l.Wait(ctx, testCorp, testAPI), "call %d", i)
	}
	require.NoError(t, l.Wait(ctx, testCorp, "/cgi-bin/other"))
	assert.ErrorIs(t, l.Wait(ctx, testCorp, "/cgi-bin/other"), context.DeadlineExceeded, "default: one an hour")
}

func TestLimiterDeadlineBooksNothing(t *testing.T) {
	r := startRedis(t)
	l := newTestLimiter(t, r, testPrefix(t), wecom.Rate{Calls: 600, Per: time.Minute}, nil) // 100ms apart
	bg := context.Background()
	require.NoError(t, l.Wait(bg, testCorp, testAPI))
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
		start := time.Now()
		err := l.Wait(ctx, testCorp, testAPI)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 50*time.Millisecond, "fails at once, not at the deadline")
	}
	// The refused calls took no slot: the next one is still ~100ms after the first.
	start := time.Now()
	require.NoError(t, l.Wait(bg, testCorp, testAPI))
	assert.Less(t, time.Since(start), 150*time.Millisecond)
}

func TestLimiterContextEnds(t *testing.T) {
	r := startRedis(t)
	l := newTestLimiter(t, r, testPrefix(t), wecom.Rate{Calls: 1, Per: time.Minute}, nil)
	require.NoError(t, l.Wait(context.Background(), testCorp, testAPI))

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	err := l.Wait(ctx, testCorp, testAPI)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second)

	err = l.Wait(ctx, testCorp, testAPI)
	assert.ErrorIs(t, err, context.Canceled, "an ended context does not reach Redis")
}

// TestLimiterWindows hammers one budget from several instances and checks
// the documented bound: at most Calls+Burst calls in any window of Per.
func TestLimiterWindows(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	rate := wecom.Rate{Calls: 50, Per: 500 * time.Millisecond, Burst: 10} // 10ms apart
	var mu sync.Mutex
	var times []time.Time
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		l := newTestLimiter(t, r, prefix, rate, nil)
		// Each admission at the slot booked, on Redis's clock, not when
		// its goroutine woke up (late by a lot on a loaded -race run).
		l.admitted = func(_ string, slot time.Time) {
			mu.Lock()
			times = append(times, slot)
			mu.Unlock()
		}
		for g := 0; g < 25; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					if err := l.Wait(ctx, testCorp, testAPI); err != nil {
						if !errors.Is(err, context.DeadlineExceeded) {
							t.Error(err)
						}
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	worst := maxInWindow(times, rate.Per)
	t.Logf("%d calls in 1.2s; at most %d in any %s (budget %d)", len(times), worst, rate.Per, rate.Calls+rate.Burst)
	assert.LessOrEqual(t, worst, rate.Calls+rate.Burst)
	assert.GreaterOrEqual(t, len(times), 2*rate.Calls, "the budget is used, not starved")
}

// maxInWindow returns the largest number of sorted times within any window
// of length w.
func maxInWindow(times []time.Time, w time.Duration) int {
	worst, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		worst = max(worst, i-j+1)
	}
	return worst
}

func TestLimiterFallsBackToLocalAndRecovers(t *testing.T) {
	r := startRedis(t)
	r.Restartable(t)
	var logs logBuffer
	// 100ms apart fleet-wide, burst 3; with a fleet of 2 the local share is
	// one per 200ms without burst.
	l := newTestLimiter(t, r, testPrefix(t), wecom.Rate{Calls: 600, Per: time.Minute, Burst: 3}, nil,
		WithFleetSize(2), WithRetryInterval(100*time.Millisecond), WithLogger(logs.Logger()))
	ctx := context.Background()
	require.NoError(t, l.Wait(ctx, testCorp, testAPI))

	r.Stop()
	start := time.Now()
	for i := 0; i < 4; i++ {
		require.NoError(t, l.Wait(ctx, testCorp, testAPI), "Redis down: still paced, no error")
	}
	el := time.Since(start)
	// Local share: 200ms apart → the 4th at ~600ms.
	assert.GreaterOrEqual(t, el, 550*time.Millisecond, "paced by the local share")
	assert.Less(t, el, 1200*time.Millisecond)
	assert.Equal(t, 1, logs.Count("redis unavailable"), "one warning per outage")

	r.Start()
	rdb := r.Client(t)
	waitFor(t, 5*time.Second, "the limiter to use Redis again", func() bool {
		_ = l.Wait(ctx, testCorp, testAPI)
		return rdb.Exists(ctx, l.key(testCorp, testAPI)).Val() == 1
	})
	assert.Equal(t, 1, logs.Count("redis is back"))
	assert.Equal(t, 1, logs.Count("redis unavailable"))
}
