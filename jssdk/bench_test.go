package jssdk_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/jssdk"
	"github.com/wecomkit/wecom/wecomtest"
)

func benchService(b *testing.B) *jssdk.Service {
	b.Helper()
	srv, err := wecomtest.NewServer(wecomtest.WithoutRecording())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	if err != nil {
		b.Fatal(err)
	}
	svc := jssdk.New(c, nil)
	if _, err := svc.Ticket(context.Background(), jssdk.CorpTicket); err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkTicketWarm is the ticket read of every page load once the
// ticket is cached (goal: 0 allocations).
func BenchmarkTicketWarm(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Ticket(ctx, jssdk.CorpTicket); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineAccessTokenWarm is the Client's own warm token read,
// the machinery the tickets share.
func BenchmarkBaselineAccessTokenWarm(b *testing.B) {
	srv, err := wecomtest.NewServer(wecomtest.WithoutRecording())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.AccessToken(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.AccessToken(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

const benchTicket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"

// BenchmarkSignConfig is a whole signature for a page load: warm ticket,
// URL check, nonce from crypto/rand, SHA-1 (goal: ≤ 2 µs).
func BenchmarkSignConfig(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.SignConfig(ctx, pageURL); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign is the algorithm alone.
func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = jssdk.Sign(benchTicket, "Wm3WZYTPz0wzccnW", 1414587457, pageURL)
	}
}

// BenchmarkBaselineSHA1 is a bare SHA-1 and hex of the same string, built
// the obvious way.
func BenchmarkBaselineSHA1(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := "jsapi_ticket=" + benchTicket + "&noncestr=Wm3WZYTPz0wzccnW&timestamp=" + strconv.FormatInt(1414587457, 10) + "&url=" + pageURL
		sum := sha1.Sum([]byte(s))
		_ = hex.EncodeToString(sum[:])
	}
}
