package moments

import (
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// checkPaging runs the iterator cases against a wecomtest server whose
// endpoint path holds exactly n items and is read one item a page by all:
// every item in n requests, early break after one request, and an error on
// the second page that ends the loop.
func checkPaging[T any](t *testing.T, s *wecomtest.Server, path string, n int, all func() iter.Seq2[T, error]) []T {
	t.Helper()
	require.GreaterOrEqual(t, n, 2, "need at least two pages")

	s.ResetRequests()
	var got []T
	for it, err := range all() {
		require.NoError(t, err)
		got = append(got, it)
	}
	require.Len(t, got, n)
	assert.Len(t, s.RequestsTo(path), n, "one request per page")

	s.ResetRequests()
	ran := 0
	for range all() {
		ran++
		break
	}
	assert.Equal(t, 1, ran, "the loop body ran")
	assert.Len(t, s.RequestsTo(path), 1, "no fetch after break")

	s.ResetRequests()
	var items int
	var errs []error
	for _, err := range all() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items++
		if items == 1 {
			s.FailNext(path, 1, wecomtest.Fault{Code: int(wecom.CodeAPIForbidden), Message: "api forbidden"})
		}
	}
	assert.Equal(t, 1, items)
	require.Len(t, errs, 1, "the error is yielded once and ends the loop")
	assert.True(t, wecom.IsPermissionDenied(errs[0]))
	assert.Len(t, s.RequestsTo(path), 2)
	return got
}

func collect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for it, err := range seq {
		require.NoError(t, err)
		out = append(out, it)
	}
	return out
}

// Every iterator asks for the endpoint's largest page when the request
// leaves Limit 0, starts at the first page whatever Cursor says, and
// leaves the caller's request as it was.
func TestIteratorsDefaultToTheLargestPage(t *testing.T) {
	const page = `{"errcode":0,"errmsg":"ok","next_cursor":""}`
	for _, tc := range []struct {
		path string
		run  func(svc *Service) (req, want any, n int)
		body string
	}{
		{pathList, func(svc *Service) (any, any, int) {
			req := &ListMomentsRequest{StartTime: 1, EndTime: 2, Cursor: "stale"}
			return req, &ListMomentsRequest{StartTime: 1, EndTime: 2, Cursor: "stale"}, count(svc.AllMoments(ctx(t), req))
		}, `{"start_time":1,"end_time":2,"limit":20}`},
		{pathTask, func(svc *Service) (any, any, int) {
			req := &ListMomentTasksRequest{MomentID: "m", Cursor: "stale"}
			return req, &ListMomentTasksRequest{MomentID: "m", Cursor: "stale"}, count(svc.AllMomentTasks(ctx(t), req))
		}, `{"moment_id":"m","limit":1000}`},
		{pathCustomers, func(svc *Service) (any, any, int) {
			req := &ListMomentCustomersRequest{MomentID: "m", UserID: "u", Cursor: "stale"}
			return req, &ListMomentCustomersRequest{MomentID: "m", UserID: "u", Cursor: "stale"}, count(svc.AllMomentCustomers(ctx(t), req))
		}, `{"moment_id":"m","userid":"u","limit":1000}`},
		{pathSendResult, func(svc *Service) (any, any, int) {
			req := &ListMomentSendResultsRequest{MomentID: "m", UserID: "u", Cursor: "stale"}
			return req, &ListMomentSendResultsRequest{MomentID: "m", UserID: "u", Cursor: "stale"}, count(svc.AllMomentSendResults(ctx(t), req))
		}, `{"moment_id":"m","userid":"u","limit":5000}`},
		{pathStrategyList, func(svc *Service) (any, any, int) {
			req := &ListMomentStrategyIDsRequest{Cursor: "stale"}
			return req, &ListMomentStrategyIDsRequest{Cursor: "stale"}, count(svc.AllMomentStrategyIDs(ctx(t), req))
		}, `{"limit":1000}`},
		{pathStrategyRange, func(svc *Service) (any, any, int) {
			req := &ListMomentStrategyRangeRequest{StrategyID: 7, Cursor: "stale"}
			return req, &ListMomentStrategyRangeRequest{StrategyID: 7, Cursor: "stale"}, count(svc.AllMomentStrategyRange(ctx(t), req))
		}, `{"strategy_id":7,"limit":1000}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f, svc := newFake(t, tc.path, page)
			req, want, n := tc.run(svc)
			assert.Zero(t, n, "an empty page yields nothing")
			assert.Equal(t, want, req, "the caller's request is not changed")
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.path, reqs[0].Path)
			assert.JSONEq(t, tc.body, reqs[0].Body)
		})
	}
}

// count drains seq and returns how many items it yielded; an error fails
// the count with -1.
func count[T any](seq iter.Seq2[T, error]) int {
	n := 0
	for _, err := range seq {
		if err != nil {
			return -1
		}
		n++
	}
	return n
}
