package wecom

// The root package's one test kit: the fake WeCom server every test stands
// up, the faults it can inject (each a real loopback failure), and the
// small helpers (clock, logs, token sources) the tests share.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind (a token
// refresh, a retry wait, a connection reader) once its servers are closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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

// captureLogs returns a logger writing JSON lines at Debug into buf.
func captureLogs(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// closedAddr returns a base URL nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fault answers one attempt the way a troubled WeCom (or the network) would.
type fault = http.HandlerFunc

func errcode(code int, msg string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
	}
}

func status(code int) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "<html>upstream trouble</html>")
	}
}

func dropConnection(w http.ResponseWriter, r *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Second):
	}
}

func hammer(t *testing.T, n int, fn func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := fn(); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("call failed: %v", err)
	}
}

// fakeClock is a settable clock for token expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// setClock puts c's pipeline and token source on clk.
func setClock(c *Client, clk *fakeClock) {
	c.now = clk.Now
	if cs, ok := c.tokens.(*cachingSource); ok {
		cs.clock = clk.Now
	}
}

// resetConnection answers with a TCP RST after reading the request:
// SO_LINGER 0 makes Close send RST instead of FIN.
func resetConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// body answers 200 with the given content type and body.
func body(ctype, b string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		_, _ = io.WriteString(w, b)
	}
}
