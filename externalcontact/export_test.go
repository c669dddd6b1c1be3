package externalcontact

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// bulkCustomers adds staff members and customers, each customer followed by
// perCustomer consecutive members, so that every member has
// customers*perCustomer/staff relations. It returns the member ids.
func bulkCustomers(tb testing.TB, s *wecomtest.Server, staff, customers, perCustomer int) []string {
	tb.Helper()
	ids := make([]string, staff)
	for i := range ids {
		ids[i] = fmt.Sprintf("staff%04d", i)
		require.NoError(tb, s.AddUser(wecomtest.User{UserID: ids[i], Name: ids[i], CustomerContact: true}))
	}
	for i := 0; i < customers; i++ {
		fs := make([]wecomtest.Follow, perCustomer)
		for k := range fs {
			fs[k] = wecomtest.Follow{UserID: ids[(i+k*(staff/perCustomer))%staff], AddWay: 1 + i%6, CreateTime: 1700000000 + int64(i),
				Remark: fmt.Sprintf("客户%d", i), State: "bulk"}
		}
		_, err := s.AddCustomer(wecomtest.Customer{Name: fmt.Sprintf("客户%d", i), Type: 1, Gender: i % 3}, fs...)
		require.NoError(tb, err)
	}
	return ids
}

// allRelations returns every relation the server holds, as
// "userid/external_userid".
func allRelations(s *wecomtest.Server, staff []string) map[string]bool {
	out := map[string]bool{}
	for _, u := range staff {
		for _, f := range s.FollowsOf(u) {
			out[u+"/"+f.ExternalUserID] = true
		}
	}
	return out
}

func TestExportCustomersDeliversEachRelationOnce(t *testing.T) {
	s, svc := newEnv(t)
	staff := bulkCustomers(t, s, 30, 600, 2) // 1200 relations, 40 per member
	want := allRelations(s, staff)
	require.Len(t, want, 1200)

	got := map[string]int{}
	input := append(append([]string{"", staff[0]}, staff...), staff[3]) // duplicates and blanks are skipped
	st, err := svc.ExportCustomers(context.Background(), &ExportCustomersRequest{UserIDs: input, Concurrency: 4, Limit: 25}, func(r CustomerRelation) error {
		got[r.FollowInfo.UserID+"/"+r.ExternalContact.ExternalUserID]++
		assert.NotEmpty(t, r.ExternalContact.Name)
		return nil
	})
	require.NoError(t, err)
	assert.Len(t, got, len(want))
	for k, n := range got {
		assert.True(t, want[k], k)
		assert.Equal(t, 1, n, k)
	}
	assert.Equal(t, 30, st.Staff)
	assert.Equal(t, 4, st.Chunks, "30 members on 4 workers: 4 lists of 7-8")
	assert.EqualValues(t, 1200, st.Relations)
	reqs := s.RequestsTo("/cgi-bin/externalcontact/batch/get_by_user")
	assert.EqualValues(t, len(reqs), st.Pages)
	// 7 or 8 members × 40 relations in pages of 25: 12 or 13 pages each.
	assert.InDelta(t, 50, st.Pages, 2)
	for _, r := range reqs {
		b := jsonBody(t, r.Body)
		assert.EqualValues(t, 25, b["limit"])
		assert.LessOrEqual(t, len(b["userid_list"].([]any)), 8)
	}
}

// TestExportCustomersWithFaults exports under a 5% fault rate of every
// transient kind: the client's retries absorb them all, and no relation is
// lost or delivered twice. Small data, many pages (limit 10), so that the
// faults hit ~30 pages.
func TestExportCustomersWithFaults(t *testing.T) {
	faults := []wecomtest.Fault{wecomtest.FaultBusy, wecomtest.FaultRateLimited, wecomtest.FaultBadGateway,
		wecomtest.FaultDropped, wecomtest.FaultTokenRevoked}
	s := wecomtest.Start(t, wecomtest.WithoutRecording(), wecomtest.WithRateLimit(0))
	staff := bulkCustomers(t, s, 100, 3_000, 2)
	want := allRelations(s, staff)
	require.Len(t, want, 6_000)
	var failed atomic.Int64
	// Six attempts: a page failing all of them at 5% is a 1-in-6e7 event.
	policy := testRetry
	policy.MaxAttempts = 6
	c, err := s.Client(wecom.WithRetryPolicy(policy), wecom.WithObserver(func(_ context.Context, ci wecom.CallInfo) {
		if ci.Err != nil {
			failed.Add(1)
		}
	}))
	require.NoError(t, err)
	svc := New(c)

	s.SetFaultRate(0.05, faults...)
	got := make(map[string]int, len(want))
	st, err := svc.ExportCustomers(context.Background(), &ExportCustomersRequest{UserIDs: staff, Concurrency: 8, Limit: 10},
		func(r CustomerRelation) error {
			got[r.FollowInfo.UserID+"/"+r.ExternalContact.ExternalUserID]++
			return nil
		})
	s.SetFaultRate(0)
	require.NoError(t, err)
	assert.EqualValues(t, 6_000, st.Relations)
	require.Len(t, got, len(want))
	dups := 0
	for k, n := range got {
		if !want[k] || n != 1 {
			dups++
		}
	}
	assert.Zero(t, dups, "relations delivered more than once or unknown")
	assert.Greater(t, failed.Load(), int64(5), "5%% of ~600 pages failed at least once")
	t.Logf("%+v, %d failed attempts", st, failed.Load())
}

func TestExportCustomersStops(t *testing.T) {
	ctx := context.Background()
	path := "/cgi-bin/externalcontact/batch/get_by_user"

	t.Run("callback error", func(t *testing.T) {
		s, svc := newEnv(t)
		staff := bulkCustomers(t, s, 20, 1000, 1)
		boom := errors.New("disk full")
		n := 0
		st, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: 3, Limit: 10}, func(CustomerRelation) error {
			n++
			if n == 15 {
				return boom
			}
			return nil
		})
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, 15, n, "no call after the error")
		assert.EqualValues(t, 14, st.Relations)
		assert.Less(t, len(s.RequestsTo(path)), 100, "fetching stopped")
	})

	t.Run("permanent failure", func(t *testing.T) {
		s, svc := newEnv(t)
		staff := bulkCustomers(t, s, 4, 100, 1)
		s.FailNext(path, 1, wecomtest.Fault{Code: 48002, Message: "api forbidden"})
		st, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: 1}, func(CustomerRelation) error { return nil })
		assert.True(t, wecom.IsPermissionDenied(err), "%v", err)
		assert.ErrorContains(t, err, "export customers of 4 members")
		assert.Len(t, s.RequestsTo(path), 1, "a permission error is not retried")
		assert.EqualValues(t, 0, st.Relations)
	})

	// One retry layer: a page that keeps failing is sent as often as the
	// client's policy allows, and not once more.
	t.Run("transient failure outlasting retries", func(t *testing.T) {
		s, svc := newEnv(t)
		staff := bulkCustomers(t, s, 4, 100, 1)
		s.FailNext(path, 100, wecomtest.FaultBusy)
		st, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: 1}, func(CustomerRelation) error { return nil })
		assert.True(t, wecom.IsBusy(err), "%v", err)
		assert.Len(t, s.RequestsTo(path), testRetry.MaxAttempts)
		assert.EqualValues(t, 0, st.Pages)
	})

	t.Run("call options reach every page", func(t *testing.T) {
		s, svc := newEnv(t)
		staff := bulkCustomers(t, s, 4, 100, 1)
		s.FailNext(path, 100, wecomtest.FaultBadGateway)
		_, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: 1}, func(CustomerRelation) error { return nil }, wecom.MaxAttempts(1))
		assert.Error(t, err)
		assert.Len(t, s.RequestsTo(path), 1)
	})

	t.Run("canceled", func(t *testing.T) {
		s, svc := newEnv(t)
		staff := bulkCustomers(t, s, 4, 400, 1)
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		_, err := svc.ExportCustomers(cctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: 2, Limit: 10}, func(CustomerRelation) error {
			if n++; n == 5 {
				cancel()
			}
			return nil
		})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, len(s.RequestsTo(path)), 40)
	})

	t.Run("nothing to do and misuse", func(t *testing.T) {
		s, svc := newEnv(t)
		st, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: []string{"", ""}}, func(CustomerRelation) error { return nil })
		require.NoError(t, err)
		assert.Zero(t, st.Chunks)
		assert.Empty(t, s.RequestsTo(path))
		_, err = svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: []string{"a"}}, nil)
		invalid(t, err)
		_, err = svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: []string{"a"}, Limit: -1}, func(CustomerRelation) error { return nil })
		invalid(t, err)
		st, err = svc.ExportCustomers(ctx, nil, func(CustomerRelation) error { return nil })
		require.NoError(t, err, "a nil request is the zero request: no members")
		assert.Zero(t, st.Staff)
		assert.Empty(t, s.RequestsTo(path))
	})
}

func TestBalancedChunks(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	sizes := func(cs [][]string) []int {
		var out []int
		for _, c := range cs {
			out = append(out, len(c))
		}
		return out
	}
	assert.Nil(t, balancedChunks(nil, 4, 100))
	assert.Equal(t, []int{1, 1, 1}, sizes(balancedChunks(ids(3), 8, 100)))
	assert.Equal(t, []int{31, 31, 31, 32, 31, 31, 31, 32, 31, 31, 31, 32, 31, 31, 31, 32}, sizes(balancedChunks(ids(500), 16, 100)))
	// 500 members on 4 workers: 8 lists of ≤100, two rounds of equal work.
	assert.Equal(t, []int{62, 63, 62, 63, 62, 63, 62, 63}, sizes(balancedChunks(ids(500), 4, 100)))
	all := balancedChunks(ids(1001), 3, 100)
	n := 0
	for _, c := range all {
		assert.LessOrEqual(t, len(c), 100)
		n += len(c)
	}
	assert.Equal(t, 1001, n)
	assert.Zero(t, len(all)%3)
}

// BenchmarkExportCustomers exports 100,000 relations of 500 members from a
// wecomtest WeCom answering after 20 ms, under WeCom's per-API limit
// (server side) and the SDK's PerAPIQuota limiter (client side). The
// server runs in a child process, as WeCom is not in the client's
// process: its 100,000 relations then do not weigh on the client's
// garbage collector, and heap and CPU figures are the client's own (the
// two processes still share this machine's cores).
//
// It reports, beside the wall time, the bound the latency and the rate
// limit set — max(latency × pages ÷ concurrency, rate-limited time) with
// pages the fewest possible, relations ÷ 100 — and their ratio, the peak
// live heap above the client's idle heap during the export, and the
// client's CPU time.
func BenchmarkExportCustomers(b *testing.B) {
	for _, conc := range []int{4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) { benchExport(b, conc) })
	}
}

const (
	benchStaff     = 500
	benchRelations = 100_000
	benchLatency   = 20 * time.Millisecond
	benchServerEnv = "WECOMTEST_EXPORT_BENCH_SERVER"
)

// TestExportBenchServer is BenchmarkExportCustomers' server process: the
// benchmark runs the test binary with only this test and benchServerEnv
// set. It prints the server's URL and serves until its stdin closes.
func TestExportBenchServer(t *testing.T) {
	if os.Getenv(benchServerEnv) == "" {
		t.Skip("the server process of BenchmarkExportCustomers")
	}
	// Demo data: realistic names, remarks and tags; every member has about
	// 200 customers. The server keeps WeCom's 10,000 calls/min per API.
	s := wecomtest.Start(t, wecomtest.WithLatency(benchLatency), wecomtest.WithoutRecording(),
		wecomtest.WithDemo(wecomtest.Demo{Users: benchStaff, Customers: benchRelations / 2, Relations: benchRelations, ResignedUsers: -1, GroupChats: -1}))
	require.Equal(t, benchRelations, s.RelationCount())
	fmt.Printf("URL %s\n", s.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// benchServerProcess starts TestExportBenchServer in a child process and
// returns its URL; the process ends with the benchmark.
func benchServerProcess(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportBenchServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return u
		}
	}
	b.Fatalf("the server process printed no URL: %v", sc.Err())
	return ""
}

func benchExport(b *testing.B, concurrency int) {
	url := benchServerProcess(b)
	ctx := context.Background()
	newClient := func(opts ...wecom.Option) *Service {
		c, err := wecom.New(wecomtest.DefaultCorpID, wecomtest.DefaultSecret, append([]wecom.Option{wecom.WithBaseURL(url)}, opts...)...)
		require.NoError(b, err)
		return New(c)
	}
	staff, err := newClient().ListFollowUsers(ctx)
	require.NoError(b, err)
	require.Len(b, staff, benchStaff)

	minPages := int(math.Ceil(float64(benchRelations) / MaxBatchLimit))
	latencyBound := benchLatency * time.Duration(minPages) / time.Duration(concurrency)
	// The client's limiter admits Burst calls at once and then Calls per
	// Per; the server admits serverLimit calls a minute and refuses the
	// rest until the next minute.
	const serverLimit = 10_000
	rateBound := time.Duration(0)
	if extra := minPages - wecom.PerAPIQuota.Burst; extra > 0 {
		rateBound = time.Duration(extra) * wecom.PerAPIQuota.Per / time.Duration(wecom.PerAPIQuota.Calls)
	}
	rateBound = max(rateBound, time.Duration((minPages-1)/serverLimit)*time.Minute)
	bound := max(latencyBound, rateBound)
	// The server's minute window is real time here: keep a run's calls
	// within it.
	if b.N*minPages*11/10 > serverLimit {
		b.Logf("%d exports may exceed the server's %d calls a minute", b.N, serverLimit)
	}

	var peak uint64
	var total time.Duration
	var pages int64
	var cpu float64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Each run is a fresh process: a new limiter, a warm token.
		limiter, err := wecom.NewLimiter(wecom.PerAPIQuota, nil)
		require.NoError(b, err)
		svc := newClient(wecom.WithLimiter(limiter))
		_, err = svc.c.AccessToken(ctx)
		require.NoError(b, err)
		runtime.GC()
		base := heapLive()
		stop := heapSampler(base, &peak)
		cpu0 := cpuSeconds()
		b.StartTimer()
		start := time.Now()
		st, err := svc.ExportCustomers(ctx, &ExportCustomersRequest{UserIDs: staff, Concurrency: concurrency}, func(CustomerRelation) error { return nil })
		total += time.Since(start)
		b.StopTimer()
		cpu += cpuSeconds() - cpu0
		stop()
		if err != nil || st.Relations != benchRelations {
			b.Fatalf("export: %+v, %v", st, err)
		}
		pages = st.Pages
		b.StartTimer()
	}
	wall := total / time.Duration(b.N)
	b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
	b.ReportMetric(float64(rateBound.Milliseconds()), "rate-bound-ms")
	b.ReportMetric(float64(wall)/float64(bound), "x-bound")
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(cpu*1000/float64(b.N), "client-cpu-ms")
}

// heapLive returns the live heap as of the last garbage collection.
func heapLive() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// heapSampler records into peak the largest heap growth above base
// until stop is called.
func heapSampler(base uint64, peak *uint64) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if h := heapLive(); h > base && h-base > *peak {
				*peak = h - base
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() { done.Store(true); wg.Wait() }
}

func TestExportCustomersCallbackPanicStopsWorkers(t *testing.T) {
	s, svc := newEnv(t)
	staff := bulkCustomers(t, s, 8, 800, 1)
	// Every goroutine alive now (the server's, the test's) may stay; so may
	// the HTTP connections the export opens, which the transport keeps for
	// the next call. Anything else the export started must end.
	keep := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve")}
	panicked := false
	func() {
		defer func() { panicked = recover() != nil }()
		_, _ = svc.ExportCustomers(context.Background(), &ExportCustomersRequest{UserIDs: staff, Concurrency: 4, Limit: 10}, func(CustomerRelation) error { panic("boom") })
	}()
	require.True(t, panicked, "the callback's panic reaches the caller")
	// The workers see the cancel and end (goleak retries for a while).
	goleak.VerifyNone(t, keep...)
}
