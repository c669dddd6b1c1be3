package callback

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func claim(t *testing.T, m *MemoryDedup, key string, ttl time.Duration) bool {
	t.Helper()
	ok, err := m.Claim(context.Background(), key, ttl)
	require.NoError(t, err)
	return ok
}

func TestMemoryDedup(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemoryDedup(3)
	m.now = func() time.Time { return now }
	ctx := context.Background()

	assert.True(t, claim(t, m, "a", time.Minute))
	assert.False(t, claim(t, m, "a", time.Minute), "second claim")
	require.NoError(t, m.Release(ctx, "a"))
	assert.True(t, claim(t, m, "a", time.Minute), "claimable after release")

	// Expiry.
	now = now.Add(time.Minute)
	assert.True(t, claim(t, m, "a", time.Minute), "expired")
	assert.Equal(t, 1, m.Len())

	// Bound: the oldest key goes first.
	assert.True(t, claim(t, m, "b", time.Hour))
	assert.True(t, claim(t, m, "c", time.Hour))
	assert.True(t, claim(t, m, "d", time.Hour))
	assert.Equal(t, 3, m.Len())
	assert.True(t, claim(t, m, "a", time.Hour), "a was evicted")
	assert.False(t, claim(t, m, "d", time.Hour))

	// A released and reclaimed key is not dropped by its old entry.
	m2 := NewMemoryDedup(10)
	m2.now = func() time.Time { return now }
	assert.True(t, claim(t, m2, "k", time.Second))
	require.NoError(t, m2.Release(ctx, "k"))
	now = now.Add(500 * time.Millisecond)
	assert.True(t, claim(t, m2, "k", time.Second))
	now = now.Add(600 * time.Millisecond) // the first entry's expiry passes
	assert.False(t, claim(t, m2, "k", time.Second), "still held by the second claim")

	assert.Equal(t, DefaultDedupEntries, NewMemoryDedup(0).max)
}

func TestMemoryDedupStaysBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemoryDedup(100)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	// Claim and release many keys: the order log must not grow without
	// bound even though nothing expires.
	for i := range 10_000 {
		k := strconv.Itoa(i)
		assert.True(t, claim(t, m, k, time.Hour))
		require.NoError(t, m.Release(ctx, k))
	}
	assert.Zero(t, m.Len())
	assert.LessOrEqual(t, len(m.order)-m.head, 200)

	// Many expiring keys: the log is compacted.
	for i := range 5000 {
		claim(t, m, "e"+strconv.Itoa(i), time.Second)
		now = now.Add(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, m.Len(), 100)
	assert.Less(t, len(m.order), 2500)
}
