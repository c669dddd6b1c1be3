package callback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// DedupStore remembers which events were already handled.
type DedupStore interface {
	// Claim records key for ttl and reports whether this caller is the first to claim it.
	Claim(ctx context.Context, key string, ttl time.Duration) (claimed bool, err error)
	// Release forgets key, so a redelivery of an event whose handling failed is processed again.
	Release(ctx context.Context, key string) error
}

// DedupKey is the key the Handler claims for an event: the hex SHA-256
// (first 16 bytes) of its decrypted XML, which a redelivery repeats
// byte for byte while WeCom encrypts it afresh.
func DedupKey(plaintext []byte) string {
	sum := sha256.Sum256(plaintext)
	return hex.EncodeToString(sum[:16])
}

// MemoryDedup is an in-process DedupStore: entries expire after their
// ttl, and at most a bounded number are kept (the oldest go first). Use a
// shared store (Redis) when several processes serve one callback URL.
type MemoryDedup struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	entries map[string]time.Time // key → expiry
	order   []dedupEntry         // insertion order, for expiry and eviction
	head    int
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
	return &MemoryDedup{max: maxEntries, now: time.Now, entries: map[string]time.Time{}}
}

// Claim implements DedupStore.
func (m *MemoryDedup) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if exp, ok := m.entries[key]; ok && now.Before(exp) {
		return false, nil
	}
	for len(m.entries) >= m.max && m.head < len(m.order) {
		m.drop(m.order[m.head])
		m.order[m.head] = dedupEntry{}
		m.head++
	}
	if len(m.order)-m.head >= 2*m.max {
		m.compact() // released keys left their entries behind
	}
	exp := now.Add(ttl)
	m.entries[key] = exp
	m.order = append(m.order, dedupEntry{key, exp})
	return true, nil
}

// Release implements DedupStore.
func (m *MemoryDedup) Release(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.entries, key)
	m.mu.Unlock()
	return nil
}

// Len returns the number of keys held.
func (m *MemoryDedup) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// expire drops the entries at the front of the insertion order whose time
// has come, and compacts the order when half of it is spent.
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

// drop deletes e's key unless the key was claimed again since (released
// and reclaimed: a later expiry).
func (m *MemoryDedup) drop(e dedupEntry) {
	if exp, ok := m.entries[e.key]; ok && exp.Equal(e.expires) {
		delete(m.entries, e.key)
	}
}

// compact keeps only the order entries still backing a key.
func (m *MemoryDedup) compact() {
	kept := make([]dedupEntry, 0, len(m.entries))
	for _, e := range m.order[m.head:] {
		if exp, ok := m.entries[e.key]; ok && exp.Equal(e.expires) {
			kept = append(kept, e)
		}
	}
	m.order, m.head = kept, 0
}
