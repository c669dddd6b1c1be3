package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failingTokens is a TokenSource whose every Token fails with err.
type failingTokens struct{ err error }

func (f failingTokens) Token(context.Context) (string, error) { return "", f.err }
func (f failingTokens) Invalidate(context.Context, string)    {}

func TestSentinelSurvivesTheSanitizedChain(t *testing.T) {
	f := newFake(t)
	errNoTicket := NewSentinel("no valid suite ticket")
	plain := errors.New("plain cause")
	for name, tc := range map[string]struct {
		cause error
		is    error
		kept  bool
	}{
		"sentinel":         {errNoTicket, errNoTicket, true},
		"wrapped sentinel": {fmt.Errorf("suite ww1: %w", errNoTicket), errNoTicket, true},
		"plain errors.New": {plain, plain, false}, // its text may carry anything: only the text survives, scrubbed
	} {
		c := f.client(t, WithTokenSource(failingTokens{tc.cause}))
		err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x"}, nil)
		require.Error(t, err, name)
		assert.Equal(t, tc.kept, errors.Is(err, tc.is), name)
		assert.Contains(t, err.Error(), tc.cause.Error(), name)
	}
}

func TestInvalidSuiteTokenIsRefreshedAndRepeatedOnce(t *testing.T) {
	var calls atomic.Int32
	f := newFake(t)
	f.handle("/cgi-bin/service/x", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeJSON(w, map[string]any{"errcode": 40082, "errmsg": "invalid suite_token"})
			return
		}
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	})
	ts := &staticTokens{tok: "T"}
	f.mu.Lock()
	f.valid["T"] = true
	f.mu.Unlock()
	c := f.client(t, WithTokenSource(ts), WithRetryPolicy(NoRetry))
	// Not idempotent: 40082 is a refusal before anything happened, so even
	// a change is repeated once with a fresh token.
	require.NoError(t, c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/cgi-bin/service/x", Body: json.RawMessage(`{}`)}, nil))
	assert.EqualValues(t, 2, calls.Load())
	assert.EqualValues(t, 1, ts.invalidated.Load())
	assert.True(t, IsTokenInvalid(&Error{Code: 40082}))
}

func TestGenderDecodesBothForms(t *testing.T) {
	for in, want := range map[string]Gender{`1`: GenderMale, `"2"`: GenderFemale, `""`: GenderUnknown, `"0"`: GenderUnknown, `null`: GenderUnknown} {
		var g Gender
		require.NoError(t, json.Unmarshal([]byte(in), &g), in)
		assert.Equal(t, want, g, in)
	}
	var g Gender
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &g))
	assert.Error(t, json.Unmarshal([]byte(`true`), &g))
	assert.Equal(t, "male", GenderMale.String())
	assert.Equal(t, "Gender(7)", Gender(7).String())
}

func TestUnexpectedResponse(t *testing.T) {
	err := UnexpectedResponse(http.MethodGet, "/cgi-bin/get_jsapi_ticket", "no ticket in %s", "the answer")
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "/cgi-bin/get_jsapi_ticket", e.Path)
	assert.Equal(t, "wecom: GET /cgi-bin/get_jsapi_ticket: unexpected response: no ticket in the answer", err.Error())
}
