package callback

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func claim(t *testing.T, m *MemoryDedup, key, owner string, lease time.Duration) ClaimState {
	t.Helper()
	st, err := m.Claim(context.Background(), key, owner, lease)
	require.NoError(t, err)
	return st
}

func TestMemoryDedup(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemoryDedup(3)
	m.now = func() time.Time { return now }
	ctx := context.Background()

	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "A", time.Minute))
	assert.Equal(t, ClaimInProgress, claim(t, m, "a", "B", time.Minute), "another owner, lease live")
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "A", time.Minute), "the owner renews")

	// Only the owner releases or marks done.
	require.NoError(t, m.Release(ctx, "a", "B"))
	require.NoError(t, m.Done(ctx, "a", "B", time.Hour))
	assert.Equal(t, ClaimInProgress, claim(t, m, "a", "B", time.Minute), "B could not touch A's lease")
	require.NoError(t, m.Release(ctx, "a", "A"))
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "B", time.Minute), "claimable after release")

	// Done replaces the lease for the ttl; nobody releases it.
	require.NoError(t, m.Done(ctx, "a", "B", 10*time.Minute))
	assert.Equal(t, ClaimDone, claim(t, m, "a", "C", time.Minute))
	require.NoError(t, m.Release(ctx, "a", "B"))
	assert.Equal(t, ClaimDone, claim(t, m, "a", "B", time.Minute), "release after done does nothing")
	now = now.Add(10 * time.Minute)
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "C", time.Minute), "done ran out")

	// A lease runs out by itself (its holder died); the late holder's
	// Done then does nothing.
	now = now.Add(time.Minute)
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "D", time.Minute), "C's lease ran out")
	require.NoError(t, m.Done(ctx, "a", "C", time.Hour))
	assert.Equal(t, ClaimInProgress, claim(t, m, "a", "E", time.Minute), "C no longer held it")
	now = now.Add(time.Minute)
	require.NoError(t, m.Done(ctx, "a", "D", time.Hour))
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "E", time.Minute), "D's Done came after its lease ran out")
	assert.Equal(t, 1, m.Len())

	// Bound: the oldest key goes first.
	assert.Equal(t, ClaimAcquired, claim(t, m, "b", "x", time.Hour))
	assert.Equal(t, ClaimAcquired, claim(t, m, "c", "x", time.Hour))
	assert.Equal(t, ClaimAcquired, claim(t, m, "d", "x", time.Hour))
	assert.Equal(t, 3, m.Len())
	assert.Equal(t, ClaimAcquired, claim(t, m, "a", "y", time.Hour), "a was evicted")
	assert.Equal(t, ClaimInProgress, claim(t, m, "d", "y", time.Hour))

	// A released and reclaimed key is not dropped by its old entry.
	m2 := NewMemoryDedup(10)
	m2.now = func() time.Time { return now }
	assert.Equal(t, ClaimAcquired, claim(t, m2, "k", "1", time.Second))
	require.NoError(t, m2.Release(ctx, "k", "1"))
	now = now.Add(500 * time.Millisecond)
	assert.Equal(t, ClaimAcquired, claim(t, m2, "k", "2", time.Second))
	now = now.Add(600 * time.Millisecond) // the first entry's expiry passes
	assert.Equal(t, ClaimInProgress, claim(t, m2, "k", "3", time.Second), "still held by the second claim")

	assert.Equal(t, DefaultDedupEntries, NewMemoryDedup(0).max)
	assert.Equal(t, "in progress", ClaimInProgress.String())
	assert.Equal(t, "ClaimState(0)", ClaimState(0).String())
}

func TestMemoryDedupStaysBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemoryDedup(100)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	// Claim, mark done or release many keys: the order log must not grow
	// without bound even though nothing expires.
	for i := range 10_000 {
		k := strconv.Itoa(i)
		assert.Equal(t, ClaimAcquired, claim(t, m, k, "o", time.Hour))
		if i%2 == 0 {
			require.NoError(t, m.Release(ctx, k, "o"))
		} else {
			require.NoError(t, m.Done(ctx, k, "o", time.Hour))
		}
	}
	assert.LessOrEqual(t, m.Len(), 100)
	assert.LessOrEqual(t, len(m.order)-m.head, 201)

	// Many expiring keys: the log is compacted.
	for i := range 5000 {
		claim(t, m, "e"+strconv.Itoa(i), "o", time.Second)
		now = now.Add(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, m.Len(), 100)
	assert.Less(t, len(m.order), 2500)
}
