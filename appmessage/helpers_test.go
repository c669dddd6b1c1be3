package appmessage

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

// sent is one request the stub received.
type sent struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   string
}

// stub is a WeCom that issues a token and answers each path with a queue
// of canned bodies (the last one repeats).
type stub struct {
	mu      sync.Mutex
	answers map[string][]string
	reqs    []sent
}

func newStub(t *testing.T, extra ...wecom.Option) (*stub, *Service) {
	t.Helper()
	st := &stub{answers: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(st.serve))
	t.Cleanup(srv.Close)
	c, err := wecom.New("wwcorp", "secret", append([]wecom.Option{wecom.WithBaseURL(srv.URL), wecom.WithRetryPolicy(wecom.RetryPolicy{MaxAttempts: 1})}, extra...)...)
	require.NoError(t, err)
	return st, New(c)
}

func (st *stub) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/cgi-bin/gettoken" {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	q.Del("access_token")
	st.mu.Lock()
	st.reqs = append(st.reqs, sent{Method: r.Method, Path: r.URL.Path, Query: q, Body: string(body)})
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

// answer queues bodies for path.
func (st *stub) answer(path string, bodies ...string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.answers[path] = append(st.answers[path], bodies...)
}

// file queues a testdata sample for path.
func (st *stub) file(t *testing.T, path, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	st.answer(path, string(b))
}

func (st *stub) requests() []sent {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]sent(nil), st.reqs...)
}

// jsonOf normalises a JSON text for comparison.
func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
