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

type failingStore struct{ claims, dones, releases atomic.Int32 }

func (f *failingStore) Claim(context.Context, string, string, time.Duration) (ClaimState, error) {
	f.claims.Add(1)
	return 0, errors.New("redis: connection refused")
}

func (f *failingStore) Done(context.Context, string, string, time.Duration) error {
	f.dones.Add(1)
	return errors.New("redis: connection refused")
}

func (f *failingStore) Release(context.Context, string, string) error {
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
	assert.Equal(t, int32(0), store.releases.Load()+store.dones.Load(), "no lease held: nothing to mark")
	assert.Contains(t, buf.String(), "dedup store failed")
}

// keyStore records the keys it is given.
type keyStore struct {
	mu            sync.Mutex
	keys, owners  []string
	lease, ttl    time.Duration
	claimDeadline time.Duration
	*MemoryDedup
}

func (k *keyStore) Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	k.mu.Lock()
	k.keys, k.owners, k.lease = append(k.keys, key), append(k.owners, owner), lease
	if dl, ok := ctx.Deadline(); ok {
		k.claimDeadline = time.Until(dl)
	}
	k.mu.Unlock()
	return k.MemoryDedup.Claim(ctx, key, owner, lease)
}

func (k *keyStore) Done(ctx context.Context, key, owner string, ttl time.Duration) error {
	k.mu.Lock()
	k.ttl = ttl
	k.mu.Unlock()
	return k.MemoryDedup.Done(ctx, key, owner, ttl)
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
	assert.NotEqual(t, store.owners[0], store.owners[1], "one owner per claim")
	assert.Equal(t, 42*time.Second, store.ttl)
	assert.Equal(t, DefaultHandlerTimeout+DefaultLeaseMargin, store.lease)
	assert.Greater(t, store.claimDeadline, time.Duration(0), "the claim has its own deadline")
	assert.LessOrEqual(t, store.claimDeadline, DefaultStoreTimeout)
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
		"answer":      {testToken, testKey, []Option{WithAnswerDeadline(0)}, "WithAnswerDeadline"},
		"timeout":     {testToken, testKey, []Option{WithHandlerTimeout(-time.Second)}, "WithHandlerTimeout"},
		"store":       {testToken, testKey, []Option{WithStoreTimeout(0)}, "WithStoreTimeout"},
		"nil queue":   {testToken, testKey, []Option{WithQueue(nil)}, "WithQueue"},
		"both modes":  {testToken, testKey, []Option{WithQueue(NewMemoryQueue(nil)), WithAsync(1, 1)}, "choose one"},
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

// releaseFails claims like a memory store but cannot release.
type releaseFails struct{ *MemoryDedup }

func (releaseFails) Release(context.Context, string, string) error {
	return errors.New("redis: timeout")
}

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
