package groupchat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/wecomtest"
)

// inflight counts the groupchat/get calls in flight through it.
type inflight struct {
	base      *http.Transport
	now, peak atomic.Int32
}

func (f *inflight) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == getPath {
		n := f.now.Add(1)
		defer f.now.Add(-1)
		for {
			p := f.peak.Load()
			if n <= p || f.peak.CompareAndSwap(p, n) {
				break
			}
		}
	}
	return f.base.RoundTrip(r)
}

// detailsEnv is a wecomtest server with n groups and a Service whose
// transport counts the get calls in flight.
func detailsEnv(t *testing.T, n int, opts ...wecomtest.Option) (*wecomtest.Server, *groupchat.Service, *inflight) {
	t.Helper()
	s := wecomtest.Start(t, opts...)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "alice", Name: "李爱丽", CustomerContact: true}))
	for i := 0; i < n; i++ {
		_, err := s.AddGroupChat(wecomtest.GroupChat{
			Owner: "alice", Name: "群" + string(rune('0'+i%10)),
			Members: []wecomtest.GroupMember{{UserID: "alice", Type: 1, Name: "李爱丽"}},
		})
		require.NoError(t, err)
	}
	tr := &inflight{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(tr.base.CloseIdleConnections)
	c, err := s.Client(wecom.WithHTTPClient(&http.Client{Transport: tr}), wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	return s, groupchat.New(c), tr
}

// noLeaks fails t if goroutines started after baseline are still running
// once idle connections are closed. (It polls in the test's goroutine:
// assert.Eventually would count its own.)
func noLeaks(t *testing.T, baseline int, tr *inflight) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		tr.base.CloseIdleConnections()
		n := runtime.NumGoroutine()
		if n <= baseline {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left running, want %d:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAllDetailsStreamsEveryGroupOnce(t *testing.T) {
	s, svc, tr := detailsEnv(t, 30, wecomtest.WithLatency(2*time.Millisecond))
	var want []string
	for _, g := range s.GroupChats() {
		want = append(want, g.ChatID)
	}
	var got []string
	for g, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{
		ListGroupChatsRequest: groupchat.ListGroupChatsRequest{Limit: 7}, NeedName: true, Concurrency: 4,
	}) {
		require.NoError(t, err)
		assert.Equal(t, "alice", g.Owner)
		require.Len(t, g.Members, 1)
		assert.Equal(t, "李爱丽", g.Members[0].Name, "NeedName is passed on")
		got = append(got, g.ChatID)
	}
	sort.Strings(want)
	sort.Strings(got)
	assert.Equal(t, want, got)
	assert.Len(t, s.RequestsTo(listPath), 5)
	assert.Len(t, s.RequestsTo(getPath), 30)
	assert.LessOrEqual(t, tr.peak.Load(), int32(4), "at most Concurrency calls in flight")
	assert.Greater(t, tr.peak.Load(), int32(1), "calls do run concurrently")
	for _, r := range s.RequestsTo(getPath) {
		assert.Contains(t, string(r.Body), `"need_name":1`)
	}
}

func TestAllDetailsDefaultConcurrency(t *testing.T) {
	_, svc, tr := detailsEnv(t, 40, wecomtest.WithLatency(3*time.Millisecond))
	n := 0
	for _, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 40, n)
	assert.LessOrEqual(t, tr.peak.Load(), int32(groupchat.DefaultDetailsConcurrency))
}

func TestAllDetailsEmpty(t *testing.T) {
	s, svc, _ := detailsEnv(t, 0)
	for range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{}) {
		t.Fatal("no groups expected")
	}
	assert.Len(t, s.RequestsTo(listPath), 1)
}

func TestAllDetailsSkipsDissolvedGroups(t *testing.T) {
	s, svc, _ := detailsEnv(t, 10)
	s.FailNext(getPath, 1, wecomtest.Fault{Code: 40050, Message: "chatid not exist"})
	n := 0
	for _, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{Concurrency: 2}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 9, n)
}

func TestAllDetailsStopsAtTheFirstError(t *testing.T) {
	s, svc, tr := detailsEnv(t, 50, wecomtest.WithLatency(time.Millisecond))
	baseline := runtime.NumGoroutine()
	s.FailNext(getPath, 1, wecomtest.Fault{Code: 48002, Message: "api forbidden"})
	var errs []error
	n := 0
	for g, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{ListGroupChatsRequest: groupchat.ListGroupChatsRequest{Limit: 10}, Concurrency: 3}) {
		if err != nil {
			assert.Nil(t, g)
			errs = append(errs, err)
			continue
		}
		n++
	}
	require.Len(t, errs, 1)
	assert.True(t, wecom.IsPermissionDenied(errs[0]))
	assert.Contains(t, errs[0].Error(), "groupchat: details of group wr")
	assert.Less(t, n, 50)
	assert.Less(t, len(s.RequestsTo(getPath)), 50, "the rest is cancelled")
	noLeaks(t, baseline, tr)
}

func TestAllDetailsListError(t *testing.T) {
	s, svc, _ := detailsEnv(t, 10)
	s.FailNext(listPath, 1, wecomtest.Fault{Code: 48002})
	var errs []error
	for _, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{}) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "groupchat: list groups")
	assert.True(t, wecom.IsPermissionDenied(errs[0]))
}

func TestAllDetailsEarlyBreak(t *testing.T) {
	s, svc, tr := detailsEnv(t, 200, wecomtest.WithLatency(time.Millisecond))
	baseline := runtime.NumGoroutine()
	for range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{Concurrency: 4}) {
		break
	}
	assert.Less(t, len(s.RequestsTo(getPath)), 20, "fetching stops soon after the break")
	noLeaks(t, baseline, tr)
}

func TestAllDetailsInvalidAndCancelled(t *testing.T) {
	s, svc, _ := detailsEnv(t, 3)
	var invalid []error
	for _, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{ListGroupChatsRequest: groupchat.ListGroupChatsRequest{Limit: -1}}) {
		invalid = append(invalid, err)
	}
	require.Len(t, invalid, 1)
	assert.ErrorIs(t, invalid[0], wecom.ErrInvalidArgument)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	for _, err := range svc.AllDetails(ctx, &groupchat.AllDetailsRequest{}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Empty(t, s.RequestsTo(getPath))

	n := 0
	for _, err := range svc.AllDetails(context.Background(), nil) {
		require.NoError(t, err, "nil is the zero request")
		n++
	}
	assert.Equal(t, 3, n)
}

// A list whose pages overlap (groups moved while paging) still yields
// each group once.
func TestAllDetailsDeduplicates(t *testing.T) {
	ss, svc := newStubServer(t, func(r sample) string {
		var in struct {
			Cursor string `json:"cursor"`
			ChatID string `json:"chat_id"`
		}
		_ = json.Unmarshal(r.Body, &in)
		switch {
		case r.Path == listPath && in.Cursor == "":
			return `{"errcode":0,"group_chat_list":[{"chat_id":"a"},{"chat_id":"b"}],"next_cursor":"p2"}`
		case r.Path == listPath:
			return `{"errcode":0,"group_chat_list":[{"chat_id":"b"},{"chat_id":"c"}],"next_cursor":""}`
		}
		return `{"errcode":0,"group_chat":{"chat_id":"` + in.ChatID + `"}}`
	})
	var got []string
	for g, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{}) {
		require.NoError(t, err)
		got = append(got, g.ChatID)
	}
	sort.Strings(got)
	assert.Equal(t, []string{"a", "b", "c"}, got)
	gets := map[string]int{}
	for _, r := range ss.requests() {
		if r.Path == getPath {
			var in struct {
				ChatID string `json:"chat_id"`
			}
			require.NoError(t, json.Unmarshal(r.Body, &in))
			gets[in.ChatID]++
		}
	}
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, gets)
}
