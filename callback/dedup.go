package callback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// DedupKey is the key the Handler claims for an event: the hex SHA-256
// (first 16 bytes) of its decrypted XML, which a redelivery repeats
// byte for byte while WeCom encrypts it afresh.
func DedupKey(plaintext []byte) string {
	sum := sha256.Sum256(plaintext)
	return hex.EncodeToString(sum[:16])
}

// MemoryDedup is an in-process DedupStore: a lease runs out after its
// duration, a done key after its ttl, and at most a bounded number of keys
// are kept (the oldest go first, leased or done). It does not survive the
// process, and it is not shared: use a shared store (contrib/redis) when
// several processes serve one callback URL.
type MemoryDedup struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	entries map[string]dedupState
	order   []dedupEntry // insertion order, for expiry and eviction
	head    int
}

// dedupState is a key's state: leased by owner until expires, or done
// (owner "") until expires.
type dedupState struct {
	owner   string
	done    bool
	expires time.Time
}

type dedupEntry struct {
	key     string
	expires time.Time
}

// DefaultDedupEntries is the bound of the Handler's default MemoryDedup.
const DefaultDedupEntries = 100_000

// NewMemoryDedup returns a store keeping at most maxEntries keys
// (DefaultDedupEntries when maxEntries <= 0).
func NewMemoryDedup(maxEntries int) *MemoryDedup {
	if maxEntries <= 0 {
		maxEntries = DefaultDedupEntries
	}
	return &MemoryDedup{max: maxEntries, now: time.Now, entries: map[string]dedupState{}}
}

// Claim implements DedupStore. A claim by the lease's own owner renews it.
func (m *MemoryDedup) Claim(_ context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if st, ok := m.entries[key]; ok && now.Before(st.expires) {
		switch {
		case st.done:
			return ClaimDone, nil
		case st.owner != owner:
			return ClaimInProgress, nil
		}
	}
	m.set(key, dedupState{owner: owner, expires: now.Add(lease)})
	return ClaimAcquired, nil
}

// Done implements DedupStore: it marks key done for ttl if owner still
// holds its lease, and does nothing otherwise.
func (m *MemoryDedup) Done(_ context.Context, key, owner string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if st, ok := m.entries[key]; ok && !st.done && st.owner == owner && now.Before(st.expires) {
		m.set(key, dedupState{done: true, expires: now.Add(ttl)})
	}
	return nil
}

// Release implements DedupStore: it drops owner's lease on key, and does
// nothing if another owner holds key or it is done.
func (m *MemoryDedup) Release(_ context.Context, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.entries[key]; ok && !st.done && st.owner == owner {
		delete(m.entries, key)
	}
	return nil
}

// Len returns the number of keys held, leased or done.
func (m *MemoryDedup) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// set stores st under key, evicting the oldest keys past the bound.
func (m *MemoryDedup) set(key string, st dedupState) {
	if _, ok := m.entries[key]; !ok {
		for len(m.entries) >= m.max && m.head < len(m.order) {
			m.drop(m.order[m.head])
			m.order[m.head] = dedupEntry{}
			m.head++
		}
	}
	if len(m.order)-m.head >= 2*m.max {
		m.compact() // released and renewed keys left their entries behind
	}
	m.entries[key] = st
	m.order = append(m.order, dedupEntry{key, st.expires})
}

// expire drops the entries at the front of the insertion order whose time
// has come, and compacts the order when half of it is spent. (An entry
// with a long expiry ahead of short ones delays their removal; they are
// still treated as expired by Claim, and the bound holds.)
func (m *MemoryDedup) expire(now time.Time) {
	for m.head < len(m.order) && !now.Before(m.order[m.head].expires) {
		m.drop(m.order[m.head])
		m.order[m.head] = dedupEntry{}
		m.head++
	}
	if m.head > 1024 && m.head*2 > len(m.order) {
		m.order = append(m.order[:0:0], m.order[m.head:]...)
		m.head = 0
	}
}

// drop deletes e's key unless the key was set again since (renewed, done,
// or released and claimed again: a later expiry).
func (m *MemoryDedup) drop(e dedupEntry) {
	if st, ok := m.entries[e.key]; ok && st.expires.Equal(e.expires) {
		delete(m.entries, e.key)
	}
}

// compact keeps only the order entries still backing a key.
func (m *MemoryDedup) compact() {
	kept := make([]dedupEntry, 0, len(m.entries))
	for _, e := range m.order[m.head:] {
		if st, ok := m.entries[e.key]; ok && st.expires.Equal(e.expires) {
			kept = append(kept, e)
		}
	}
	m.order, m.head = kept, 0
}
