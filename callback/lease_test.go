package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for a MemoryDedup shared by "instances".
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func sharedDedup() (*MemoryDedup, *fakeClock) {
	clk := &fakeClock{now: time.Unix(5000, 0)}
	m := NewMemoryDedup(100)
	m.now = clk.Now
	return m, clk
}

func serveAsync(h http.Handler, r *http.Request) <-chan *httptest.ResponseRecorder {
	out := make(chan *httptest.ResponseRecorder, 1)
	go func() { out <- serve(h, r) }()
	return out
}

// Two instances share one store. The first delivery's handler outlives
// the answer deadline: it is answered 503 and keeps running with its
// lease; WeCom's redelivery reaches the second instance and is answered
// 503 while the lease is held, "success" once the first has finished.
// The event is handled exactly once.
func TestFleetSlowFirstDelivery(t *testing.T) {
	store, _ := sharedDedup()
	var handled atomic.Int32
	started, finish := make(chan struct{}), make(chan struct{})
	slow := func(ctx context.Context, ev *DelFollowUser) error {
		if handled.Add(1) == 1 {
			close(started)
			<-finish
		}
		return nil
	}
	a := newHandler(t, WithDedup(store, time.Hour), WithAnswerDeadline(20*time.Millisecond))
	b := newHandler(t, WithDedup(store, time.Hour))
	On(a, slow)
	On(b, slow)
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")

	first := serveAsync(a, wc.post(raw, testNow))
	<-started
	rec := <-first
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "answered at the deadline, not after the handler")
	assert.Equal(t, "event still being handled", rec.Body.String())

	for _, h := range []*Handler{b, a} { // the other instance, and this one
		rec = serve(h, wc.post(raw, testNow.Add(5*time.Second)))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "lease held")
		assert.Equal(t, "event still being handled", rec.Body.String())
	}
	close(finish)
	a.running.Wait() // the handler answered for has finished

	for _, h := range []*Handler{b, a} {
		rec = serve(h, wc.post(raw, testNow.Add(10*time.Second)))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "success", rec.Body.String())
	}
	assert.Equal(t, int32(1), handled.Load(), "handled exactly once across the fleet")
	require.NoError(t, a.Shutdown(context.Background()))
}

// A handler that fails releases the lease: the redelivery, on another
// instance, is handled.
func TestFleetFailedDeliveryHandledAgain(t *testing.T) {
	store, _ := sharedDedup()
	var calls, ok atomic.Int32
	fn := func(ctx context.Context, ev *DelFollowUser) error {
		if calls.Add(1) == 1 {
			return errors.New("database down")
		}
		ok.Add(1)
		return nil
	}
	a := newHandler(t, WithDedup(store, time.Hour))
	b := newHandler(t, WithDedup(store, time.Hour))
	On(a, fn)
	On(b, fn)
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")
	assert.Equal(t, http.StatusInternalServerError, serve(a, wc.post(raw, testNow)).Code)
	assert.Equal(t, http.StatusOK, serve(b, wc.post(raw, testNow)).Code)
	assert.Equal(t, http.StatusOK, serve(a, wc.post(raw, testNow)).Code)
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, int32(1), ok.Load())
}

// A holder that dies (its handler blocked for good, ignoring its context)
// keeps the event only until its lease runs out; the next redelivery is
// handled, on another instance and, once the handler timeout let go of
// it, on its own.
func TestFleetDeadHolderLeaseRunsOut(t *testing.T) {
	store, clk := sharedDedup()
	forever := make(chan struct{})
	t.Cleanup(func() { close(forever) })
	var dead, handledA, handledB atomic.Int32
	const timeout = 30 * time.Millisecond
	a := newHandler(t, WithDedup(store, time.Hour), WithAnswerDeadline(10*time.Millisecond), WithHandlerTimeout(timeout))
	On(a, func(ctx context.Context, ev *DelFollowUser) error {
		if dead.Add(1) == 1 {
			<-forever // dead: never returns, ignores ctx
		}
		handledA.Add(1)
		return nil
	})
	b := newHandler(t, WithDedup(store, time.Hour))
	On(b, func(ctx context.Context, ev *DelFollowUser) error { handledB.Add(1); return nil })
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")

	assert.Equal(t, http.StatusServiceUnavailable, serve(a, wc.post(raw, testNow)).Code)
	assert.Equal(t, http.StatusServiceUnavailable, serve(b, wc.post(raw, testNow)).Code, "lease still live")
	clk.Add(timeout + DefaultLeaseMargin - time.Millisecond)
	assert.Equal(t, http.StatusServiceUnavailable, serve(b, wc.post(raw, testNow)).Code, "a millisecond before it runs out")
	clk.Add(time.Millisecond)
	rec := serve(b, wc.post(raw, testNow))
	assert.Equal(t, http.StatusOK, rec.Code, "the dead holder's lease ran out")
	assert.Equal(t, int32(1), handledB.Load())

	// The same on the dead holder's own instance, for another event: its
	// in-flight entry goes when the handler timeout passes.
	raw2 := readEvent(t, "del_external_contact")
	var deadOwn atomic.Int32
	On(a, func(ctx context.Context, ev *DelExternalContact) error {
		if deadOwn.Add(1) == 1 {
			<-forever
		}
		return nil
	})
	assert.Equal(t, http.StatusServiceUnavailable, serve(a, wc.post(raw2, testNow)).Code)
	clk.Add(timeout + DefaultLeaseMargin)
	require.Eventually(t, func() bool { return serve(a, wc.post(raw2, testNow)).Code == http.StatusOK },
		5*time.Second, 5*time.Millisecond, "handled once the handler timeout let go")
	assert.Equal(t, int32(2), deadOwn.Load())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, a.Shutdown(ctx), context.DeadlineExceeded, "the dead handlers are still running")
}

// hangingStore does not answer until its caller gives up.
type hangingStore struct{ calls atomic.Int32 }

func (s *hangingStore) Claim(ctx context.Context, _, _ string, _ time.Duration) (ClaimState, error) {
	s.calls.Add(1)
	<-ctx.Done()
	return 0, ctx.Err()
}
func (s *hangingStore) Done(ctx context.Context, _, _ string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}
func (s *hangingStore) Release(ctx context.Context, _, _ string) error {
	<-ctx.Done()
	return ctx.Err()
}

// A store that hangs costs at most its timeout and does not lose the
// event: it is handled, and a concurrent redelivery in this process is
// still answered 503.
func TestDedupStoreHangs(t *testing.T) {
	var logs bytes.Buffer
	store := &hangingStore{}
	h := newHandler(t, WithDedup(store, time.Hour), WithStoreTimeout(5*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	started, finish := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		if calls.Add(1) == 1 {
			close(started)
			<-finish
		}
		return nil
	})
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")
	first := serveAsync(h, wc.post(raw, testNow))
	<-started
	assert.Equal(t, http.StatusServiceUnavailable, serve(h, wc.post(raw, testNow)).Code, "in-process guard")
	close(finish)
	assert.Equal(t, http.StatusOK, (<-first).Code)
	assert.Equal(t, int32(1), store.calls.Load(), "the redelivery did not ask the store")
	assert.Contains(t, logs.String(), "dedup store failed; handling the event anyway")
	assert.Contains(t, logs.String(), "context deadline exceeded")
}

// unknownState answers a state the contract does not have.
type unknownState struct{ MemoryDedup }

func (*unknownState) Claim(context.Context, string, string, time.Duration) (ClaimState, error) {
	return 42, nil
}

func TestDedupStoreUnknownState(t *testing.T) {
	h := newHandler(t, WithDedup(&unknownState{}, time.Hour))
	var calls int
	On(h, func(ctx context.Context, ev *DelFollowUser) error { calls++; return nil })
	assert.Equal(t, http.StatusOK, serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "del_follow_user"), testNow)).Code)
	assert.Equal(t, 1, calls, "handled as for a store failure")
}

// Without dedup the answer deadline holds too, and the handler's context
// is not the request's (it outlives the answer).
func TestAnswerDeadlineNoDedup(t *testing.T) {
	h := newHandler(t, WithDedup(nil, 0), WithAnswerDeadline(10*time.Millisecond))
	finish := make(chan struct{})
	ctxErr := make(chan error, 1)
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		<-finish
		ctxErr <- ctx.Err()
		_, ok := ctx.Deadline()
		assert.True(t, ok, "the handler timeout is the context's deadline")
		return nil
	})
	rec := serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "del_follow_user"), testNow))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	close(finish)
	assert.NoError(t, <-ctxErr, "not cancelled when the request ended")
	require.NoError(t, h.Shutdown(context.Background()))
	assert.Equal(t, "shutting down", serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "del_follow_user"), testNow)).Body.String())
}

// The envelope is read before its signature is checked, so the default
// body limit is the envelope of the largest event admitted, not more:
// such an event passes, a byte more is 413 before any parsing.
func TestEnvelopeBound(t *testing.T) {
	assert.Equal(t, int64(DefaultMaxBodyBytes), MaxEnvelopeBytes(DefaultMaxEventBytes))
	assert.Less(t, DefaultMaxBodyBytes, 1<<18, "a quarter MiB at most")
	h := newHandler(t)
	var got int
	On(h, func(ctx context.Context, ev *DelFollowUser) error { got = len(ev.Raw); return nil })
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")
	big := strings.Replace(raw, "</xml>", "<Pad><![CDATA["+strings.Repeat("x", DefaultMaxEventBytes-len(raw)-len("<Pad><![CDATA[]]></Pad>"))+"]]></Pad></xml>", 1)
	require.Len(t, big, DefaultMaxEventBytes)
	r := wc.post(big, testNow)
	require.LessOrEqual(t, r.ContentLength, int64(DefaultMaxBodyBytes))
	assert.Equal(t, http.StatusOK, serve(h, r).Code)
	assert.Equal(t, DefaultMaxEventBytes, got)

	r = wc.post(raw, testNow)
	body := bytes.Repeat([]byte("<a>"), DefaultMaxBodyBytes/3+1)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), -1
	rec := serve(h, r)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Equal(t, "body too large", rec.Body.String())
}

// Many events at once, some succeeding, some failing, some still running
// at the answer deadline: each request gets its own handler's answer
// (the runs are pooled), and a second delivery of each is answered as
// the dedup state left by the first says.
func TestSyncAnswersConcurrent(t *testing.T) {
	h := newHandler(t, WithAnswerDeadline(500*time.Millisecond))
	release := make(chan struct{})
	var calls [3]atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		var i int
		_, err := fmt.Sscanf(ev.UserID, "u%d", &i)
		require.NoError(t, err)
		calls[i%3].Add(1)
		switch i % 3 {
		case 1:
			return fmt.Errorf("event %d fails", i)
		case 2:
			<-release // answered 503 at the deadline, then succeeds
		}
		return nil
	})
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")
	const n = 30
	round := func() []int {
		reqs := make([]*http.Request, n)
		for i := range reqs {
			reqs[i] = wc.post(strings.Replace(raw, "zhangsan", fmt.Sprintf("u%03d", i), 1), testNow)
		}
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = serve(h, r).Code }()
		}
		wg.Wait()
		return codes
	}

	want := [3]int{http.StatusOK, http.StatusInternalServerError, http.StatusServiceUnavailable}
	for i, code := range round() {
		assert.Equal(t, want[i%3], code, "event %d, first delivery", i)
	}
	close(release)
	h.running.Wait() // the handlers answered for have finished

	// Done: acknowledged unhandled; released after failing: handled
	// (and failing) again; answered 503 but then succeeded: done.
	want = [3]int{http.StatusOK, http.StatusInternalServerError, http.StatusOK}
	for i, code := range round() {
		assert.Equal(t, want[i%3], code, "event %d, redelivery", i)
	}
	assert.Equal(t, [3]int32{n / 3, 2 * n / 3, n / 3}, [3]int32{calls[0].Load(), calls[1].Load(), calls[2].Load()})
	require.NoError(t, h.Shutdown(context.Background()))
}
