package groupchat_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

// BenchmarkGroupDetails reads the details of 10,000 groups from a
// wecomtest server that answers every call after 3ms, like a distant
// WeCom: once one group at a time, then with AllDetails' bounded
// concurrency, in the same run. The concurrent runs report their speed-up
// over the sequential one as x-vs-sequential.
func BenchmarkGroupDetails(b *testing.B) {
	const groups = 10_000
	s := wecomtest.Start(b, wecomtest.WithLatency(3*time.Millisecond), wecomtest.WithoutRecording(), wecomtest.WithRateLimit(0))
	if err := s.AddUser(wecomtest.User{UserID: "alice", Name: "李爱丽", CustomerContact: true}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < groups; i++ {
		g := wecomtest.GroupChat{Owner: "alice", Name: fmt.Sprintf("客户群%d", i)}
		for k := 0; k < 10; k++ {
			g.Members = append(g.Members, wecomtest.GroupMember{UserID: fmt.Sprintf("wm%05d%02d", i, k), Type: 2, JoinScene: 3, Name: "客户"})
		}
		if _, err := s.AddGroupChat(g); err != nil {
			b.Fatal(err)
		}
	}
	c, err := s.Client(wecom.WithRetryPolicy(wecom.NoRetry))
	if err != nil {
		b.Fatal(err)
	}
	svc := groupchat.New(c)
	ctx := context.Background()

	run := func(b *testing.B, concurrency int) float64 {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			n := 0
			for _, err := range svc.AllDetails(ctx, &groupchat.AllDetailsRequest{NeedName: true, Concurrency: concurrency}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != groups {
				b.Fatalf("got %d groups, want %d", n, groups)
			}
		}
		perOp := float64(b.Elapsed()) / float64(b.N)
		b.ReportMetric(groups/(perOp/float64(time.Second)), "groups/s")
		return perOp
	}

	var sequential float64
	b.Run("sequential", func(b *testing.B) { sequential = run(b, 1) })
	for _, n := range []int{groupchat.DefaultDetailsConcurrency, 32} {
		b.Run(fmt.Sprintf("concurrent-%d", n), func(b *testing.B) {
			perOp := run(b, n)
			if sequential > 0 {
				b.ReportMetric(sequential/perOp, "x-vs-sequential")
			}
		})
	}
}
