package groupchat_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

// fastRetry keeps retried calls quick in tests.
var fastRetry = wecom.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, RateLimitDelay: time.Millisecond}

// newTestServer starts a wecomtest server and a Service talking to it.
func newTestServer(t *testing.T, opts ...wecomtest.Option) (*wecomtest.Server, *groupchat.Service) {
	t.Helper()
	s := wecomtest.Start(t, opts...)
	c, err := s.Client(wecom.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return s, groupchat.New(c)
}

// sample is a request a sampleServer received.
type sample struct {
	Method, Path, RawQuery string
	Body                   []byte
}

// sampleServer is the package's one stand-in for WeCom besides wecomtest:
// it answers every call with the body answer returns for it and records
// what it got (access_token removed).
type sampleServer struct {
	mu   sync.Mutex
	reqs []sample
}

// newSampleServer answers every call with the JSON of testdata/<file>.
func newSampleServer(t *testing.T, file string) (*sampleServer, *groupchat.Service) {
	t.Helper()
	body, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	require.True(t, json.Valid(body), "testdata/%s is not valid JSON", file)
	return newStubServer(t, func(sample) string { return string(body) })
}

// newStubServer answers every call with answer's body.
func newStubServer(t *testing.T, answer func(sample) string) (*sampleServer, *groupchat.Service) {
	t.Helper()
	ss := &sampleServer{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		q.Del("access_token")
		got := sample{Method: r.Method, Path: r.URL.Path, RawQuery: q.Encode(), Body: b}
		ss.mu.Lock()
		ss.reqs = append(ss.reqs, got)
		ss.mu.Unlock()
		_, _ = io.WriteString(w, answer(got))
	}))
	t.Cleanup(hs.Close)
	c, err := wecom.New("wwcorp", "secret", wecom.WithBaseURL(hs.URL), wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	return ss, groupchat.New(c)
}

func (ss *sampleServer) requests() []sample {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return append([]sample(nil), ss.reqs...)
}

// only asserts that exactly one call was made and returns it.
func (ss *sampleServer) only(t *testing.T) sample {
	t.Helper()
	reqs := ss.requests()
	require.Len(t, reqs, 1)
	return reqs[0]
}

// bodies returns the JSON bodies s received for path.
func bodies(s *wecomtest.Server, path string) []string {
	var out []string
	for _, r := range s.RequestsTo(path) {
		out = append(out, string(r.Body))
	}
	return out
}
