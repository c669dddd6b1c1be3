package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/crypto"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

func benchPool(b *testing.B, max int) *provider.Tenants {
	b.Helper()
	s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: "wwsuite", SuiteSecret: "secret",
		Options: []wecom.Option{wecom.WithBaseURL("http://127.0.0.1:1")}})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := provider.NewTenants(s, provider.PermanentCodesFunc(func(context.Context, string) (string, error) { return "code", nil }),
		&provider.TenantsOptions{MaxTenants: max})
	if err != nil {
		b.Fatal(err)
	}
	return pool
}

// BenchmarkTenantsClientWarm gets a tenant's client already in the pool.
func BenchmarkTenantsClientWarm(b *testing.B) {
	pool := benchPool(b, 1000)
	ctx := context.Background()
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("wwcorp%014d", i)
		if _, err := pool.Client(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := pool.Client(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTenantsClientWarmParallel is the same from many goroutines.
func BenchmarkTenantsClientWarmParallel(b *testing.B) {
	pool := benchPool(b, 1000)
	ctx := context.Background()
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("wwcorp%014d", i)
		if _, err := pool.Client(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := pool.Client(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkTenantMemory reports the heap an idle tenant holds in the pool
// (its client and token source, not yet used), against the baseline of
// a plain wecom.New client.
func BenchmarkTenantMemory(b *testing.B) {
	const n = 2000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("wwcorp%014d", i)
	}
	// measure runs fill(n) on a fresh set each iteration and reports the
	// heap it added per tenant.
	measure := func(b *testing.B, fill func() any) {
		var before, after runtime.MemStats
		var total float64
		for j := 0; j < b.N; j++ {
			runtime.GC()
			runtime.ReadMemStats(&before)
			keep := fill()
			runtime.GC()
			runtime.ReadMemStats(&after)
			total += float64(after.HeapAlloc) - float64(before.HeapAlloc)
			runtime.KeepAlive(keep)
		}
		b.ReportMetric(total/float64(b.N)/n, "B/tenant")
	}
	b.Run("pool", func(b *testing.B) {
		measure(b, func() any {
			pool := benchPool(b, n)
			for _, id := range ids {
				if _, err := pool.Client(context.Background(), id); err != nil {
					b.Fatal(err)
				}
			}
			return pool
		})
	})
	b.Run("baseline=wecom.New", func(b *testing.B) {
		measure(b, func() any {
			keep := make([]*wecom.Client, n)
			for i, id := range ids {
				c, err := wecom.New(id, "secret")
				if err != nil {
					b.Fatal(err)
				}
				keep[i] = c
			}
			return keep
		})
	})
}

// BenchmarkInstructionAnswer posts change_auth instructions to a handler
// whose app callback takes 5 s, and reports the 99th percentile of the
// time to the answer (WeCom gives up after 1000 ms) and how many were
// refused (503) rather than queued.
func BenchmarkInstructionAnswer(b *testing.B) {
	s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: "wwsuitebench", SuiteSecret: "x"})
	if err != nil {
		b.Fatal(err)
	}
	release := make(chan struct{})
	h, err := provider.NewInstructionHandler(s, &provider.InstructionConfig{
		Token: wecomtest.DefaultCallbackToken, EncodingAESKey: wecomtest.DefaultEncodingAESKey, MemoryQueueEvents: b.N + 16,
		OnChangeAuth: func(ctx context.Context, _ *provider.AuthChange) error {
			select {
			case <-time.After(5 * time.Second):
			case <-release:
			}
			return nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := crypto.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, "wwsuitebench")
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]string, b.N)
	queries := make([]string, b.N)
	for i := range bodies {
		msg := fmt.Sprintf("<xml><SuiteId><![CDATA[wwsuitebench]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>%d</TimeStamp><AuthCorpId><![CDATA[wwc%d]]></AuthCorpId></xml>", 1700000000+i, i)
		sealed, err := c.Seal([]byte(msg), time.Now().Unix(), "")
		if err != nil {
			b.Fatal(err)
		}
		bodies[i], queries[i] = string(sealed.EventXML("wwsuitebench", "")), sealed.URLValues().Encode()
	}
	lat := make([]time.Duration, b.N)
	refused := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := http.Post(srv.URL+"?"+queries[i], "text/xml", strings.NewReader(bodies[i]))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		lat[i] = time.Since(start)
		if resp.StatusCode != http.StatusOK {
			refused++
		}
	}
	b.StopTimer()
	close(release)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(refused), "refused")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = h.Shutdown(ctx)
}
