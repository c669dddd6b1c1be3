package wecom

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecretsNeverLeak runs calls through every failure the pipeline knows,
// with servers that echo what they received, and checks that no log line
// and no error text carries the corp secret or any token ever issued.
func TestSecretsNeverLeak(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		full := r.URL.String() // includes access_token
		switch n.Add(1) % 9 {
		case 0:
			errcode(-1, "system busy "+full)(w, r)
		case 1:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>upstream failed for "+full+"</html>")
		case 2:
			dropConnection(w, r)
		case 3:
			errcode(45009, "api freq out of limit, request "+full)(w, r)
		case 4:
			f.revoke(r.URL.Query().Get("access_token"))
			errcode(40014, "invalid access_token "+r.URL.Query().Get("access_token")+", hint: [1700_1_x]")(w, r)
		case 5:
			stall(w, r)
		case 6:
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>login page "+full+"</html>")
		case 7:
			http.Redirect(w, r, full+"&next=1", http.StatusFound)
		default:
			errcode(40058, "invalid parameter "+full)(w, r)
		}
	})

	var logs syncBuffer
	var mu sync.Mutex
	var texts []string
	c := f.client(t, WithLogger(captureLogs(&logs)), WithTimeout(30*time.Millisecond),
		WithObserver(func(_ context.Context, ci CallInfo) {
			if ci.Err != nil {
				mu.Lock()
				texts = append(texts, ci.Err.Error(), fmt.Sprintf("%+v", ci.Err))
				mu.Unlock()
			}
		}))
	for i := 0; i < 60; i++ {
		err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`), Idempotent: i%2 == 0}, nil)
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err))
		}
	}
	// A gettoken failure and a transport failure on gettoken.
	bad, err := New(testCorpID, testSecret, WithBaseURL(closedAddr(t)), WithRetryPolicy(fastRetry), WithLogger(captureLogs(&logs)))
	require.NoError(t, err)
	_, err = bad.AccessToken(context.Background())
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))

	require.Greater(t, f.tokenCalls.Load(), int32(3), "the run issued several tokens")
	secrets := []string{testSecret}
	for i := int32(1); i <= f.tokenCalls.Load(); i++ {
		secrets = append(secrets, fmt.Sprintf("TOKEN-%04d-%s", i, "qwertyuiopasdfghjkl"))
	}
	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.NotEmpty(t, logs.String())
	for _, s := range secrets {
		assert.NotContains(t, all, s)
	}
	assert.NotContains(t, all, "qwertyuiopasdfghjkl", "not even a token's tail")
	// Echoed URLs may remain, but only in their redacted form.
	redacted := strings.ReplaceAll(strings.ReplaceAll(all, "access_token=REDACTED", ""), "corpsecret=REDACTED", "")
	assert.NotContains(t, redacted, "access_token=")
	assert.NotContains(t, redacted, "corpsecret=")
}
