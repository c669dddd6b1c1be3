package wecom

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryRules(t *testing.T) {
	cases := []struct {
		name       string
		fault      fault
		idempotent bool
		// sends is how many times the request reached the server when the
		// fault persists; maybe is whether the final error says the change
		// may have been applied.
		sends int
		maybe bool
		code  Code
	}{
		{"busy read", errcode(-1, "system busy"), true, 4, false, CodeSystemBusy},
		{"busy write", errcode(-1, "system busy"), false, 1, true, CodeSystemBusy},
		{"45009 read", errcode(45009, "api freq out of limit"), true, 4, false, CodeFrequencyLimit},
		{"45009 write", errcode(45009, "api freq out of limit"), false, 4, false, CodeFrequencyLimit},
		{"45033 write", errcode(45033, "api concurrent out of limit"), false, 4, false, CodeConcurrencyLimit},
		{"45011 write", errcode(45011, "api minute out of limit"), false, 4, false, codeMinuteLimit},
		{"429 write", status(429), false, 4, false, 0},
		{"502 read", status(502), true, 4, false, 0},
		{"503 read", status(503), true, 4, false, 0},
		{"504 read", status(504), true, 4, false, 0},
		{"502 write", status(502), false, 1, true, 0},
		{"504 write", status(504), false, 1, true, 0},
		{"500 read", status(500), true, 1, false, 0},
		{"dropped read", dropConnection, true, 4, false, 0},
		{"dropped write", dropConnection, false, 1, true, 0},
		{"timeout read", stall, true, 4, false, 0},
		{"timeout write", stall, false, 1, true, 0},
		{"invalid parameter", errcode(40058, "invalid parameter"), true, 1, false, CodeInvalidParameter},
		{"no privilege write", errcode(48002, "api forbidden"), false, 1, false, CodeAPIForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("/cgi-bin/x", tc.fault)
			c := f.client(t, WithTimeout(50*time.Millisecond))
			err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`), Idempotent: tc.idempotent}, nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Len(t, f.requests("/cgi-bin/x"), tc.sends)
			assert.Equal(t, tc.sends, e.Attempts)
			assert.Equal(t, tc.maybe, e.MaybeApplied, e.Error())
			assert.Equal(t, tc.maybe, IsMaybeApplied(err))
			assert.Equal(t, tc.code, e.Code)
			if tc.maybe {
				assert.Contains(t, e.Error(), "may have been applied")
			}
		})
	}
}

func TestTransientFailureThenSuccess(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			errcode(-1, "system busy")(w, r)
		case 2:
			status(503)(w, r)
		default:
			writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "follow_user": []string{"a"}})
		}
	})
	c := f.client(t)
	var out followUsers
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, &out))
	assert.Equal(t, []string{"a"}, out.FollowUser)
	assert.Equal(t, int32(3), n.Load())
}

func TestConnectionRefusedIsRetriedEvenForWrites(t *testing.T) {
	c, err := New("ww1", "x", WithBaseURL(closedAddr(t)), WithTokenSource(&staticTokens{tok: "t"}), WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/externalcontact/add_msg_template", Body: []byte(`{}`)}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 4, e.Attempts, "never reached the server: safe to repeat")
	assert.False(t, e.MaybeApplied)
	assert.Equal(t, "connect failed", e.Message)
	assert.Equal(t, 0, e.HTTPStatus)
}

func TestMaxAttemptsCallOption(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", errcode(45009, "api freq out of limit"))
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil, MaxAttempts(2))
	assert.True(t, IsRateLimited(err))
	assert.Len(t, f.requests("/cgi-bin/x"), 2)
	c2 := f.client(t, WithRetryPolicy(NoRetry))
	_ = c2.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.Len(t, f.requests("/cgi-bin/x"), 3)
}

func TestCancelStopsBackoffAtOnce(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", errcode(45009, "api freq out of limit"))
	slow := RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour, RateLimitDelay: time.Hour}
	c := f.client(t, WithRetryPolicy(slow))
	ctx, cancel := context.WithCancel(context.Background())
	// Pin the jitter's upper end: the sleep must be cut by ctx, not time.
	c.sleep = func(ctx context.Context, d time.Duration) error {
		go cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	start := time.Now()
	err := c.Do(ctx, &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, IsRateLimited(err), "the last WeCom answer is kept")
	assert.Less(t, time.Since(start), time.Second)
	assert.Len(t, f.requests("/cgi-bin/x"), 1)
}

func TestCancelDuringRealBackoff(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", errcode(-1, "system busy"))
	c := f.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 10, BaseDelay: time.Minute, MaxDelay: time.Minute}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Do(ctx, &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	require.Error(t, err)
	// Either the backoff wait or the next attempt saw the deadline.
	assert.True(t, errors.Is(err, context.DeadlineExceeded), err.Error())
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestCanceledContextStopsBeforeSending(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Do(ctx, &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, f.requests("/cgi-bin/x"))
}

func TestBackoffDelaysGrowWithJitter(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, RateLimitDelay: 400 * time.Millisecond}
	for n := 1; n <= 6; n++ {
		limit := 100 * time.Millisecond << (n - 1)
		if limit > time.Second {
			limit = time.Second
		}
		seen := map[time.Duration]bool{}
		for i := 0; i < 200; i++ {
			d := p.delay(n, &Error{Code: CodeSystemBusy})
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, limit)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 100, "full jitter spreads delays")
	}
	for i := 0; i < 200; i++ {
		assert.Less(t, p.delay(1, &Error{Code: CodeFrequencyLimit}), 400*time.Millisecond)
	}
	var over bool
	for i := 0; i < 200; i++ {
		over = over || p.delay(1, &Error{Code: CodeFrequencyLimit}) > 100*time.Millisecond
	}
	assert.True(t, over, "frequency limits back off from RateLimitDelay")
}

func TestRetriesSleepBetweenAttempts(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", errcode(-1, "system busy"))
	c := f.client(t)
	var delays []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { delays = append(delays, d); return nil }
	_ = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	require.Len(t, delays, 3)
	for i, d := range delays {
		assert.Less(t, d, fastRetry.BaseDelay<<i+1)
	}
}
