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
	for range all() {
		break
	}
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
