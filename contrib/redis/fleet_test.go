package redis

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// The fleet tests stand 8 wecom.Clients, each with its own Redis
// connections, Store and Limiter (instances of one service), against one
// wecomtest server and one Redis.

const (
	fleetSize       = 8
	fleetGoroutines = 200

	// apiLoad carries the bulk of the traffic; apiBudget has a small
	// fleet-wide budget.
	apiLoad   = "/cgi-bin/externalcontact/get_follow_user_list"
	apiBudget = "/cgi-bin/externalcontact/list"

	// coreLease is the token lease the wecom client takes (its
	// defaultLeaseTTL): how long the others wait for a dead holder.
	coreLease = 10 * time.Second
)

// newFleetServer starts a wecomtest server with a member who has one
// customer, so that both APIs answer successfully.
func newFleetServer(t *testing.T, opts ...wecomtest.Option) *wecomtest.Server {
	t.Helper()
	s := wecomtest.Start(t, opts...)
	paths := s.Paths()
	for _, p := range []string{apiLoad, apiBudget} {
		require.Contains(t, paths, p, "wecomtest must serve %s", p)
	}
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
	_, err := s.AddCustomer(wecomtest.Customer{ExternalUserID: "wmFleetCustomer0001", Name: "李四", Type: 1},
		wecomtest.Follow{UserID: "zhangsan", ExternalUserID: "wmFleetCustomer0001", CreateTime: 1700000000})
	require.NoError(t, err)
	return s
}

// fleetRedis returns a go-redis client for one instance, configured as a
// service would be (go-redis's retries on), closed when the test ends.
func fleetRedis(t *testing.T, r *testRedis) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{
		Addr: r.Addr,
		// A refused connection fails at once; these only bound a Redis that
		// is slow, as it is on a test machine loaded with 1,600 goroutines.
		DialTimeout:   2 * time.Second,
		ReadTimeout:   3 * time.Second,
		WriteTimeout:  3 * time.Second,
		DialerRetries: 1,
		PoolSize:      64,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

type instance struct {
	client  *wecom.Client
	store   *Store
	limiter wecom.Limiter
}

// instanceConfig shapes one instance. The zero value uses the shared Redis
// limiter with wecom.PerAPIQuota.
type instanceConfig struct {
	def         wecom.Rate
	perAPI      map[string]wecom.Rate
	limiter     wecom.Limiter // instead of the shared one
	limiterOpts []Option
	storeOpts   []Option
	clientOpts  []wecom.Option
}

// newInstance builds one instance of the service: its own Redis client,
// Store and Limiter (under the fleet's prefix) and wecom.Client.
func newInstance(t *testing.T, s *wecomtest.Server, r *testRedis, prefix string, cfg instanceConfig) instance {
	t.Helper()
	rdb := fleetRedis(t, r)
	// The fleet tests are about sharing, not about a hung Redis: a bound
	// as long as the clients' ReadTimeout, since 1,600 goroutines under
	// -race on two cores make loopback round trips of hundreds of ms,
	// which the default bound (250ms) would take for a hang.
	slow := WithOpTimeout(3 * time.Second)
	store, err := NewStore(rdb, append([]Option{WithPrefix(prefix), slow}, cfg.storeOpts...)...)
	require.NoError(t, err)
	limit := cfg.limiter
	if limit == nil {
		def := cfg.def
		if def == (wecom.Rate{}) {
			def = wecom.PerAPIQuota
		}
		limit, err = NewLimiter(rdb, def, cfg.perAPI,
			append([]Option{WithPrefix(prefix), WithFleetSize(fleetSize), slow}, cfg.limiterOpts...)...)
		require.NoError(t, err)
	}
	c, err := s.Client(append([]wecom.Option{wecom.WithTokenCache(store), wecom.WithLimiter(limit)}, cfg.clientOpts...)...)
	require.NoError(t, err)
	return instance{client: c, store: store, limiter: limit}
}

func callLoad(ctx context.Context, c *wecom.Client) error {
	var out struct {
		FollowUser []string `json:"follow_user"`
	}
	if err := c.Do(ctx, &wecom.Request{Method: http.MethodGet, Path: apiLoad, Idempotent: true}, &out); err != nil {
		return err
	}
	if !slices.Equal(out.FollowUser, []string{"zhangsan"}) {
		return errors.New("unexpected follow_user " + jsonString(out.FollowUser))
	}
	return nil
}

func callBudget(ctx context.Context, c *wecom.Client) error {
	var out struct {
		ExternalUserID []string `json:"external_userid"`
	}
	return c.Do(ctx, &wecom.Request{Method: http.MethodGet, Path: apiBudget,
		Query: url.Values{"userid": {"zhangsan"}}, Idempotent: true}, &out)
}

func jsonString(s []string) string { b, _ := json.Marshal(s); return string(b) }

// requestTimes returns when the server received the successful calls to
// path, sorted, and how many calls to it the server refused with 45009.
func requestTimes(s *wecomtest.Server, path string) (times []time.Time, limited int) {
	for _, r := range s.RequestsTo(path) {
		switch r.ErrCode {
		case 0:
			times = append(times, r.Time)
		case int(wecom.CodeFrequencyLimit):
			limited++
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return times, limited
}

// budgetBound is the most calls a Rate admits in a window of length w:
// Burst+1 at once, then one per interval.
func budgetBound(r wecom.Rate, w time.Duration) int {
	iv := r.Per / time.Duration(r.Calls)
	return r.Burst + 1 + int(w/iv)
}

type fleetResult struct {
	loadOK, budgetOK          atomic.Int64
	budgetRefused, otherFails atomic.Int64
	firstErr                  atomic.Pointer[error]
}

// bookAhead is the deadline of runFleet's calls to apiBudget.
const bookAhead = 2 * time.Second

// runFleet runs goroutines goroutines per instance for d: each calls
// apiLoad, then apiBudget, over and over.
func runFleet(insts []instance, goroutines int, d time.Duration) *fleetResult {
	res := &fleetResult{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, in := range insts {
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fail := func(err error) {
					res.otherFails.Add(1)
					res.firstErr.CompareAndSwap(nil, &err)
				}
				for time.Now().Before(end) {
					ctx, cancel := context.WithDeadline(context.Background(), end)
					err := callLoad(ctx, in.client)
					cancel()
					switch {
					case err == nil:
						res.loadOK.Add(1)
					case errors.Is(err, context.DeadlineExceeded):
						// the load API's budget is spent until the end
					default:
						fail(err)
					}
					// Book a slot at most bookAhead ahead; when the
					// budget is spent that far, back off.
					ctx, cancel = context.WithTimeout(context.Background(), bookAhead)
					err = callBudget(ctx, in.client)
					cancel()
					switch {
					case err == nil:
						res.budgetOK.Add(1)
					case errors.Is(err, context.DeadlineExceeded):
						res.budgetRefused.Add(1)
						time.Sleep(time.Duration(200+rand.IntN(100)) * time.Millisecond)
					default:
						fail(err)
					}
				}
			}()
		}
	}
	wg.Wait()
	return res
}

// admissions records when a limiter let each call through, per API.
type admissions struct {
	mu    *sync.Mutex
	times map[string][]time.Time
}

func (a admissions) add(api string, at time.Time) {
	a.mu.Lock()
	a.times[api] = append(a.times[api], at)
	a.mu.Unlock()
}

func (a admissions) sorted(api string) []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := slices.Clone(a.times[api])
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

// stampAfterWait records a limiter's admissions when its Wait returns:
// for a limiter that cannot say when it meant a call to go.
type stampAfterWait struct {
	wecom.Limiter
	rec admissions
}

func (s stampAfterWait) Wait(ctx context.Context, corpID, api string) error {
	err := s.Limiter.Wait(ctx, corpID, api)
	if err == nil {
		s.rec.add(api, time.Now())
	}
	return err
}

// Budgets of the budget tests: apiBudget is small, apiLoad large.
var (
	smallBudget = wecom.Rate{Calls: 300, Per: time.Minute, Burst: 20}
	loadBudget  = wecom.Rate{Calls: 6000, Per: time.Minute, Burst: 2000}
)

// runBudgetFleet runs the fleet for run against a server whose per-minute
// limit (45009 beyond it) on each API is what its budget admits in the
// run, plus the time that callers may book ahead. shared picks the Redis
// limiter; else every instance has a wecom.MemoryLimiter of its own.
func runBudgetFleet(t *testing.T, shared bool, run time.Duration) (*wecomtest.Server, admissions, *fleetResult, time.Duration) {
	r := startRedis(t)
	s := newFleetServer(t,
		wecomtest.WithAPIRateLimit(apiBudget, budgetBound(smallBudget, run+bookAhead)),
		wecomtest.WithAPIRateLimit(apiLoad, budgetBound(loadBudget, run+bookAhead)))
	prefix := testPrefix(t)
	perAPI := map[string]wecom.Rate{apiBudget: smallBudget, apiLoad: loadBudget}
	rec := admissions{mu: new(sync.Mutex), times: map[string][]time.Time{}}
	insts := make([]instance, fleetSize)
	for i := range insts {
		var l wecom.Limiter
		if shared {
			rl, err := NewLimiter(fleetRedis(t, r), wecom.PerAPIQuota, perAPI, WithPrefix(prefix), WithFleetSize(fleetSize), WithOpTimeout(3*time.Second))
			require.NoError(t, err)
			// Each admission at the slot the shared bucket booked, on
			// Redis's clock: the goroutine's wake-up, late by up to
			// hundreds of ms on a loaded -race run, does not blur it.
			rl.admitted = rec.add
			l = rl
		} else {
			ml, err := wecom.NewLimiter(wecom.PerAPIQuota, perAPI)
			require.NoError(t, err)
			l = stampAfterWait{Limiter: ml, rec: rec}
		}
		insts[i] = newInstance(t, s, r, prefix, instanceConfig{limiter: l})
	}
	start := time.Now()
	res := runFleet(insts, fleetGoroutines, run)
	return s, rec, res, time.Since(start)
}

// TestFleetSharesTokenAndBudget: 8 instances × 200 goroutines against one
// server: one gettoken for the fleet, and each API's budget holds for the
// fleet as a whole, at the limiter and at the server.
func TestFleetSharesTokenAndBudget(t *testing.T) {
	const run = 5 * time.Second
	s, rec, res, elapsed := runBudgetFleet(t, true, run)

	if p := res.firstErr.Load(); p != nil {
		t.Errorf("first unexpected error: %v", *p)
	}
	assert.Zero(t, res.otherFails.Load(), "calls failed other than by the budget")
	assert.Equal(t, 1, s.TokensIssued(), "one gettoken for the whole fleet")
	assert.Len(t, s.RequestsTo("/cgi-bin/gettoken"), 1)

	for _, api := range []struct {
		path   string
		budget wecom.Rate
	}{{apiBudget, smallBudget}, {apiLoad, loadBudget}} {
		atServer, limited := requestTimes(s, api.path)
		assert.Zero(t, limited, "the server refused calls to %s with 45009", api.path)
		admitted := rec.sorted(api.path)
		assert.GreaterOrEqual(t, len(admitted), len(atServer))
		for _, w := range []time.Duration{time.Second, 2 * time.Second, run} {
			got, bound := maxInWindow(admitted, w), budgetBound(api.budget, w)
			t.Logf("%s: fleet-wide at most %d calls admitted in any %s (budget %d); %d arrived at the server",
				api.path, got, w, bound, maxInWindow(atServer, w))
			// Admissions are the slots booked, on Redis's clock: exact.
			assert.LessOrEqual(t, got, bound, "%s, window %s", api.path, w)
		}
	}
	// The budget was used, not starved. Slots are lost when Redis answers
	// so late, on a loaded machine, that the caller's deadline passes before
	// its slot; and fewer calls arrive at the server, as a call admitted
	// near its deadline may run out of time on the way.
	assert.GreaterOrEqual(t, len(rec.sorted(apiBudget)), budgetBound(smallBudget, run)/2)
	t.Logf("fleet run %s: %d instances × %d goroutines; %s ok %d, %s ok %d (refused by the shared budget %d); gettoken %d",
		elapsed.Round(time.Millisecond), fleetSize, fleetGoroutines, apiLoad, res.loadOK.Load(), apiBudget, res.budgetOK.Load(),
		res.budgetRefused.Load(), s.TokensIssued())
}

// TestFleetLocalLimitersOverrun is the control of the budget checks above:
// the same fleet with a limiter per instance goes over the budget, and the
// server says so.
func TestFleetLocalLimitersOverrun(t *testing.T) {
	const run = 2 * time.Second
	s, rec, _, _ := runBudgetFleet(t, false, run)
	admitted := rec.sorted(apiBudget)
	got, bound := maxInWindow(admitted, run), budgetBound(smallBudget, run)
	_, limited := requestTimes(s, apiBudget)
	t.Logf("unshared limiters: %d calls admitted in %s (the budget allows %d); the server refused %d with 45009", got, run, bound, limited)
	assert.Greater(t, got, 4*bound, "8 unshared limiters admit about 8 times the budget")
	assert.Positive(t, limited, "the server refuses the excess")
	assert.Equal(t, 1, s.TokensIssued(), "the token is still shared")
}

// hangingTransport blocks gettoken until released, as an instance that
// took the lease and then hung (or died) would.
type hangingTransport struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (h *hangingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/cgi-bin/gettoken" {
		h.once.Do(func() { close(h.entered) })
		select {
		case <-h.release:
			return nil, errors.New("instance was dead")
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestFleetLeaseHolderDies: the instance that holds the refresh lease hangs
// inside gettoken and its caller gives up. The rest of the fleet waits at
// most about one lease, then one of them fetches the token.
func TestFleetLeaseHolderDies(t *testing.T) {
	r := startRedis(t)
	s := newFleetServer(t)
	prefix := testPrefix(t)

	hang := &hangingTransport{entered: make(chan struct{}), release: make(chan struct{})}
	holder := newInstance(t, s, r, prefix, instanceConfig{
		clientOpts: []wecom.Option{wecom.WithHTTPClient(&http.Client{Transport: hang})}})
	hctx, hcancel := context.WithCancel(context.Background())
	holderDone := make(chan error, 1)
	go func() { holderDone <- callLoad(hctx, holder.client) }()
	select {
	case <-hang.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the holder never reached gettoken")
	}
	leaseTaken := time.Now()
	rdb := r.Client(t)
	leaseKey := prefix + "{" + wecom.TokenCacheKey(s.CorpID, s.Secret) + "}:lease"
	require.Equal(t, int64(1), rdb.Exists(context.Background(), leaseKey).Val(), "the holder has the lease")

	// Its caller gives up: the call returns, the lease stays held.
	hcancel()
	select {
	case err := <-holderDone:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Second):
		t.Fatal("the holder's caller was not released by its context")
	}

	others := make([]instance, fleetSize-1)
	for i := range others {
		others[i] = newInstance(t, s, r, prefix, instanceConfig{})
	}
	// Every goroutine first waits for the token; only when all have it do
	// they call, so that the calls' load does not blur the measure.
	var got, wg sync.WaitGroup
	var goroutineStall, callStall atomic.Int64
	instanceStall := make([]atomic.Int64, len(others)) // when the token reached each instance
	for i := range instanceStall {
		instanceStall[i].Store(int64(time.Hour))
	}
	var fails atomic.Int64
	allHaveIt := make(chan struct{})
	start := time.Now()
	for i, in := range others {
		for g := 0; g < fleetGoroutines; g++ {
			wg.Add(1)
			got.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 3*coreLease)
				defer cancel()
				_, err := in.client.AccessToken(ctx)
				d := time.Since(leaseTaken)
				got.Done()
				if err == nil {
					storeMin(&instanceStall[i], d)
					storeMax(&goroutineStall, d)
					<-allHaveIt
					err = callLoad(ctx, in.client)
				}
				if err != nil {
					fails.Add(1)
					t.Error(err)
					return
				}
				storeMax(&callStall, time.Since(leaseTaken))
			}()
		}
	}
	got.Wait()
	close(allHaveIt)
	wg.Wait()
	var stall time.Duration
	for i := range instanceStall {
		stall = max(stall, time.Duration(instanceStall[i].Load()))
	}
	t.Logf("holder hung with the lease: the token reached the other %d instances at most %s after it took the lease (lease %s; they asked %s after it); all %d goroutines had it after %s; their calls were done after %s",
		len(others), stall.Round(time.Millisecond), coreLease, start.Sub(leaseTaken).Round(time.Millisecond),
		len(others)*fleetGoroutines, time.Duration(goroutineStall.Load()).Round(time.Millisecond),
		time.Duration(callStall.Load()).Round(time.Millisecond))
	assert.Zero(t, fails.Load())
	// Waiters cannot tell a dead holder from a slow one before its lease
	// ends; then one of them takes the lease over and fetches, and the
	// others see the token at their next poll of the cache (a backoff of
	// at most 200ms). Measured: about 10.2s; the slack is for slow machines.
	assert.LessOrEqual(t, stall, coreLease+time.Second, "no instance stalls much beyond the lease")
	assert.Greater(t, stall, coreLease-time.Second, "the others did wait for the holder")
	assert.Equal(t, 1, s.TokensIssued(), "one gettoken: the new lease holder's")

	// The dead holder comes back while another instance holds the lease:
	// its release is fenced, and its next call takes the fleet's token
	// instead of fetching.
	current, acquired, err := others[0].store.LockToken(context.Background(), wecom.TokenCacheKey(s.CorpID, s.Secret), time.Minute)
	require.NoError(t, err)
	require.True(t, acquired)
	fence := rdb.Get(context.Background(), leaseKey).Val()
	close(hang.release)
	require.Eventually(t, func() bool { return callLoad(context.Background(), holder.client) == nil },
		10*time.Second, 50*time.Millisecond, "the holder recovers")
	assert.Equal(t, fence, rdb.Get(context.Background(), leaseKey).Val(), "the current lease survived the old holder's release")
	current()
	assert.Equal(t, 1, s.TokensIssued())
}

func storeMin(v *atomic.Int64, d time.Duration) {
	for {
		w := v.Load()
		if int64(d) >= w || v.CompareAndSwap(w, int64(d)) {
			return
		}
	}
}

func storeMax(v *atomic.Int64, d time.Duration) {
	for {
		w := v.Load()
		if int64(d) <= w || v.CompareAndSwap(w, int64(d)) {
			return
		}
	}
}

// TestFleetOneGettokenPerLifetime runs the fleet across several short token
// lifetimes: each costs one gettoken, whoever notices first, and no call
// fails on an expired token.
func TestFleetOneGettokenPerLifetime(t *testing.T) {
	r := startRedis(t)
	const ttl, ahead = 5 * time.Second, 2 * time.Second
	s := newFleetServer(t, wecomtest.WithTokenTTL(ttl), wecomtest.WithRateLimit(0))
	prefix := testPrefix(t)
	unlimited := wecom.Rate{Calls: 1_000_000, Per: time.Second, Burst: 1_000_000}
	insts := make([]instance, fleetSize)
	for i := range insts {
		insts[i] = newInstance(t, s, r, prefix, instanceConfig{def: unlimited,
			storeOpts:  []Option{WithTokenRefreshAhead(ahead)},
			clientOpts: []wecom.Option{wecom.WithTokenRefreshAhead(ahead)}})
	}
	// Fewer goroutines than the other fleet tests: with 1,600 the loaded
	// test machine takes seconds to answer gettoken, more than the refresh
	// margin, which this test is not about.
	const run = 10 * time.Second
	res := runFleet(insts, 50, run)
	if p := res.firstErr.Load(); p != nil {
		t.Errorf("first unexpected error: %v", *p)
	}
	assert.Zero(t, res.otherFails.Load())

	var times []time.Time
	for _, req := range s.RequestsTo("/cgi-bin/gettoken") {
		times = append(times, req.Time)
	}
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]).Round(time.Millisecond))
	}
	t.Logf("%d calls over %s with %s tokens refreshed %s ahead: %d gettoken, gaps %v",
		res.loadOK.Load()+res.budgetOK.Load(), run, ttl, ahead, len(times), gaps)
	// Each token serves ttl-ahead, counted from before its gettoken went
	// out: the next fetch may come a round trip early.
	for _, g := range gaps {
		assert.Greater(t, g, ttl-ahead-250*time.Millisecond, "two gettoken within one token's use")
		assert.Less(t, g, ttl, "the next token comes before the current one expires")
	}
	assert.Equal(t, s.TokensIssued(), len(times))
	// Each token serves ttl-ahead plus the time gettoken takes on a
	// loaded server, and less than ttl.
	assert.GreaterOrEqual(t, len(times), int(run/ttl)+1)
	assert.LessOrEqual(t, len(times), int(run/(ttl-ahead))+1)
}
