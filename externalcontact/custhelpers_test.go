package externalcontact

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// custRetry retries like the default policy but without real waits.
var custRetry = wecom.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, RateLimitDelay: 5 * time.Millisecond}

// custEnv starts a wecomtest server and a Service talking to it.
func custEnv(t testing.TB, opts ...wecomtest.Option) (*wecomtest.Server, *Service) {
	t.Helper()
	s := wecomtest.Start(t, opts...)
	c, err := s.Client(wecom.WithRetryPolicy(custRetry))
	require.NoError(t, err)
	return s, New(c)
}

// custUsers adds members with the customer-contact feature.
func custUsers(t testing.TB, s *wecomtest.Server, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, s.AddUser(wecomtest.User{UserID: id, Name: id, CustomerContact: true}))
	}
}

// custSent is one request a custFake server received.
type custSent struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   string
}

// custFake starts an httptest server that answers gettoken and every
// other call with the file testdata/<name> (or the literal JSON when name
// starts with '{'), recording what it was sent.
func custFake(t testing.TB, name string) (*Service, func() []custSent) {
	t.Helper()
	body := []byte(name)
	if len(name) == 0 || name[0] != '{' {
		var err error
		body, err = os.ReadFile("testdata/" + name)
		require.NoError(t, err)
	}
	var mu sync.Mutex
	var sent []custSent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		q.Del("access_token")
		mu.Lock()
		sent = append(sent, custSent{Method: r.Method, Path: r.URL.Path, Query: q, Body: string(b)})
		mu.Unlock()
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := wecom.New("ww1", "secret", wecom.WithBaseURL(srv.URL), wecom.WithRetryPolicy(custRetry))
	require.NoError(t, err)
	return New(c), func() []custSent {
		mu.Lock()
		defer mu.Unlock()
		return append([]custSent(nil), sent...)
	}
}

// custBody decodes a recorded JSON body for comparison.
func custBody(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
