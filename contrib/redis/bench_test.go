package redis

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomkit/wecom"
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

func BenchmarkStoreClaim(b *testing.B) {
	s, _, _ := newTestStore(b)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := s.Claim(ctx, strconv.FormatInt(n.Add(1), 10), time.Minute); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}
