package moments

import (
	"context"
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
	"github.com/wecomkit/wecom/wecomtest"
)

var t0 = time.Unix(1_700_000_000, 0)

// newServer starts a wecomtest server on a manual clock with two members
// who have customers, and a Service talking to it.
func newServer(t *testing.T, opts ...wecomtest.Option) (*wecomtest.Server, *Service) {
	t.Helper()
	s := wecomtest.Start(t, append([]wecomtest.Option{wecomtest.WithClock(wecomtest.NewManualClock(t0))}, opts...)...)
	c, err := s.Client(wecom.WithRetryPolicy(wecom.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	require.NoError(t, err)
	return s, New(c)
}

// fixture is the data most stateful tests use: members zhangsan (dept 2)
// and lisi (dept 3), a tag VIP, and customers of each.
type fixture struct {
	vip, normal string   // tag ids
	zsCustomers []string // zhangsan's customers; the first two are VIP
	lsCustomers []string // lisi's customers
}

func seed(t *testing.T, s *wecomtest.Server) fixture {
	t.Helper()
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", DepartmentIDs: []int{2}, CustomerContact: true}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "lisi", Name: "李四", DepartmentIDs: []int{3}, CustomerContact: true}))
	g, err := s.AddTagGroup(wecomtest.TagGroup{GroupName: "客户等级", Tags: []wecomtest.Tag{{Name: "VIP"}, {Name: "普通"}}})
	require.NoError(t, err)
	f := fixture{vip: g.Tags[0].ID, normal: g.Tags[1].ID}
	for i := 0; i < 3; i++ {
		tags := []string{f.normal}
		if i < 2 {
			tags = []string{f.vip}
		}
		c, err := s.AddCustomer(wecomtest.Customer{Name: "客户"}, wecomtest.Follow{UserID: "zhangsan", TagIDs: tags})
		require.NoError(t, err)
		f.zsCustomers = append(f.zsCustomers, c.ExternalUserID)
	}
	c, err := s.AddCustomer(wecomtest.Customer{Name: "客户"}, wecomtest.Follow{UserID: "lisi"})
	require.NoError(t, err)
	f.lsCustomers = append(f.lsCustomers, c.ExternalUserID)
	return f
}

// captured is one request a stub server received (access_token removed).
type captured struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

// stub is the package's one stand-in for WeCom besides wecomtest: an
// httptest server that answers gettoken itself and hands every other call
// to a handler, with the requests recorded for the tests that use newFake.
type stub struct {
	mu   sync.Mutex
	reqs []captured
}

func (f *stub) requests() []captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]captured(nil), f.reqs...)
}

func (f *stub) record(r *http.Request, body []byte) int {
	q := r.URL.Query()
	q.Del("access_token")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, captured{r.Method, r.URL.Path, q, string(body)})
	return len(f.reqs) - 1
}

// newStub starts a stub server whose calls other than gettoken go to
// handle, and a Service talking to it with no retries.
func newStub(tb testing.TB, handle http.HandlerFunc) (*stub, *Service) {
	tb.Helper()
	f := &stub{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN","expires_in":7200}`)
			return
		}
		handle(w, r)
	}))
	tb.Cleanup(srv.Close)
	c, err := wecom.New("wwcorp", "secret", wecom.WithBaseURL(srv.URL), wecom.WithHTTPClient(srv.Client()), wecom.WithRetryPolicy(wecom.RetryPolicy{MaxAttempts: 1}))
	require.NoError(tb, err)
	return f, New(c)
}

// newFake is a stub that answers path with the given bodies in turn (the
// last one repeats), 404 elsewhere, and records every request.
func newFake(t *testing.T, path string, bodies ...string) (*stub, *Service) {
	t.Helper()
	var f *stub
	f, svc := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		i := min(f.record(r, b), len(bodies)-1)
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, bodies[i])
	})
	return f, svc
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
