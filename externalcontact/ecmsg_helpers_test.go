package externalcontact

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// Helpers of the messaging, transfer and acquisition tests; prefixed mx so
// they do not collide with the helpers of the other topics in the package.

var mxStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// mxFastRetry retries quickly so tests of retries do not sleep.
var mxFastRetry = wecom.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, RateLimitDelay: time.Millisecond}

// mxServer starts a wecomtest server on a manual clock and a Service
// talking to it.
func mxServer(t *testing.T, opts ...wecomtest.Option) (*wecomtest.Server, *Service) {
	t.Helper()
	s := wecomtest.Start(t, append([]wecomtest.Option{wecomtest.WithClock(wecomtest.NewManualClock(mxStart))}, opts...)...)
	c, err := s.Client(wecom.WithRetryPolicy(mxFastRetry))
	require.NoError(t, err)
	return s, New(c)
}

// mxUsers adds members with the customer-contact feature.
func mxUsers(t *testing.T, s *wecomtest.Server, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, s.AddUser(wecomtest.User{UserID: id, Name: id, CustomerContact: true}))
	}
}

// mxCustomer adds a customer followed by the given members and returns
// its external_userid.
func mxCustomer(t *testing.T, s *wecomtest.Server, name string, followers ...string) string {
	t.Helper()
	var fs []wecomtest.Follow
	for _, u := range followers {
		fs = append(fs, wecomtest.Follow{UserID: u})
	}
	c, err := s.AddCustomer(wecomtest.Customer{Name: name}, fs...)
	require.NoError(t, err)
	return c.ExternalUserID
}

// mxBody decodes a recorded JSON body into a generic map for comparison.
func mxBody(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

// mxJSON decodes a JSON literal for comparison with mxBody.
func mxJSON(t *testing.T, s string) map[string]any { return mxBody(t, []byte(s)) }

// mxRequest is one request a stub received.
type mxRequest struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   []byte
}

// mxStub is an httptest WeCom answering each path with a function of the
// request body; gettoken is built in.
type mxStub struct {
	mu     sync.Mutex
	routes map[string]func(body []byte) string
	reqs   []mxRequest
}

func mxNewStub(t *testing.T) (*mxStub, *Service) {
	t.Helper()
	st := &mxStub{routes: map[string]func([]byte) string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		q.Del("access_token")
		st.mu.Lock()
		st.reqs = append(st.reqs, mxRequest{r.Method, r.URL.Path, q, body})
		fn := st.routes[r.URL.Path]
		st.mu.Unlock()
		if fn == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, fn(body))
	}))
	t.Cleanup(srv.Close)
	c, err := wecom.New("wwcorp", "secret", wecom.WithBaseURL(srv.URL), wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	return st, New(c)
}

func (st *mxStub) handle(path string, fn func(body []byte) string) {
	st.mu.Lock()
	st.routes[path] = fn
	st.mu.Unlock()
}

// file answers path with the testdata file.
func (st *mxStub) file(t *testing.T, path, name string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	st.handle(path, func([]byte) string { return string(b) })
}

// pages answers path by the "cursor" of the request body: pages[cursor].
func (st *mxStub) pages(path string, pages map[string]string) {
	st.handle(path, func(body []byte) string {
		var req struct {
			Cursor string `json:"cursor"`
		}
		_ = json.Unmarshal(body, &req)
		if p, ok := pages[req.Cursor]; ok {
			return p
		}
		return `{"errcode":40058,"errmsg":"invalid cursor"}`
	})
}

func (st *mxStub) requests() []mxRequest {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]mxRequest(nil), st.reqs...)
}

// mxCollect drains an iterator, stopping at the first error.
func mxCollect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// mxCtx is a test context with a deadline.
func mxCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mxSentOnce asserts that a call which failed with err was sent exactly
// once: the client made one attempt and the server saw one request (the
// server records a request before answering it, even a dropped one).
func mxSentOnce(t *testing.T, s *wecomtest.Server, err error, path string) {
	t.Helper()
	var we *wecom.Error
	require.True(t, errors.As(err, &we), "%v", err)
	assert.Equal(t, 1, we.Attempts, "one attempt, no retry")
	assert.Len(t, s.RequestsTo(path), 1, "sent once")
}
