package callback

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/crypto"
)

const (
	testToken = "wecomtestCallbackToken"
	testKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	otherKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

var testNow = time.Unix(1700000000, 0)

func fixedClock() time.Time { return testNow }

// wecom plays WeCom's side: it seals events and echostrs.
type wecom struct {
	t     testing.TB
	c     *crypto.Crypter
	nonce int
}

func newWeCom(t testing.TB, key, receiver string) *wecom {
	c, err := crypto.New(testToken, key, receiver)
	require.NoError(t, err)
	return &wecom{t: t, c: c}
}

// post returns a POST of the sealed event XML, signed at ts.
func (w *wecom) post(xml string, ts time.Time) *http.Request {
	w.nonce++
	s, err := w.c.Seal([]byte(xml), ts.Unix(), "n"+string(rune('a'+w.nonce%26)))
	require.NoError(w.t, err)
	return httptest.NewRequest(http.MethodPost, "/cb?"+s.URLValues().Encode(), bytes.NewReader(s.EventXML(testCorpID, "1000002")))
}

// verify returns the URL-verification GET for echo.
func (w *wecom) verify(echo string, ts time.Time) *http.Request {
	s, err := w.c.Seal([]byte(echo), ts.Unix(), "12345")
	require.NoError(w.t, err)
	q := s.Query()
	q.EchoStr = s.Encrypt
	return httptest.NewRequest(http.MethodGet, "/cb?"+q.Values().Encode(), nil)
}

func newHandler(t testing.TB, opts ...Option) *Handler {
	h, err := New(testToken, testKey, testCorpID, append([]Option{WithClock(fixedClock)}, opts...)...)
	require.NoError(t, err)
	return h
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestVerifyURL(t *testing.T) {
	h := newHandler(t)
	wc := newWeCom(t, testKey, testCorpID)
	rec := serve(h, wc.verify("5927782489442352469", testNow))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "5927782489442352469", rec.Body.String(), "no quotes, BOM or newline")
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))

	// An echostr under another key, for another corp, a tampered signature.
	rec = serve(h, newWeCom(t, otherKey, testCorpID).verify("1", testNow))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "cannot decrypt", rec.Body.String())
	rec = serve(h, newWeCom(t, testKey, "wwother").verify("1", testNow))
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "wrong receiver", rec.Body.String())
	r := wc.verify("1", testNow)
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "nonce=12345", "nonce=12346", 1)
	rec = serve(h, r)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "bad signature", rec.Body.String())

	r = wc.verify("1", testNow)
	q := r.URL.Query()
	q.Del("echostr")
	r.URL.RawQuery = q.Encode()
	rec = serve(h, r)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "missing msg_signature, timestamp, nonce or echostr", rec.Body.String())
}

func TestDispatchTyped(t *testing.T) {
	h := newHandler(t)
	wc := newWeCom(t, testKey, testCorpID)
	var got []Event
	var mu sync.Mutex
	record := func(ev Event) { mu.Lock(); got = append(got, ev); mu.Unlock() }
	On(h, func(ctx context.Context, ev *AddExternalContact) error { record(ev); return nil })
	On(h, func(ctx context.Context, ev *ExternalChatUpdate) error { record(ev); return nil })
	On(h, func(ctx context.Context, ev *ExternalTagShuffle) error { record(ev); return nil })
	var other []Event
	h.OnOther(func(ctx context.Context, ev Event) error { other = append(other, ev); return nil })

	for _, tc := range eventCases {
		rec := serve(h, wc.post(readEvent(t, tc.file), testNow))
		require.Equal(t, http.StatusOK, rec.Code, tc.file)
		assert.Equal(t, "success", rec.Body.String())
	}
	// Typed handlers got their events, the catch-all the rest, in order.
	require.Len(t, got, 7)
	assert.Equal(t, withRaw(eventCases[0].want, readEvent(t, "add_external_contact")), got[0])
	for i, f := range []string{"chat_update_add_member", "chat_update_del_member", "chat_update_change_owner", "chat_update_change_name", "chat_update_change_notice"} {
		assert.IsType(t, &ExternalChatUpdate{}, got[i+1])
		assert.Equal(t, readEvent(t, f), got[i+1].EventHeader().Raw)
	}
	assert.IsType(t, &ExternalTagShuffle{}, got[6])
	require.Len(t, other, len(eventCases)-7)
	last := other[len(other)-1].(*UnknownEvent)
	assert.Equal(t, "product_album_audit", last.Event)
	assert.Equal(t, "xi7ldqAAAAA", last.Get("ProductId"))
	for _, ev := range other {
		assert.NotEqual(t, kindAddExternalContact, ev.kind())
		assert.NotEqual(t, kindExternalChatUpdate, ev.kind())
	}

	// Typed UnknownEvent handler; removing a handler with nil.
	var unknown int
	On(h, func(ctx context.Context, ev *UnknownEvent) error { unknown++; return nil })
	On[AddExternalContact](h, nil)
	n := len(other)
	assert.Equal(t, http.StatusOK, serve(h, wc.post(strings.Replace(readEvent(t, "unknown_product_audit"), "2</AuditStatus>", "3</AuditStatus>", 1), testNow)).Code)
	assert.Equal(t, http.StatusOK, serve(h, wc.post(strings.Replace(readEvent(t, "add_external_contact"), "teststate", "s2", 1), testNow)).Code)
	assert.Equal(t, 1, unknown)
	assert.Len(t, other, n+1)
	assert.IsType(t, &AddExternalContact{}, other[n])
}

func TestNoHandlerAcknowledges(t *testing.T) {
	h := newHandler(t)
	rec := serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "tag_create"), testNow))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "success", rec.Body.String())
}

func TestHandlerErrorRedelivery(t *testing.T) {
	h := newHandler(t)
	wc := newWeCom(t, testKey, testCorpID)
	var calls int
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		calls++
		if calls == 1 {
			return errors.New("database down")
		}
		return nil
	})
	raw := readEvent(t, "del_follow_user")
	rec := serve(h, wc.post(raw, testNow))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "handler failed", rec.Body.String())

	// WeCom redelivers (encrypted afresh): handled, since the failure
	// released the dedup key.
	rec = serve(h, wc.post(raw, testNow.Add(5*time.Second)))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 2, calls)

	// A third delivery of the handled event is acknowledged, not handled.
	rec = serve(h, wc.post(raw, testNow.Add(10*time.Second)))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "success", rec.Body.String())
	assert.Equal(t, 2, calls)

	// A different event is handled.
	rec = serve(h, wc.post(strings.Replace(raw, "zhangsan", "lisi", 1), testNow))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 3, calls)
}

func TestHandlerPanic(t *testing.T) {
	var buf bytes.Buffer
	h := newHandler(t, WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	On(h, func(ctx context.Context, ev *DelFollowUser) error { panic("boom") })
	rec := serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "del_follow_user"), testNow))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, buf.String(), "handler panicked: boom")
}

func TestDedupDisabled(t *testing.T) {
	h := newHandler(t, WithDedup(nil, 0))
	var calls int
	On(h, func(ctx context.Context, ev *DelFollowUser) error { calls++; return nil })
	wc := newWeCom(t, testKey, testCorpID)
	for range 3 {
		assert.Equal(t, http.StatusOK, serve(h, wc.post(readEvent(t, "del_follow_user"), testNow)).Code)
	}
	assert.Equal(t, 3, calls)
}

type failingStore struct{ claims, releases atomic.Int32 }

func (f *failingStore) Claim(context.Context, string, time.Duration) (bool, error) {
	f.claims.Add(1)
	return false, errors.New("redis: connection refused")
}

func (f *failingStore) Release(context.Context, string) error {
	f.releases.Add(1)
	return errors.New("redis: connection refused")
}

func TestDedupStoreFailure(t *testing.T) {
	var buf bytes.Buffer
	store := &failingStore{}
	h := newHandler(t, WithDedup(store, time.Minute), WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	var calls int
	On(h, func(ctx context.Context, ev *DelFollowUser) error { calls++; return nil })
	wc := newWeCom(t, testKey, testCorpID)
	for range 2 {
		assert.Equal(t, http.StatusOK, serve(h, wc.post(readEvent(t, "del_follow_user"), testNow)).Code)
	}
	assert.Equal(t, 2, calls, "handled despite the store")
	assert.Equal(t, int32(2), store.claims.Load())
	assert.Equal(t, int32(0), store.releases.Load())
	assert.Contains(t, buf.String(), "dedup store failed")
}

// keyStore records the keys it is given.
type keyStore struct {
	mu   sync.Mutex
	keys []string
	ttl  time.Duration
	*MemoryDedup
}

func (k *keyStore) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	k.mu.Lock()
	k.keys, k.ttl = append(k.keys, key), ttl
	k.mu.Unlock()
	return k.MemoryDedup.Claim(ctx, key, ttl)
}

func TestDedupKey(t *testing.T) {
	store := &keyStore{MemoryDedup: NewMemoryDedup(10)}
	h := newHandler(t, WithDedup(store, 42*time.Second))
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "chat_dismiss")
	serve(h, wc.post(raw, testNow))
	serve(h, wc.post(raw, testNow.Add(time.Second)))
	require.Len(t, store.keys, 2)
	assert.Equal(t, store.keys[0], store.keys[1], "the same plaintext, encrypted twice, has one key")
	assert.Equal(t, DedupKey([]byte(raw)), store.keys[0])
	assert.Len(t, store.keys[0], 32)
	assert.Equal(t, 42*time.Second, store.ttl)
}

func TestBadRequests(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), WithMaxBodyBytes(4096))
	var dispatched int
	h.OnOther(func(context.Context, Event) error { dispatched++; return nil })
	wc := newWeCom(t, testKey, testCorpID)
	good := func() *http.Request { return wc.post(readEvent(t, "add_external_contact"), testNow) }
	withQuery := func(r *http.Request, change func(url.Values)) *http.Request {
		q := r.URL.Query()
		change(q)
		r.URL.RawQuery = q.Encode()
		return r
	}
	withBody := func(r *http.Request, body string) *http.Request {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		return r
	}
	sealed := func(xml string) *http.Request { return wc.post(xml, testNow) }

	cases := []struct {
		name   string
		req    *http.Request
		status int
		reason string
	}{
		{"PUT", httptest.NewRequest(http.MethodPut, "/cb", nil), 405, "method not allowed"},
		{"HEAD", httptest.NewRequest(http.MethodHead, "/cb", nil), 405, "method not allowed"},
		{"no query", httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("<xml/>")), 400, "missing msg_signature, timestamp or nonce"},
		{"no signature", withQuery(good(), func(q url.Values) { q.Del("msg_signature") }), 400, "missing msg_signature, timestamp or nonce"},
		{"no timestamp", withQuery(good(), func(q url.Values) { q.Del("timestamp") }), 400, "missing msg_signature, timestamp or nonce"},
		{"no nonce", withQuery(good(), func(q url.Values) { q.Del("nonce") }), 400, "missing msg_signature, timestamp or nonce"},
		{"bad escape", func() *http.Request {
			r := good()
			r.URL.RawQuery += "&nonce=%zz"
			r.URL.RawQuery = "nonce=%zz&" + r.URL.RawQuery
			return r
		}(), 400, "malformed query"},
		{"timestamp not a number", withQuery(good(), func(q url.Values) { q.Set("timestamp", "yesterday") }), 400, "malformed timestamp"},
		{"stale timestamp", wc.post(readEvent(t, "add_external_contact"), testNow.Add(-5*time.Minute-time.Second)), 403, "stale timestamp"},
		{"future timestamp", wc.post(readEvent(t, "add_external_contact"), testNow.Add(5*time.Minute+time.Second)), 403, "stale timestamp"},
		{"bad signature", withQuery(good(), func(q url.Values) { q.Set("msg_signature", strings.Repeat("a", 40)) }), 403, "bad signature"},
		{"signature of another nonce", withQuery(good(), func(q url.Values) { q.Set("nonce", "other") }), 403, "bad signature"},
		{"wrong receiver", newWeCom(t, testKey, "wwOTHER").post(readEvent(t, "add_external_contact"), testNow), 403, "wrong receiver"},
		{"another key", newWeCom(t, otherKey, testCorpID).post(readEvent(t, "add_external_contact"), testNow), 400, "cannot decrypt"},
		{"empty body", withBody(good(), ""), 400, "malformed XML envelope"},
		{"not XML", withBody(good(), "hello"), 400, "malformed XML envelope"},
		{"no Encrypt", withBody(good(), "<xml><ToUserName>x</ToUserName></xml>"), 400, "malformed XML envelope"},
		{"malformed event", sealed("<xml><Event>x</Event>"), 400, "malformed event XML"},
		{"bad CreateTime", sealed("<xml><CreateTime>x</CreateTime></xml>"), 400, "malformed event XML"},
		{"body too large", withBody(good(), strings.Repeat("x", 4097)), 413, "body too large"},
		{"body too large, no length", func() *http.Request { r := withBody(good(), strings.Repeat("x", 5000)); r.ContentLength = -1; return r }(), 413, "body too large"},
		{"body read error", func() *http.Request {
			r := good()
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader("<xml>"), errReader{}))
			return r
		}(), 400, "cannot read body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, tc.req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.reason, rec.Body.String())
		})
	}
	assert.Zero(t, dispatched, "nothing dispatched")
	assert.Equal(t, "GET, POST", serve(h, httptest.NewRequest(http.MethodPut, "/cb", nil)).Header().Get("Allow"))

	// The logs say why, and never carry a secret.
	l := logs.String()
	assert.Contains(t, l, "reason=\"bad signature\"")
	assert.Contains(t, l, "reason=\"stale timestamp\"")
	assert.Contains(t, l, "status=403")
	for _, secret := range []string{testToken, testKey} {
		assert.NotContains(t, l, secret)
	}
	assert.NotContains(t, l, "msg_signature=")
	assert.NotContains(t, l, "zhangsan", "no message content")

	// A good request still works after all that.
	assert.Equal(t, http.StatusOK, serve(h, good()).Code)
	assert.Equal(t, 1, dispatched)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestTimestampWindow(t *testing.T) {
	wc := newWeCom(t, testKey, testCorpID)
	h := newHandler(t, WithTimestampWindow(time.Minute))
	assert.Equal(t, 403, serve(h, wc.post(readEvent(t, "chat_create"), testNow.Add(-61*time.Second))).Code)
	assert.Equal(t, 200, serve(h, wc.post(readEvent(t, "chat_create"), testNow.Add(-60*time.Second))).Code)
	h = newHandler(t, WithTimestampWindow(0))
	assert.Equal(t, 200, serve(h, wc.post(readEvent(t, "chat_create"), time.Unix(1, 0))).Code)
	assert.Equal(t, 200, serve(h, wc.verify("e", time.Unix(1, 0))).Code)
}

func TestNewErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		token, key string
		opts       []Option
		want       string
	}{
		"bad key":     {testToken, "short", nil, "invalid EncodingAESKey"},
		"empty token": {"", testKey, nil, "empty callback token"},
		"max body":    {testToken, testKey, []Option{WithMaxBodyBytes(0)}, "WithMaxBodyBytes"},
		"window":      {testToken, testKey, []Option{WithTimestampWindow(-time.Second)}, "WithTimestampWindow"},
		"async":       {testToken, testKey, []Option{WithAsync(0, 10)}, "WithAsync"},
		"async queue": {testToken, testKey, []Option{WithAsync(1, -1)}, "WithAsync"},
		"dedup ttl":   {testToken, testKey, []Option{WithDedup(NewMemoryDedup(1), 0)}, "WithDedup"},
		"nil clock":   {testToken, testKey, []Option{WithClock(nil)}, "WithClock"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.token, tc.key, testCorpID, tc.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
	_, err := New(testToken, "short", "")
	assert.ErrorIs(t, err, crypto.ErrKey)
	h, err := New(testToken, testKey, "", nil) // a nil option is ignored
	require.NoError(t, err)
	assert.NoError(t, h.Shutdown(context.Background()), "sync mode: nothing to drain")
}

func TestEmptyReceiverSkipsCheck(t *testing.T) {
	h, err := New(testToken, testKey, "", WithClock(fixedClock))
	require.NoError(t, err)
	assert.Equal(t, 200, serve(h, newWeCom(t, testKey, "wwANY").post(readEvent(t, "chat_create"), testNow)).Code)
}

func TestAsync(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, WithAsync(2, 3), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	wc := newWeCom(t, testKey, testCorpID)
	release := make(chan struct{})
	var handled atomic.Int32
	var ctxErr atomic.Value
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		<-release
		handled.Add(1)
		if ctx.Err() != nil {
			ctxErr.Store(ctx.Err())
		}
		if ev.UserID == "fail" {
			return errors.New("async failure")
		}
		return nil
	})
	ev := func(user string) *http.Request {
		return wc.post(strings.Replace(readEvent(t, "del_follow_user"), "zhangsan", user, 1), testNow)
	}
	// Two workers block, three events wait in the queue; the sixth finds
	// the queue full.
	for i := range 2 {
		assert.Equal(t, 200, serve(h, ev("busy"+string(rune('a'+i)))).Code)
	}
	require.Eventually(t, func() bool { return len(h.async.jobs) == 0 }, time.Second, time.Millisecond, "both workers took a job")
	for _, u := range []string{"q1", "q2", "fail"} {
		rec := serve(h, ev(u))
		assert.Equal(t, 200, rec.Code, u)
		assert.Equal(t, "success", rec.Body.String())
	}
	rec := serve(h, ev("overflow"))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "queue full", rec.Body.String())
	assert.Zero(t, handled.Load(), "nothing handled yet: acknowledged at once")

	// The overflowed event was released, so WeCom's redelivery is taken
	// once there is room.

	// Shutdown drains everything queued.
	done := make(chan error, 1)
	go func() { done <- h.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool { return serve(h, ev("late")).Body.String() == "shutting down" }, time.Second, time.Millisecond)
	rec = serve(h, ev("late2"))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "shutting down", rec.Body.String())
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, int32(5), handled.Load())
	assert.Nil(t, ctxErr.Load(), "the request context's end does not cancel async work")
	assert.Contains(t, logs.String(), "async handler failed")
	assert.NoError(t, h.Shutdown(context.Background()), "twice")
}

func TestAsyncRedeliveryAfterOverflow(t *testing.T) {
	h := newHandler(t, WithAsync(1, 0))
	wc := newWeCom(t, testKey, testCorpID)
	gate := make(chan struct{})
	var handled atomic.Int32
	On(h, func(ctx context.Context, ev *ExternalChatCreate) error { <-gate; handled.Add(1); return nil })
	raw := readEvent(t, "chat_create")
	// Unbuffered queue: the first event is taken by the idle worker.
	require.Eventually(t, func() bool { return serve(h, wc.post(raw, testNow)).Code == 200 }, time.Second, time.Millisecond)
	other := strings.Replace(raw, "AAAA]]></ChatId>", "BBBB]]></ChatId>", 1)
	assert.Equal(t, 503, serve(h, wc.post(other, testNow)).Code)
	close(gate)
	require.Eventually(t, func() bool { return serve(h, wc.post(other, testNow)).Code == 200 }, time.Second, time.Millisecond, "redelivery accepted: the key was released")
	require.NoError(t, h.Shutdown(context.Background()))
	assert.Equal(t, int32(2), handled.Load())
}

func TestShutdownTimeout(t *testing.T) {
	h := newHandler(t, WithAsync(1, 1))
	gate := make(chan struct{})
	On(h, func(ctx context.Context, ev *ExternalChatCreate) error { <-gate; return nil })
	assert.Equal(t, 200, serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "chat_create"), testNow)).Code)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, h.Shutdown(ctx), context.DeadlineExceeded)
	close(gate)
	assert.NoError(t, h.Shutdown(context.Background()))
}

func TestConcurrentServe(t *testing.T) {
	h := newHandler(t)
	var n atomic.Int32
	On(h, func(ctx context.Context, ev *AddExternalContact) error { n.Add(1); return nil })
	wc := newWeCom(t, testKey, testCorpID)
	reqs := make([]*http.Request, 64)
	for i := range reqs {
		reqs[i] = wc.post(strings.Replace(readEvent(t, "add_external_contact"), "teststate", "s"+string(rune('A'+i)), 1), testNow)
	}
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%8 == 0 { // registration while serving
				On(h, func(ctx context.Context, ev *DelFollowUser) error { return nil })
			}
			assert.Equal(t, 200, serve(h, r).Code)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(64), n.Load())
}

func workerGoroutines() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "callback.(*workers).run")
}

func TestShutdownStopsWorkers(t *testing.T) {
	before := workerGoroutines()
	h := newHandler(t, WithAsync(8, 10))
	require.Eventually(t, func() bool { return workerGoroutines() == before+8 }, time.Second, time.Millisecond)
	require.NoError(t, h.Shutdown(context.Background()))
	assert.Eventually(t, func() bool { return workerGoroutines() == before }, time.Second, time.Millisecond, "no worker left behind")
}

// releaseFails claims like a memory store but cannot release.
type releaseFails struct{ *MemoryDedup }

func (releaseFails) Release(context.Context, string) error { return errors.New("redis: timeout") }

func TestDedupReleaseFailure(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, WithDedup(releaseFails{NewMemoryDedup(10)}, time.Minute), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	On(h, func(ctx context.Context, ev *DelFollowUser) error { return errors.New("fail") })
	assert.Equal(t, 500, serve(h, newWeCom(t, testKey, testCorpID).post(readEvent(t, "del_follow_user"), testNow)).Code)
	assert.Contains(t, logs.String(), "dedup release failed")
	assert.Contains(t, logs.String(), "redis: timeout")
}

// A redelivery that arrives while the first delivery is still being
// handled is not acknowledged: if the first one then fails, WeCom's next
// redelivery handles the event.
func TestRedeliveryDuringSlowHandler(t *testing.T) {
	h := newHandler(t)
	started, finish := make(chan struct{}), make(chan error)
	var calls atomic.Int32
	On(h, func(ctx context.Context, ev *DelFollowUser) error {
		if calls.Add(1) == 1 {
			close(started)
			return <-finish
		}
		return nil
	})
	wc := newWeCom(t, testKey, testCorpID)
	raw := readEvent(t, "del_follow_user")

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- serve(h, wc.post(raw, testNow)) }()
	<-started

	rec := serve(h, wc.post(raw, testNow.Add(5*time.Second)))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "not acknowledged while the first is running")
	assert.Equal(t, "event still being handled", rec.Body.String())

	finish <- errors.New("database down")
	assert.Equal(t, http.StatusInternalServerError, (<-first).Code)

	rec = serve(h, wc.post(raw, testNow.Add(10*time.Second)))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "success", rec.Body.String())
	assert.Equal(t, int32(2), calls.Load(), "the event is handled after the first failure")

	rec = serve(h, wc.post(raw, testNow.Add(15*time.Second)))
	assert.Equal(t, "success", rec.Body.String())
	assert.Equal(t, int32(2), calls.Load(), "and acknowledged once handled")
}
