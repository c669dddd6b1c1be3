package redis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// newTestDedup returns a Dedup on r under a prefix of the test's own.
func newTestDedup(t testing.TB, r *testRedis, opts ...Option) *Dedup {
	t.Helper()
	d, err := NewDedup(r.Client(t), append([]Option{WithPrefix(testPrefix(t)), WithOpTimeout(testBound)}, opts...)...)
	require.NoError(t, err)
	return d
}

func TestNewDedupNilClient(t *testing.T) {
	_, err := NewDedup(nil)
	assert.ErrorContains(t, err, "nil redis client")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
}

func TestDedupTwoStates(t *testing.T) {
	r := startRedis(t)
	d := newTestDedup(t, r)
	rdb := r.Client(t)
	ctx := context.Background()
	const ev = "ww5f3c9a1e2b7d4c60:change_external_contact:add_external_contact:1700000000:wmABC:zhangsan"
	key := d.prefix + "dedup:" + ev

	st, err := d.Claim(ctx, ev, "A", 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimAcquired, st, "first delivery")
	assert.Equal(t, "lease:A", rdb.Get(ctx, key).Val())
	assert.InDelta(t, float64(30*time.Second), float64(rdb.PTTL(ctx, key).Val()), float64(time.Second), "the lease, not the dedup window")

	// A redelivery while A handles it, on any instance: in progress.
	st, err = d.Claim(ctx, ev, "B", 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimInProgress, st)
	st, err = d.Claim(ctx, ev, "A", 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimInProgress, st, "an owner is one claim: claiming again is a redelivery")

	// B cannot release or finish A's claim.
	require.NoError(t, d.Release(ctx, ev, "B"))
	assert.Equal(t, "lease:A", rdb.Get(ctx, key).Val())
	assert.ErrorIs(t, d.Done(ctx, ev, "B", time.Hour), ErrNotOwner)
	assert.Equal(t, "lease:A", rdb.Get(ctx, key).Val())

	require.NoError(t, d.Done(ctx, ev, "A", time.Hour))
	assert.Equal(t, "done", rdb.Get(ctx, key).Val())
	assert.InDelta(t, float64(time.Hour), float64(rdb.PTTL(ctx, key).Val()), float64(time.Second), "done keeps the dedup window")
	st, err = d.Claim(ctx, ev, "C", 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimDone, st)
	require.NoError(t, d.Done(ctx, ev, "A", time.Hour), "done again is done")
	require.NoError(t, d.Release(ctx, ev, "A"), "a done claim is not released")
	assert.Equal(t, "done", rdb.Get(ctx, key).Val())

	// A failed handling releases: the next delivery is handled.
	st, err = d.Claim(ctx, ev+"2", "D", 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, callback.ClaimAcquired, st)
	require.NoError(t, d.Release(ctx, ev+"2", "D"))
	assert.Zero(t, rdb.Exists(ctx, key+"2").Val())
	st, err = d.Claim(ctx, ev+"2", "E", 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimAcquired, st)

	require.NoError(t, d.Release(ctx, "never-claimed", "A"))
}

// TestDedupDeadHolder: a holder that dies leaves only its lease, which
// runs out; the next delivery is handled, and the late holder cannot
// touch the new claim.
func TestDedupDeadHolder(t *testing.T) {
	r := startRedis(t)
	d := newTestDedup(t, r)
	ctx := context.Background()
	st, err := d.Claim(ctx, "ev", "dead", 100*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, callback.ClaimAcquired, st)
	st, err = d.Claim(ctx, "ev", "next", 100*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, callback.ClaimInProgress, st)
	waitFor(t, 5*time.Second, "the dead holder's lease to run out", func() bool {
		st, err = d.Claim(ctx, "ev", "next", time.Minute)
		return err == nil && st == callback.ClaimAcquired
	})
	assert.ErrorIs(t, d.Done(ctx, "ev", "dead", time.Hour), ErrNotOwner)
	require.NoError(t, d.Release(ctx, "ev", "dead"))
	st, err = d.Claim(ctx, "ev", "third", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimInProgress, st, "the new holder's lease survives the late one")

	// A holder slower than its lease, with nobody claiming meanwhile,
	// still marks its handled event done.
	st, err = d.Claim(ctx, "slow", "S", 50*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, callback.ClaimAcquired, st)
	waitFor(t, 5*time.Second, "the lease to run out", func() bool {
		return r.Client(t).Exists(ctx, d.prefix+"dedup:slow").Val() == 0
	})
	require.NoError(t, d.Done(ctx, "slow", "S", time.Hour))
	st, err = d.Claim(ctx, "slow", "T", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimDone, st)
}

func TestDedupInvalidInput(t *testing.T) {
	r := startRedis(t)
	d := newTestDedup(t, r)
	ctx := context.Background()
	_, err := d.Claim(ctx, "", "o", time.Minute)
	assert.ErrorContains(t, err, "wecomredis: claim: empty key")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = d.Claim(ctx, "ev", "", time.Minute)
	assert.ErrorContains(t, err, "wecomredis: claim: empty owner")
	_, err = d.Claim(ctx, "ev", "o", 0)
	assert.ErrorContains(t, err, "below 1ms")
	assert.ErrorContains(t, d.Done(ctx, "ev", "o", -time.Second), "wecomredis: done: -1s is below 1ms")
	assert.ErrorContains(t, d.Done(ctx, "", "o", time.Hour), "empty key")
	assert.ErrorContains(t, d.Release(ctx, "", "o"), "wecomredis: release: empty key")
	assert.ErrorContains(t, d.Release(ctx, "ev", ""), "empty owner")
	assert.ErrorIs(t, d.Release(ctx, "ev", ""), wecom.ErrInvalidArgument)
	assert.ErrorIs(t, d.Done(ctx, "ev", "o", 0), wecom.ErrInvalidArgument)
	assert.Zero(t, r.Client(t).DBSize(ctx).Val(), "nothing written")
}

func TestDedupOneWinnerAcrossInstances(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	// Eight instances, each with its own connection pool, race for the same
	// events.
	stores := make([]*Dedup, 8)
	for i := range stores {
		d, err := NewDedup(r.Client(t), WithPrefix(prefix), WithOpTimeout(testBound))
		require.NoError(t, err)
		stores[i] = d
	}
	const events = 50
	var wins [events]atomic.Int32
	var wg sync.WaitGroup
	for i, d := range stores {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for e := 0; e < events; e++ {
					st, err := d.Claim(context.Background(), fmt.Sprint("ev-", e), fmt.Sprint(i, "-", g, "-", e), time.Minute)
					if assert.NoError(t, err) && st == callback.ClaimAcquired {
						wins[e].Add(1)
					}
				}
			}()
		}
	}
	wg.Wait()
	for e := range wins {
		assert.Equal(t, int32(1), wins[e].Load(), "event %d", e)
	}
}

// TestDedupHungRedis: Redis up but not answering (SIGSTOP). Every
// operation returns ErrTimeout within its own bound although the caller's
// context allows much longer, and works again once Redis answers.
func TestDedupHungRedis(t *testing.T) {
	r := startRedis(t)
	const bound = 100 * time.Millisecond
	d := newTestDedup(t, r, WithOpTimeout(bound))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := d.Claim(ctx, "ev", "A", time.Minute)
	require.NoError(t, err)
	require.Equal(t, callback.ClaimAcquired, st)

	resumeNow := r.Pause(t, 10*time.Second)
	ops := map[string]func() error{
		"claim":   func() error { _, err := d.Claim(ctx, "ev2", "B", time.Minute); return err },
		"done":    func() error { return d.Done(ctx, "ev", "A", time.Hour) },
		"release": func() error { return d.Release(ctx, "ev", "A") },
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		el := time.Since(start)
		assert.ErrorIs(t, err, ErrTimeout, name)
		assert.ErrorContains(t, err, "wecomredis: "+name+": ")
		// Generous: the bound plus scheduling on a loaded machine, far
		// below the caller's minute and the client's 1s ReadTimeout.
		assert.Less(t, el, bound+700*time.Millisecond, name)
	}
	resumeNow()
	waitFor(t, 5*time.Second, "Redis to answer again", func() bool {
		return d.Done(ctx, "ev", "A", time.Hour) == nil
	})
	st, err = d.Claim(ctx, "ev", "C", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, callback.ClaimDone, st)
}
