package redis

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDedupClaimRelease(t *testing.T) {
	s, _, rdb := newTestStore(t)
	ctx := context.Background()
	const ev = "ww5f3c9a1e2b7d4c60:change_external_contact:add_external_contact:1700000000:wmABC:zhangsan"

	claimed, err := s.Claim(ctx, ev, time.Minute)
	require.NoError(t, err)
	assert.True(t, claimed, "first delivery")

	claimed, err = s.Claim(ctx, ev, time.Minute)
	require.NoError(t, err)
	assert.False(t, claimed, "redelivery")

	key := s.prefix + "dedup:" + ev
	assert.Equal(t, int64(1), rdb.Exists(ctx, key).Val(), "namespaced key")
	assert.InDelta(t, float64(time.Minute), float64(rdb.PTTL(ctx, key).Val()), float64(time.Second))

	other, err := s.Claim(ctx, ev+"2", time.Minute)
	require.NoError(t, err)
	assert.True(t, other, "another event is independent")

	// Processing failed: release so that a redelivery is processed.
	require.NoError(t, s.Release(ctx, ev))
	claimed, err = s.Claim(ctx, ev, time.Minute)
	require.NoError(t, err)
	assert.True(t, claimed)

	require.NoError(t, s.Release(ctx, "never-claimed"))
}

func TestDedupClaimExpires(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	claimed, err := s.Claim(ctx, "ev", 100*time.Millisecond)
	require.NoError(t, err)
	require.True(t, claimed)
	claimed, err = s.Claim(ctx, "ev", 100*time.Millisecond)
	require.NoError(t, err)
	require.False(t, claimed)
	time.Sleep(150 * time.Millisecond)
	claimed, err = s.Claim(ctx, "ev", 100*time.Millisecond)
	require.NoError(t, err)
	assert.True(t, claimed, "claimable again after its ttl")
}

func TestDedupInvalidInput(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	_, err := s.Claim(ctx, "", time.Minute)
	assert.ErrorContains(t, err, "empty key")
	_, err = s.Claim(ctx, "ev", 0)
	assert.ErrorContains(t, err, "below 1ms")
	_, err = s.Claim(ctx, "ev", -time.Second)
	assert.Error(t, err)
	assert.ErrorContains(t, s.Release(ctx, ""), "empty key")
}

func TestDedupOneWinnerAcrossInstances(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	// Eight instances, each with its own connection pool, race for the same
	// events.
	stores := make([]*Store, 8)
	for i := range stores {
		s, err := NewStore(r.Client(t), WithPrefix(prefix))
		require.NoError(t, err)
		stores[i] = s
	}
	const events = 50
	var wins [events]atomic.Int32
	var wg sync.WaitGroup
	for _, s := range stores {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for e := 0; e < events; e++ {
					claimed, err := s.Claim(context.Background(), "ev-"+string(rune('A'+e%26))+string(rune('a'+e/26)), time.Minute)
					if assert.NoError(t, err) && claimed {
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
