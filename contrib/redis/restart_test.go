package redis

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

// TestFleetSurvivesRedisRestart kills Redis under a running fleet, revokes
// the token while it is down, and brings it back: calls keep working
// throughout (local token fetch, local pacing), and once Redis is back the
// fleet shares one token and one budget again.
func TestFleetSurvivesRedisRestart(t *testing.T) {
	r := startRedis(t)
	r.Restartable(t)
	s := newFleetServer(t)
	prefix := testPrefix(t)
	var logs logBuffer
	insts := make([]instance, fleetSize)
	for i := range insts {
		insts[i] = newInstance(t, s, r, prefix, instanceConfig{
			// While Redis is down each instance paces locally with 1/8 of
			// this: enough for the test's 25 goroutines per instance.
			def:         wecom.Rate{Calls: 60_000, Per: time.Minute, Burst: 1000},
			limiterOpts: []Option{WithLogger(logs.Logger()), WithRetryInterval(200 * time.Millisecond)},
			clientOpts:  []wecom.Option{wecom.WithLogger(logs.Logger())},
		})
	}

	const phases = 4 // Redis up, down (token revoked), back, back (token revoked)
	var phase atomic.Int32
	var ok [phases][fleetSize]atomic.Int64
	var fails atomic.Int64
	var firstErr atomic.Pointer[error]
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, in := range insts {
		for g := 0; g < 25; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					p := phase.Load()
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					err := callLoad(ctx, in.client)
					cancel()
					if err != nil {
						fails.Add(1)
						firstErr.CompareAndSwap(nil, &err)
						continue
					}
					ok[p][i].Add(1)
				}
			}()
		}
	}
	everyInstanceCalls := func(p int32) {
		t.Helper()
		defer func() {
			if t.Failed() {
				var c []int64
				for i := range insts {
					c = append(c, ok[p][i].Load())
				}
				t.Logf("phase %d counts %v fails %d; logs:\n%s", p, c, fails.Load(), logs.String())
			}
		}()
		waitFor(t, 10*time.Second, "every instance to complete calls", func() bool {
			for i := range insts {
				if ok[p][i].Load() < 5 {
					return false
				}
			}
			return true
		})
	}

	everyInstanceCalls(0)
	require.Equal(t, 1, s.TokensIssued())

	// Redis dies, and while it is down the token is revoked (a secret
	// reset): every instance must fetch a token on its own.
	r.Stop()
	phase.Store(1)
	s.RevokeTokens()
	everyInstanceCalls(1)
	time.Sleep(500 * time.Millisecond)
	downIssued := s.TokensIssued() - 1
	assert.GreaterOrEqual(t, downIssued, 1)
	assert.LessOrEqual(t, downIssued, fleetSize, "at most one gettoken per instance while Redis is down")

	// Redis comes back (empty): the limiters return to it by themselves.
	r.Start()
	phase.Store(2)
	everyInstanceCalls(2)
	rdb := r.Client(t)
	ctx := context.Background()
	waitFor(t, 5*time.Second, "the shared limiter bucket to be used again", func() bool {
		return rdb.Exists(ctx, prefix+"{"+s.CorpID+"}:rate:"+apiLoad).Val() == 1
	})
	waitFor(t, 5*time.Second, "every limiter to report Redis back", func() bool {
		return logs.Count("redis is back") >= fleetSize
	})

	// The token is revoked again: the fleet shares one new token again.
	before := s.TokensIssued()
	phase.Store(3)
	s.RevokeTokens()
	everyInstanceCalls(3)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	assert.Equal(t, 1, s.TokensIssued()-before, "one gettoken for the fleet once Redis is back")
	assert.Equal(t, int64(1), rdb.Exists(ctx, prefix+"{"+wecom.TokenCacheKey(s.CorpID, s.Secret)+"}:token").Val(),
		"the token is shared through Redis again")
	if p := firstErr.Load(); p != nil {
		t.Errorf("first failed call: %v", *p)
	}
	assert.Zero(t, fails.Load(), "no call failed")

	var counts [phases]int64
	for p := range ok {
		for i := range ok[p] {
			counts[p] += ok[p][i].Load()
		}
	}
	t.Logf("calls per phase (up, down+revoked, back, back+revoked): %v; gettoken while down %d, after Redis was back and the token revoked %d",
		counts, downIssued, s.TokensIssued()-before)
	out := logs.String()
	assert.Contains(t, out, "redis unavailable; pacing calls with the local limiter")
	assert.Contains(t, out, "token lease unavailable; fetching locally")
	tok, err := insts[0].client.AccessToken(ctx)
	require.NoError(t, err)
	assert.NotContains(t, out, tok, "no token in the logs")
	assert.NotContains(t, out, s.Secret, "no secret in the logs")
}
