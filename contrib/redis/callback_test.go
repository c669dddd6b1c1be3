package redis

import (
	"context"
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

// newCallbackHandler returns the callback package's Handler for the
// tests' app (wecomtest's token, key and corp), remembering handled events
// in store for an hour. The store bound is testBound's, for a loaded -race
// run; opts come after and may override it.
func newCallbackHandler(store callback.DedupStore, opts ...callback.Option) (*callback.Handler, error) {
	return callback.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, wecomtest.DefaultCorpID,
		append([]callback.Option{callback.WithDedup(store, time.Hour), callback.WithStoreTimeout(testBound)}, opts...)...)
}

// TestCallbackDedupAcrossInstances: two callback.Handlers (two instances
// of a service) share one Redis Dedup. WeCom redelivers an event while the
// first delivery is still being handled, and the redelivery lands on the
// other instance: it is answered 503 (WeCom tries again), not "success",
// and once the first is done it is acknowledged: handled exactly once. A
// failed handling releases the event to the next delivery, on either
// instance.
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
		h, err := newCallbackHandler(d)
		require.NoError(t, err)
		callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
			if failNext.CompareAndSwap(true, false) {
				return errors.New("database unavailable")
			}
			if ev.CreateTime == 1700000000 {
				started <- struct{}{}
				<-slow
			}
			handled.Add(1)
			return nil
		})
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
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
	assert.Equal(t, "503 event still being handled", deliverTo(t, urls[1], addContactXML), "a redelivery during a slow first delivery, on the other instance")
	assert.Equal(t, "503 event still being handled", deliverTo(t, urls[0], addContactXML), "a redelivery during a slow first delivery, on the same instance")
	assert.Zero(t, handled.Load())
	close(slow)
	assert.Equal(t, "200 success", <-first)
	assert.Equal(t, "200 success", deliverTo(t, urls[1], addContactXML), "a duplicate is acknowledged")
	assert.Equal(t, int32(1), handled.Load(), "handled once across instances")
	assert.Equal(t, "done", r.Client(t).Get(context.Background(), prefix+"dedup:"+callback.DedupKey([]byte(addContactXML))).Val())

	other := strings.Replace(addContactXML, "1700000000", "1700000060", 1)
	failNext.Store(true)
	assert.Equal(t, "500 handler failed", deliverTo(t, urls[0], other))
	assert.Zero(t, r.Client(t).Exists(context.Background(), prefix+"dedup:"+callback.DedupKey([]byte(other))).Val(), "a failed handling releases its claim")
	assert.Equal(t, "200 success", deliverTo(t, urls[1], other))
	assert.Equal(t, int32(2), handled.Load())
	assert.Equal(t, "200 success", deliverTo(t, urls[0], other))
	assert.Equal(t, int32(2), handled.Load())

	keys := r.Client(t).Keys(context.Background(), prefix+"dedup:*").Val()
	assert.Len(t, keys, 2, "one claim per event")
}
