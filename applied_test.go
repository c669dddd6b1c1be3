package wecom

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every fault after which WeCom may have applied a call that changes data
// (issue 13: "nothing twice") must say so, and the SDK must not send the
// call again. Each row is a real loopback failure.
func TestNonIdempotentFaultsSayMaybeApplied(t *testing.T) {
	type msgOut struct {
		MsgID string `json:"msgid"`
	}
	cases := []struct {
		name  string
		fault fault
		// ctx, when set, returns the caller's context; received is closed
		// once the server has the request.
		ctx        func(received <-chan struct{}) (context.Context, context.CancelFunc)
		applied    bool // WeCom certainly applied it (errcode 0, unreadable)
		wantIs     error
		wantPrefix string
	}{
		{name: "dropped connection after the request", fault: dropConnection, wantPrefix: "transport error"},
		{name: "TCP RST after the request", fault: resetConnection, wantPrefix: "transport error"},
		{name: "attempt timeout", fault: stall, wantIs: context.DeadlineExceeded, wantPrefix: "no response within"},
		{name: "caller deadline", fault: stall, wantIs: context.DeadlineExceeded, wantPrefix: "caller's context ended",
			ctx: func(<-chan struct{}) (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		{name: "caller cancels mid-flight", fault: stall, wantIs: context.Canceled, wantPrefix: "caller's context ended",
			ctx: func(received <-chan struct{}) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				go func() { <-received; cancel() }() // Ctrl-C while WeCom works on it
				return ctx, cancel
			}},
		{name: "500", fault: status(500), wantPrefix: "HTTP 500"},
		{name: "502", fault: status(502), wantPrefix: "HTTP 502"},
		{name: "503", fault: status(503), wantPrefix: "HTTP 503"},
		{name: "504", fault: status(504), wantPrefix: "HTTP 504"},
		{name: "HTML 200", fault: body("text/html", "<html>gateway login</html>"), wantPrefix: "malformed response: an HTML page"},
		{name: "garbage 200", fault: body("application/json", "\x00\x01garbage{"), wantPrefix: "malformed response"},
		{name: "empty 200", fault: body("application/json", ""), wantPrefix: "empty response body"},
		{name: "errcode 0, undecodable", fault: body("application/json", `{"errcode":0,"errmsg":"ok","msgid":123}`),
			applied: true, wantPrefix: "decode response"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			received := make(chan struct{})
			f.handle("/cgi-bin/externalcontact/add_msg_template", func(w http.ResponseWriter, r *http.Request) {
				close(received)
				tc.fault(w, r)
			})
			c := f.client(t, WithTimeout(100*time.Millisecond))
			_, err := c.AccessToken(context.Background()) // the token is not what this test is about
			require.NoError(t, err)
			timeout := time.Second
			if tc.wantPrefix == "no response within" {
				timeout = 100 * time.Millisecond
			}
			c.timeout = timeout
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx(received)
			}
			defer cancel()

			var out msgOut
			err = c.Do(ctx, &Request{Method: "POST", Path: "/cgi-bin/externalcontact/add_msg_template", Body: []byte(`{"text":{"content":"hi"}}`)}, &out)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.True(t, IsMaybeApplied(err), "IsMaybeApplied: %v", err)
			assert.Equal(t, tc.applied, IsAppliedUnreadable(err), err.Error())
			assert.Len(t, f.requests("/cgi-bin/externalcontact/add_msg_template"), 1, "sent exactly once")
			assert.Equal(t, 1, e.Attempts)
			assert.Contains(t, e.Message, tc.wantPrefix)
			if tc.wantIs != nil {
				assert.ErrorIs(t, err, tc.wantIs)
			}
			if tc.applied {
				assert.Contains(t, err.Error(), "WeCom carried out the call (errcode 0) but its answer is unreadable")
			} else {
				assert.Contains(t, err.Error(), "may have been applied")
			}
		})
	}
}

// Failures after which WeCom certainly did not apply the call may repeat
// it, and must not claim it may have been applied.
func TestCertainlyNotSentIsRepeatedAndNotMaybeApplied(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		c, err := New("ww1", "x", WithBaseURL(closedAddr(t)), WithTokenSource(&staticTokens{tok: "t"}), WithRetryPolicy(fastRetry))
		require.NoError(t, err)
		err = c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/externalcontact/add_msg_template", Body: []byte(`{}`)}, nil)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 4, e.Attempts)
		assert.False(t, IsMaybeApplied(err))
		assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the errno survives sanitizing")
	})
	t.Run("canceled before sending", func(t *testing.T) {
		f := newFake(t)
		c := f.client(t)
		_, err := c.AccessToken(context.Background())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err = c.Do(ctx, &Request{Method: "POST", Path: "/cgi-bin/externalcontact/add_msg_template", Body: []byte(`{}`)}, nil)
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, IsMaybeApplied(err))
		assert.Empty(t, f.requests("/cgi-bin/externalcontact/add_msg_template"))
	})
	t.Run("rate limited", func(t *testing.T) {
		f := newFake(t)
		f.handle("/cgi-bin/x", errcode(45009, "api freq out of limit"))
		c := f.client(t)
		err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`)}, nil)
		assert.False(t, IsMaybeApplied(err))
		assert.Len(t, f.requests("/cgi-bin/x"), 4)
	})
	t.Run("idempotent undecodable answer is not repeated", func(t *testing.T) {
		f := newFake(t)
		f.handle("/cgi-bin/x", body("application/json", `{"errcode":0,"errmsg":"ok","msgid":123}`))
		c := f.client(t)
		var out struct {
			MsgID string `json:"msgid"`
		}
		err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, &out)
		assert.True(t, IsAppliedUnreadable(err))
		assert.False(t, IsMaybeApplied(err), "a read changes nothing")
		assert.Len(t, f.requests("/cgi-bin/x"), 1)
	})
}
