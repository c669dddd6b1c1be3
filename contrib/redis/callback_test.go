package redis

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/crypto"
	"github.com/wecomkit/wecom/wecomtest"
)

const addContactXML = `<xml><ToUserName><![CDATA[ww5f3c9a1e2b7d4c60]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmFleetCustomer0001]]></ExternalUserID><State><![CDATA[spring-fair]]></State><WelcomeCode><![CDATA[CODE]]></WelcomeCode></xml>`

// deliverTo plays WeCom: it seals event afresh, as each redelivery is, and
// POSTs it to url.
func deliverTo(t *testing.T, url, event string) string {
	t.Helper()
	got, err := deliver(http.DefaultClient, url, event)
	require.NoError(t, err)
	return got
}

// deliver is deliverTo without a test, for drivers running in goroutines.
func deliver(hc *http.Client, url, event string) (string, error) {
	c, err := crypto.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, wecomtest.DefaultCorpID)
	if err != nil {
		return "", err
	}
	s, err := c.Seal([]byte(event), time.Now().Unix(), "")
	if err != nil {
		return "", err
	}
	resp, err := hc.Post(url+"?"+s.URLValues().Encode(), "text/xml",
		strings.NewReader(string(s.EventXML(wecomtest.DefaultCorpID, "1000002"))))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b), nil
}

// leaseHandler is the smallest callback endpoint on the two-state
// contract: verify and decrypt, claim, handle, done (or release), with
// WeCom's answers: "success" for handled and done events, 503 (WeCom
// delivers again) for an event in progress elsewhere, a failed handling
// or an unavailable store.
//
// TODO(lead): switch the tests (and the kill test's child) to
// callback.Handler with a Dedup once the callback work's Handler takes a
// callback.DedupStore; this stands in for it until then.
type leaseHandler struct {
	c      *crypto.Crypter
	store  callback.DedupStore
	lease  time.Duration
	ttl    time.Duration
	handle func(ctx context.Context, event []byte) error
	done   func(ctx context.Context, event []byte) // after Done succeeded, if set
}

func newLeaseHandler(store callback.DedupStore, lease time.Duration, handle func(context.Context, []byte) error) *leaseHandler {
	c, err := crypto.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, wecomtest.DefaultCorpID)
	if err != nil {
		panic(err)
	}
	return &leaseHandler{c: c, store: store, lease: lease, ttl: time.Hour, handle: handle}
}

// eventKey is the dedup key of an event: a hash of its plaintext, which a
// redelivery repeats byte for byte.
func eventKey(plaintext []byte) string {
	sum := sha256.Sum256(plaintext)
	return hex.EncodeToString(sum[:16])
}

func (h *leaseHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	msg, err := h.c.Open(body, crypto.QueryFrom(r.URL.Query()))
	if err != nil {
		http.Error(w, "bad envelope", http.StatusForbidden)
		return
	}
	key := eventKey(msg)
	var b [16]byte
	_, _ = rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	ctx := r.Context()
	st, err := h.store.Claim(ctx, key, owner, h.lease)
	switch {
	case err != nil:
		http.Error(w, "dedup store unavailable", http.StatusServiceUnavailable)
		return
	case st == callback.ClaimDone:
		_, _ = io.WriteString(w, "success")
		return
	case st == callback.ClaimInProgress:
		http.Error(w, "in progress", http.StatusServiceUnavailable)
		return
	}
	if err := h.handle(ctx, msg); err != nil {
		_ = h.store.Release(context.WithoutCancel(ctx), key, owner)
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	// Handled: answer success even if Done fails; the lease keeps a
	// redelivery off until it runs out.
	if err := h.store.Done(context.WithoutCancel(ctx), key, owner, h.ttl); err == nil && h.done != nil {
		h.done(ctx, msg)
	}
	_, _ = io.WriteString(w, "success")
}

// TestCallbackDedupAcrossInstances: WeCom redelivers an event while the
// first delivery is still being handled, and the redelivery lands on
// another instance. It is answered "try again", not "success", and once
// the first is done it is acknowledged: handled exactly once. A failed
// handling releases the event to the next delivery.
func TestCallbackDedupAcrossInstances(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	var handled atomic.Int32
	var failNext atomic.Bool
	slow := make(chan struct{})
	started := make(chan struct{}, 1)
	urls := make([]string, 2)
	for i := range urls {
		d, err := NewDedup(r.Client(t), WithPrefix(prefix), WithOpTimeout(testBound))
		require.NoError(t, err)
		h := newLeaseHandler(d, 30*time.Second, func(ctx context.Context, ev []byte) error {
			if failNext.CompareAndSwap(true, false) {
				return errors.New("database unavailable")
			}
			if strings.Contains(string(ev), "1700000000") {
				started <- struct{}{}
				<-slow
			}
			handled.Add(1)
			return nil
		})
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}

	first := make(chan string, 1)
	go func() {
		got, err := deliver(http.DefaultClient, urls[0], addContactXML)
		if err != nil {
			got = err.Error()
		}
		first <- got
	}()
	<-started
	assert.Equal(t, "503 in progress\n", deliverTo(t, urls[1], addContactXML), "a redelivery during a slow first delivery")
	assert.Zero(t, handled.Load())
	close(slow)
	assert.Equal(t, "200 success", <-first)
	assert.Equal(t, "200 success", deliverTo(t, urls[1], addContactXML), "a duplicate is acknowledged")
	assert.Equal(t, int32(1), handled.Load(), "handled once across instances")

	other := strings.Replace(addContactXML, "1700000000", "1700000060", 1)
	failNext.Store(true)
	assert.Equal(t, "500 handler failed\n", deliverTo(t, urls[0], other))
	assert.Equal(t, "200 success", deliverTo(t, urls[1], other))
	assert.Equal(t, int32(2), handled.Load())
	assert.Equal(t, "200 success", deliverTo(t, urls[0], other))
	assert.Equal(t, int32(2), handled.Load())

	keys := r.Client(t).Keys(context.Background(), prefix+"dedup:*").Val()
	assert.Len(t, keys, 2, "one claim per event")
}
