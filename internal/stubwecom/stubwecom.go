// Package stubwecom is a canned-answer WeCom for the SDK's own unit tests:
// it issues a token, records every request (without the token) and answers
// each path from a queue of bodies. Tests that need WeCom's behaviour use
// wecomtest; this is for decoding samples and asserting exact requests.
package stubwecom

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

// Sent is one request the stub received.
type Sent struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   string
}

// Stub answers each path with a queue of canned bodies (the last one
// repeats); a path without answers gets {"errcode":0,"errmsg":"ok"}.
type Stub struct {
	mu      sync.Mutex
	answers map[string][]string
	reqs    []Sent
}

// New starts a stub for t and returns it with a Client for it (no
// retries), with opts appended.
func New(t testing.TB, opts ...wecom.Option) (*Stub, *wecom.Client) {
	t.Helper()
	st := &Stub{answers: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(st.serve))
	t.Cleanup(srv.Close)
	c, err := wecom.New("wwcorp", "secret", append([]wecom.Option{wecom.WithBaseURL(srv.URL), wecom.WithRetryPolicy(wecom.NoRetry)}, opts...)...)
	require.NoError(t, err)
	return st, c
}

func (st *Stub) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/cgi-bin/gettoken" {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	q.Del("access_token")
	st.mu.Lock()
	st.reqs = append(st.reqs, Sent{Method: r.Method, Path: r.URL.Path, Query: q, Body: string(body)})
	queue := st.answers[r.URL.Path]
	answer := `{"errcode":0,"errmsg":"ok"}`
	if len(queue) > 0 {
		answer = queue[0]
		if len(queue) > 1 {
			st.answers[r.URL.Path] = queue[1:]
		}
	}
	st.mu.Unlock()
	_, _ = io.WriteString(w, answer)
}

// Answer queues bodies for path.
func (st *Stub) Answer(path string, bodies ...string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.answers[path] = append(st.answers[path], bodies...)
}

// File queues the sample testdata/name (of the test's package) for path.
func (st *Stub) File(t testing.TB, path, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	st.Answer(path, string(b))
}

// Requests returns the requests received so far, in order.
func (st *Stub) Requests() []Sent {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]Sent(nil), st.reqs...)
}

// JSON decodes a JSON text for comparison with assert.Equal.
func JSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

// Ctx returns a context for one test, bounded so a hung call fails it.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
