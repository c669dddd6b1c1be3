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

var _ callback.DedupStore = (*Store)(nil)

const addContactXML = `<xml><ToUserName><![CDATA[ww5f3c9a1e2b7d4c60]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmFleetCustomer0001]]></ExternalUserID><State><![CDATA[spring-fair]]></State><WelcomeCode><![CDATA[CODE]]></WelcomeCode></xml>`

// deliverTo plays WeCom: it seals event afresh, as each redelivery is, and
// POSTs it to url.
func deliverTo(t *testing.T, url, event string) string {
	t.Helper()
	c, err := crypto.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, wecomtest.DefaultCorpID)
	require.NoError(t, err)
	s, err := c.Seal([]byte(event), time.Now().Unix(), "")
	require.NoError(t, err)
	resp, err := http.Post(url+"?"+s.URLValues().Encode(), "text/xml",
		strings.NewReader(string(s.EventXML(wecomtest.DefaultCorpID, "1000002"))))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// TestCallbackDedupAcrossInstances: WeCom redelivers an event, and the
// redelivery lands on another instance; with the Store as their DedupStore
// the event is handled once, and again after a failed attempt.
func TestCallbackDedupAcrossInstances(t *testing.T) {
	r := startRedis(t)
	prefix := testPrefix(t)
	var handled atomic.Int32
	var failNext atomic.Bool
	urls := make([]string, 2)
	for i := range urls {
		store, err := NewStore(r.Client(t), WithPrefix(prefix))
		require.NoError(t, err)
		h, err := callback.New(wecomtest.DefaultCallbackToken, wecomtest.DefaultEncodingAESKey, wecomtest.DefaultCorpID,
			callback.WithDedup(store, time.Hour))
		require.NoError(t, err)
		callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
			if failNext.CompareAndSwap(true, false) {
				return errors.New("database unavailable")
			}
			handled.Add(1)
			return nil
		})
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}

	assert.Equal(t, "200 success", deliverTo(t, urls[0], addContactXML))
	assert.Equal(t, "200 success", deliverTo(t, urls[1], addContactXML), "a duplicate is acknowledged")
	assert.Equal(t, int32(1), handled.Load(), "handled once across instances")

	// Another event whose handling fails is released: its redelivery, on
	// the other instance, is handled.
	other := strings.Replace(addContactXML, "1700000000", "1700000060", 1)
	failNext.Store(true)
	assert.NotEqual(t, "200 success", deliverTo(t, urls[0], other))
	assert.Equal(t, "200 success", deliverTo(t, urls[1], other))
	assert.Equal(t, int32(2), handled.Load())
	assert.Equal(t, "200 success", deliverTo(t, urls[0], other))
	assert.Equal(t, int32(2), handled.Load())

	keys := r.Client(t).Keys(context.Background(), prefix+"dedup:*").Val()
	assert.Len(t, keys, 2, "one claim per event")
}
