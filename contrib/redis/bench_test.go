package redis

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// The benchmarks measure one Redis round trip per operation on loopback;
// compare BenchmarkLimiterWait with BenchmarkMemoryLimiterWait, the
// in-process limiter it replaces, in the same run.

var unlimited = wecom.Rate{Calls: 1_000_000_000, Per: time.Second, Burst: 1_000_000_000}

func BenchmarkLimiterWait(b *testing.B) {
	r := startRedis(b)
	l, err := NewLimiter(r.Client(b), unlimited, nil, WithPrefix(testPrefix(b)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Wait(ctx, testCorp, testAPI); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMemoryLimiterWait(b *testing.B) {
	l, err := wecom.NewLimiter(unlimited, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Wait(ctx, testCorp, testAPI); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkStoreGetToken(b *testing.B) {
	s, _, _ := newTestStore(b)
	ctx := context.Background()
	if err := s.SetToken(ctx, testKey, wecom.Token{Value: "tok", ExpiresAt: time.Now().Add(2 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok, err := s.GetToken(ctx, testKey); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkDedupClaimDone is the fleet's cost of deduplicating one event
// (Claim, then Done: two round trips); BenchmarkMemoryDedupClaim is the
// in-process one.
func BenchmarkDedupClaimDone(b *testing.B) {
	r := startRedis(b)
	d, err := NewDedup(r.Client(b), WithPrefix(testPrefix(b)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := strconv.FormatInt(n.Add(1), 10)
			if st, err := d.Claim(ctx, k, k, time.Minute); err != nil || st != callback.ClaimAcquired {
				b.Fatal(st, err)
			}
			if err := d.Done(ctx, k, k, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMemoryDedupClaimDone is the in-process baseline: the same two
// states in a map under a mutex, as an in-memory store keeps them.
func BenchmarkMemoryDedupClaimDone(b *testing.B) {
	m := newMemLeases()
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := strconv.FormatInt(n.Add(1), 10)
			if st, err := m.Claim(ctx, k, k, time.Minute); err != nil || st != callback.ClaimAcquired {
				b.Fatal(st, err)
			}
			if err := m.Done(ctx, k, k, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// memLeases is a minimal in-memory callback.LeaseStore.
type memLeases struct {
	mu sync.Mutex
	m  map[string]memLease
}

type memLease struct {
	owner string // "" once done
	until time.Time
}

func newMemLeases() *memLeases { return &memLeases{m: make(map[string]memLease)} }

func (m *memLeases) Claim(_ context.Context, key, owner string, lease time.Duration) (callback.ClaimState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if e, ok := m.m[key]; ok && now.Before(e.until) {
		if e.owner == "" {
			return callback.ClaimDone, nil
		}
		return callback.ClaimInProgress, nil
	}
	m.m[key] = memLease{owner: owner, until: now.Add(lease)}
	return callback.ClaimAcquired, nil
}

func (m *memLeases) Done(_ context.Context, key, owner string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = memLease{until: time.Now().Add(ttl)}
	return nil
}

func (m *memLeases) Release(_ context.Context, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m[key].owner == owner {
		delete(m.m, key)
	}
	return nil
}
