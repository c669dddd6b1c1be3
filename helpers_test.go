package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testCorpID = "ww0123456789abcdef"
	testSecret = "s3cr3t-Corp-Secret-Value-0123456789"
)

// recorded is one request the fake server received.
type recorded struct {
	Method  string
	Path    string
	Query   url.Values // access_token removed
	Token   string
	Body    string
	Header  http.Header
	Chunked bool
}

// fakeWeCom is a minimal WeCom: gettoken issues numbered tokens, every other
// path checks the token and then runs the test's handler.
type fakeWeCom struct {
	t          *testing.T
	srv        *httptest.Server
	tokenCalls atomic.Int32
	tokenDelay time.Duration
	expiresIn  int

	mu       sync.Mutex
	reqs     []recorded
	valid    map[string]bool
	handlers map[string]http.HandlerFunc
}

func newFake(t *testing.T) *fakeWeCom {
	t.Helper()
	f := &fakeWeCom{t: t, valid: map[string]bool{}, handlers: map[string]http.HandlerFunc{}, expiresIn: 7200}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeCom) handle(path string, h http.HandlerFunc) {
	f.mu.Lock()
	f.handlers[path] = h
	f.mu.Unlock()
}

// revoke makes the server reject tok from now on.
func (f *fakeWeCom) revoke(tok string) {
	f.mu.Lock()
	delete(f.valid, tok)
	f.mu.Unlock()
}

func (f *fakeWeCom) requests(path string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.reqs {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeWeCom) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	q := r.URL.Query()
	tok := q.Get("access_token")
	q.Del("access_token")
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: q, Token: tok, Body: string(body), Header: r.Header.Clone(), Chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"})
	h := f.handlers[r.URL.Path]
	f.mu.Unlock()

	if r.URL.Path == "/cgi-bin/gettoken" {
		n := f.tokenCalls.Add(1)
		if f.tokenDelay > 0 {
			time.Sleep(f.tokenDelay)
		}
		if q.Get("corpid") != testCorpID || q.Get("corpsecret") != testSecret {
			writeJSON(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, hint: [1700000000_11_abc], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=40001"})
			return
		}
		tok := fmt.Sprintf("TOKEN-%04d-%s", n, "qwertyuiopasdfghjkl")
		f.mu.Lock()
		f.valid[tok] = true
		f.mu.Unlock()
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": f.expiresIn})
		return
	}
	f.mu.Lock()
	ok := f.valid[tok]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, map[string]any{"errcode": 40014, "errmsg": "invalid access_token, hint: [1700000000_22_def], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=40014"})
		return
	}
	if h == nil {
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
		return
	}
	h(w, r)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// fastRetry keeps retry tests quick.
var fastRetry = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, RateLimitDelay: time.Millisecond}

func (f *fakeWeCom) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := New(testCorpID, testSecret, append([]Option{WithBaseURL(f.srv.URL), WithRetryPolicy(fastRetry)}, opts...)...)
	require.NoError(t, err)
	return c
}

// staticTokens is a TokenSource that always hands out the same token.
type staticTokens struct {
	tok         string
	invalidated atomic.Int32
}

func (s *staticTokens) Token(context.Context) (string, error) { return s.tok, nil }
func (s *staticTokens) Invalidate(context.Context, string)    { s.invalidated.Add(1) }
