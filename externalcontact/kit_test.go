package externalcontact

// The package's one test kit: a wecomtest server on a manual clock for
// stateful tests, one stub server type for exact wire samples, and the
// small helpers every topic's tests share.

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

// testStart is the manual clock's start.
var testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// testRetry retries like the default policy but without real waits.
var testRetry = wecom.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, RateLimitDelay: time.Millisecond}

// newEnv starts a wecomtest server on a manual clock and a Service
// talking to it.
func newEnv(t testing.TB, opts ...wecomtest.Option) (*wecomtest.Server, *Service) {
	t.Helper()
	s := wecomtest.Start(t, append([]wecomtest.Option{wecomtest.WithClock(wecomtest.NewManualClock(testStart))}, opts...)...)
	c, err := s.Client(wecom.WithRetryPolicy(testRetry))
	require.NoError(t, err)
	return s, New(c)
}

// addUsers adds members with the customer-contact feature.
func addUsers(t testing.TB, s *wecomtest.Server, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, s.AddUser(wecomtest.User{UserID: id, Name: id, CustomerContact: true}))
	}
}

// addCustomer adds a customer followed by the given members and returns
// its external_userid.
func addCustomer(t testing.TB, s *wecomtest.Server, name string, followers ...string) string {
	t.Helper()
	var fs []wecomtest.Follow
	for _, u := range followers {
		fs = append(fs, wecomtest.Follow{UserID: u})
	}
	c, err := s.AddCustomer(wecomtest.Customer{Name: name}, fs...)
	require.NoError(t, err)
	return c.ExternalUserID
}

// jsonBody decodes a recorded JSON body into a generic map for comparison.
func jsonBody(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

// jsonOf decodes a JSON literal for comparison with jsonBody.
func jsonOf(t testing.TB, s string) map[string]any { return jsonBody(t, []byte(s)) }

// record is one request the stub received.
type record struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   []byte
}

// stub is an httptest WeCom: each path answers with a function of the
// request body, any other path with the fallback (404 when unset);
// gettoken is built in. It records every request before answering.
type stub struct {
	mu       sync.Mutex
	routes   map[string]func(body []byte) string
	fallback []byte
	reqs     []record
}

// newStub starts a stub and a Service talking to it with testRetry.
func newStub(t testing.TB) (*stub, *Service) {
	t.Helper()
	st := &stub{routes: map[string]func([]byte) string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if len(body) == 0 {
			body = nil
		}
		q := r.URL.Query()
		q.Del("access_token")
		st.mu.Lock()
		st.reqs = append(st.reqs, record{r.Method, r.URL.Path, q, body})
		fn, fallback := st.routes[r.URL.Path], st.fallback
		st.mu.Unlock()
		switch {
		case fn != nil:
			_, _ = io.WriteString(w, fn(body))
		case fallback != nil:
			_, _ = w.Write(fallback)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := wecom.New("wwcorp", "secret", wecom.WithBaseURL(srv.URL), wecom.WithRetryPolicy(testRetry))
	require.NoError(t, err)
	return st, New(c)
}

// fakeFile starts a stub that answers every call with testdata/<name>
// (or the literal JSON when name starts with '{'), and returns the
// Service and the stub's record.
func fakeFile(t testing.TB, name string) (*Service, func() []record) {
	t.Helper()
	st, svc := newStub(t)
	st.fallback = readSample(t, name)
	return svc, st.requests
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	if len(name) > 0 && name[0] == '{' {
		return []byte(name)
	}
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func (st *stub) handle(path string, fn func(body []byte) string) {
	st.mu.Lock()
	st.routes[path] = fn
	st.mu.Unlock()
}

// file answers path with the testdata file.
func (st *stub) file(t testing.TB, path, name string) {
	t.Helper()
	b := readSample(t, name)
	st.handle(path, func([]byte) string { return string(b) })
}

// pages answers path by the "cursor" of the request body: pages[cursor].
func (st *stub) pages(path string, pages map[string]string) {
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

func (st *stub) requests() []record {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]record(nil), st.reqs...)
}

// collect drains an iterator, stopping at the first error.
func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// testCtx is a test context with a deadline.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sentOnce asserts that a call which failed with err was sent exactly
// once: the client made one attempt and the server saw one request (the
// server records a request before answering it, even a dropped one).
func sentOnce(t testing.TB, s *wecomtest.Server, err error, path string) {
	t.Helper()
	var we *wecom.Error
	require.True(t, errors.As(err, &we), "%v", err)
	assert.Equal(t, 1, we.Attempts, "one attempt, no retry")
	assert.Len(t, s.RequestsTo(path), 1, "sent once")
}

// invalid asserts err is an argument error of this package.
func invalid(t testing.TB, err error) {
	t.Helper()
	require.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Regexp(t, `^externalcontact: [a-z ]+: `, err.Error())
}
