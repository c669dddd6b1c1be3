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

// memLeases is a minimal in-memory callback.DedupStore.
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

// BenchmarkQueueEvent is one event through the Redis Streams Queue:
// Enqueue, Receive (in batches of 16, as a worker takes them) and Ack. Its
// events/s is the durable path's throughput on this machine;
// BenchmarkMemoryQueueEvent is the same through a channel, the in-memory
// queue's cost.
func BenchmarkQueueEvent(b *testing.B) {
	r := startRedis(b)
	q, err := NewQueue(r.Client(b), "bench", WithPrefix(testPrefix(b)), WithOpTimeout(5*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	payload := []byte(benchEventXML)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for got := 0; got < b.N; {
			ds, err := q.Receive(ctx, "bench", 16, time.Second)
			if err != nil {
				b.Error(err)
				return
			}
			for _, d := range ds {
				if err := q.Ack(ctx, d); err != nil {
					b.Error(err)
					return
				}
			}
			got += len(ds)
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := q.Enqueue(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

func BenchmarkMemoryQueueEvent(b *testing.B) {
	ch := make(chan []byte, 1024)
	payload := []byte(benchEventXML)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for got := 0; got < b.N; got++ {
			<-ch
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ch <- append([]byte(nil), payload...)
		}
	})
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// benchEventXML is a decrypted add_external_contact event, the usual
// size of what async mode enqueues.
const benchEventXML = addContactXML
