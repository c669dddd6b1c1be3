package wecom

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type namedInt int

func (n namedInt) String() string { return "named" }

// The fast path must encode exactly as go-querystring + url.Values.Encode.
func TestQueryFastPathMatchesGoQuerystring(t *testing.T) {
	type flat struct {
		ExternalUserID string `url:"external_userid"`
		Cursor         string `url:"cursor,omitempty"`
		Limit          int    `url:"limit,omitempty"`
		Offset         uint16 `url:"offset"`
		Deep           bool   `url:"deep"`
		Skip           string `url:"-"`
		NoTag          string
		hidden         string //nolint:unused // go-querystring skips it too
	}
	type stringer struct {
		Kind namedInt `url:"kind"`
	}
	type withOpts struct {
		IDs []string `url:"ids,comma"`
	}
	cases := []any{
		flat{ExternalUserID: "wm A&b=c+d/é", Offset: 7, Deep: true, Skip: "x", NoTag: "n"},
		&flat{ExternalUserID: "", Cursor: "c1", Limit: -3},
		stringer{Kind: 2},
		withOpts{IDs: []string{"a", "b"}},
		gettokenQuery{CorpID: "ww1", CorpSecret: "s+/=&%"},
	}
	for _, q := range cases {
		want, err := query.Values(q)
		require.NoError(t, err)
		got, err := encodeQuery(q)
		require.NoError(t, err)
		assert.Equal(t, want.Encode(), got, "%#v", q)
	}
	assert.NotNil(t, planFor(reflect.TypeOf(flat{})), "a flat struct takes the fast path")
	assert.Nil(t, planFor(reflect.TypeOf(stringer{})), "a Stringer field goes through go-querystring")
	assert.Nil(t, planFor(reflect.TypeOf(withOpts{})), "tag options go through go-querystring")

	got, err := encodeQuery(url.Values{"b": {"2"}, "a": {"1"}})
	require.NoError(t, err)
	assert.Equal(t, "a=1&b=2", got)
	_, err = encodeQuery("a=1")
	assert.Error(t, err)
}
