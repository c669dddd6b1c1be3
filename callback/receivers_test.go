package callback_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/crypto"
)

const (
	rcvToken = "receiversToken"
	rcvKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

// postSealed posts an event sealed for receiver and returns the status.
func postSealed(t *testing.T, url, receiver, xml string) int {
	t.Helper()
	c, err := crypto.New(rcvToken, rcvKey, receiver)
	require.NoError(t, err)
	s, err := c.Seal([]byte(xml), time.Now().Unix(), "nonce")
	require.NoError(t, err)
	resp, err := http.Post(url+"?"+s.URLValues().Encode(), "text/xml", strings.NewReader(string(s.EventXML(receiver, ""))))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func delFollow(corp, user string) string {
	return "<xml><ToUserName><![CDATA[" + corp + "]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime>" +
		"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType>" +
		"<UserID><![CDATA[" + user + "]]></UserID><ExternalUserID><![CDATA[wmX]]></ExternalUserID></xml>"
}

func TestOneURLForSeveralReceivers(t *testing.T) {
	for name, opt := range map[string]callback.Option{
		"set":    callback.WithReceivers("wwcorpB", "wwcorpC"),
		"lookup": callback.WithReceiverFunc(func(id string) bool { return id == "wwcorpB" || id == "wwcorpC" }),
	} {
		t.Run(name, func(t *testing.T) {
			h, err := callback.New(rcvToken, rcvKey, "wwcorpA", opt, callback.WithTimestampWindow(0))
			require.NoError(t, err)
			var mu sync.Mutex
			var got []string
			callback.On(h, func(_ context.Context, ev *callback.DelFollowUser) error {
				mu.Lock()
				got = append(got, ev.ToUserName+"/"+ev.UserID)
				mu.Unlock()
				return nil
			})
			hs := httptest.NewServer(h)
			defer hs.Close()
			for _, corp := range []string{"wwcorpA", "wwcorpB", "wwcorpC"} {
				assert.Equal(t, http.StatusOK, postSealed(t, hs.URL, corp, delFollow(corp, "u-"+corp)), corp)
			}
			assert.Equal(t, http.StatusForbidden, postSealed(t, hs.URL, "wwcorpD", delFollow("wwcorpD", "u")), "not in the set")
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{"wwcorpA/u-wwcorpA", "wwcorpB/u-wwcorpB", "wwcorpC/u-wwcorpC"}, got, "each event names its corp")
		})
	}
	_, err := callback.New(rcvToken, rcvKey, "x", callback.WithReceiverFunc(nil))
	assert.Error(t, err)
}
