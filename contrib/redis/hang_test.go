package redis

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// TestHungRedisFallsBackAndRecovers: Redis is SIGSTOPped for 12s (up,
// connections open, answering nothing) under a load of calls through two
// instances, each with its Limiter (Wait on every call) and Store (the
// token, refreshed every few seconds). No call fails: the limiter paces
// locally and the clients fetch their own tokens, each switch logged.
// After SIGCONT the limiter books its slots in Redis again and the fleet
// shares its token there again.
func TestHungRedisFallsBackAndRecovers(t *testing.T) {
	r := startRedis(t)
	r.Restartable(t)
	const ttl, ahead = 3 * time.Second, time.Second
	s := newFleetServer(t, wecomtest.WithTokenTTL(ttl), wecomtest.WithRateLimit(0))
	prefix := testPrefix(t)
	unlimited := wecom.Rate{Calls: 1_000_000, Per: time.Second, Burst: 1_000_000}
	var limLogs, clientLogs logBuffer
	insts := make([]instance, 2)
	for i := range insts {
		insts[i] = newInstance(t, s, r, prefix, instanceConfig{def: unlimited,
			limiterOpts: []Option{WithLogger(limLogs.Logger()), WithRetryInterval(500 * time.Millisecond), WithOpTimeout(DefaultOpTimeout)},
			storeOpts:   []Option{WithTokenRefreshAhead(ahead), WithOpTimeout(DefaultOpTimeout)},
			clientOpts:  []wecom.Option{wecom.WithTokenRefreshAhead(ahead), wecom.WithLogger(clientLogs.Logger())}})
	}
	rdb := r.Client(t)
	ctx := context.Background()

	var ok, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, in := range insts {
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					// Time enough to run: well over the 250ms bound.
					cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
					err := callLoad(cctx, in.client)
					cancel()
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, &err)
					} else {
						ok.Add(1)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
	}
	t.Cleanup(func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	})

	waitFor(t, 10*time.Second, "the first calls through Redis", func() bool { return ok.Load() >= 20 })
	require.Greater(t, scriptCalls(t, rdb), int64(20), "the limiter books in Redis")
	gettokenBefore := len(s.RequestsTo("/cgi-bin/gettoken"))

	const hang = 12 * time.Second
	resumeNow := r.Pause(t, hang+5*time.Second)
	hangStart := time.Now()
	okBefore := ok.Load()
	time.Sleep(hang)
	okDuring := ok.Load() - okBefore
	gettokenDuring := len(s.RequestsTo("/cgi-bin/gettoken")) - gettokenBefore
	resumeNow()
	hangEnd := time.Now()

	// Recovery: the limiter books in Redis again (a script run per call),
	// and a token is shared through Redis again.
	var scriptsBack int64
	waitFor(t, 10*time.Second, "Redis to answer", func() bool {
		scriptsBack = scriptCalls(t, rdb)
		return scriptsBack > 0
	})
	waitFor(t, 10*time.Second, "the limiter to book in Redis again", func() bool {
		return scriptCalls(t, rdb) > scriptsBack+100
	})
	waitFor(t, 10*time.Second, "a token shared through Redis again", func() bool {
		_, found, err := insts[1].store.GetToken(ctx, wecom.TokenCacheKey(wecomtest.DefaultCorpID, wecomtest.DefaultSecret))
		return err == nil && found
	})
	waitFor(t, 10*time.Second, "both limiters to log their return", func() bool {
		return limLogs.Count("redis is back") >= 2
	})
	close(stop)
	wg.Wait()

	t.Logf("%d calls (%d during the %s hang, %d gettoken during it), %d failed", ok.Load(), okDuring,
		hangEnd.Sub(hangStart).Round(time.Millisecond), gettokenDuring, failed.Load())
	if p := firstErr.Load(); p != nil {
		t.Errorf("first failed call: %v", *p)
	}
	assert.Zero(t, failed.Load(), "no call fails because Redis hangs")
	assert.Greater(t, okDuring, int64(100), "calls went on during the hang")
	// Fallbacks used, and logged once per outage per limiter.
	assert.Equal(t, 2, limLogs.Count("redis unavailable; pacing calls with the local limiter"))
	assert.Equal(t, 2, limLogs.Count("redis is back"))
	assert.GreaterOrEqual(t, gettokenDuring, 2, "tokens refreshed locally during the hang (life %s)", ttl)
	assert.Positive(t, clientLogs.Count("token cache read failed")+clientLogs.Count("token lease unavailable"),
		"the clients fell back from the Store")
	assert.NotContains(t, clientLogs.String()+limLogs.String(), "secret", "no secret logged")
}

// scriptCalls is how many scripts Redis ran (EVALSHA, then EVAL after a
// NOSCRIPT), from INFO commandstats; 0 when Redis does not answer.
func scriptCalls(t *testing.T, rdb *goredis.Client) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		return 0
	}
	var n int64
	for _, line := range strings.Split(info, "\n") {
		for _, cmd := range []string{"cmdstat_evalsha:calls=", "cmdstat_eval:calls="} {
			if rest, ok := strings.CutPrefix(line, cmd); ok {
				v, _, _ := strings.Cut(rest, ",")
				c, _ := strconv.ParseInt(v, 10, 64)
				n += c
			}
		}
	}
	return n
}
