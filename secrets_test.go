package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// chain returns err and every error reachable from it through Unwrap() error
// and Unwrap() []error, as error reporters walk it.
func chain(err error) []error {
	var out []error
	var walk func(error, int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, w := range u.Unwrap() {
				walk(w, depth+1)
			}
		}
	}
	walk(err, 0)
	return out
}

// secretForms are the shapes a secret takes in text.
func secretForms(sec string) []string {
	return []string{sec, url.QueryEscape(sec), url.PathEscape(sec)}
}

// A secret and tokens full of the characters URLs escape (+/=&%) must not
// appear, in any form, anywhere in any error's chain (%v, %+v, %#v of every
// link) or in the logs, whatever failed.
func TestSecretsNeverInErrorChainsOrLogs(t *testing.T) {
	const secret = "Sec+ret/Value=With&Odd%Chars-TAILsecXYZ"
	const token = "Tok+en/Val=ue&x%y-qwertyuiop0987654321"
	handler := func(mode string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			full := r.URL.String() // carries the token (escaped) and, for gettoken, the secret
			switch mode {
			case "gettoken-echo":
				writeJSON(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential " + full + " secret " + secret + " " + r.URL.RawQuery})
			case "errcode-echo":
				if r.URL.Path == "/cgi-bin/gettoken" {
					writeJSON(w, map[string]any{"errcode": 0, "access_token": token, "expires_in": 7200})
					return
				}
				writeJSON(w, map[string]any{"errcode": 40058, "errmsg": "invalid parameter token " + token + " in " + full + " raw " + r.URL.RawQuery})
			case "stall":
				if r.URL.Path == "/cgi-bin/gettoken" {
					writeJSON(w, map[string]any{"errcode": 0, "access_token": token, "expires_in": 7200})
					return
				}
				stall(w, r)
			case "drop":
				if r.URL.Path == "/cgi-bin/gettoken" {
					writeJSON(w, map[string]any{"errcode": 0, "access_token": token, "expires_in": 7200})
					return
				}
				resetConnection(w, r)
			case "redirect":
				if r.URL.Path == "/cgi-bin/gettoken" {
					writeJSON(w, map[string]any{"errcode": 0, "access_token": token, "expires_in": 7200})
					return
				}
				http.Redirect(w, r, full+"&again=1", http.StatusFound)
			}
		}
	}

	var logs syncBuffer
	var errs []error
	run := func(base string, opts ...Option) {
		c, err := New(testCorpID, secret, append([]Option{WithBaseURL(base), WithRetryPolicy(fastRetry),
			WithLogger(captureLogs(&logs)), WithTimeout(50 * time.Millisecond)}, opts...)...)
		require.NoError(t, err)
		for _, idem := range []bool{true, false} {
			err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte(`{}`), Idempotent: idem}, nil)
			require.Error(t, err)
			errs = append(errs, err)
		}
		_, err = c.AccessToken(context.Background())
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, mode := range []string{"gettoken-echo", "errcode-echo", "stall", "drop", "redirect"} {
		srv := httptest.NewServer(handler(mode))
		t.Cleanup(srv.Close)
		run(srv.URL)
	}
	run(closedAddr(t)) // transport failure on gettoken
	// A transport error on a call, the token in the URL net/http quotes.
	run(closedAddr(t), WithTokenSource(&staticTokens{tok: token}))
	// A transport (a proxy client, a tracing wrapper) whose errors quote
	// the request URL, wrapping a timeout: the text goes, the timeout stays.
	leaky := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("proxy refused %s (secret %s): %w", r.URL, secret, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded})
	})}
	run("http://127.0.0.1:1", WithHTTPClient(leaky))

	var texts []string
	for _, err := range errs {
		for _, link := range chain(err) {
			texts = append(texts, link.Error(), fmt.Sprintf("%v", link), fmt.Sprintf("%+v", link), fmt.Sprintf("%#v", link))
		}
	}
	// Log lines are JSON: check them decoded too, so an escape (\u0026)
	// cannot hide a secret from the comparison.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		texts = append(texts, line)
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		for _, v := range rec {
			texts = append(texts, fmt.Sprint(v))
		}
	}
	require.NotEmpty(t, logs.String())
	all := strings.Join(texts, "\n")
	for _, sec := range []string{secret, token} {
		for _, form := range secretForms(sec) {
			assert.NotContains(t, all, form)
		}
	}
	assert.NotContains(t, all, "TAILsecXYZ", "not even the secret's tail")
	assert.NotContains(t, all, "qwertyuiop", "not even the token's tail")

	// The typed causes are still there.
	var sawTimeout, sawErrno, sawOp, sawCode bool
	for _, err := range errs {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			sawTimeout = true
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op != "" {
			sawOp = true
		}
		sawErrno = sawErrno || errors.Is(err, syscall.ECONNREFUSED)
		sawCode = sawCode || IsCredentialError(err)
	}
	assert.True(t, sawTimeout, "a timeout stays a timeout")
	assert.True(t, sawOp, "*net.OpError stays reachable")
	assert.True(t, sawErrno, "ECONNREFUSED stays reachable")
	var sawDeadline bool
	for _, err := range errs {
		sawDeadline = sawDeadline || errors.Is(err, os.ErrDeadlineExceeded)
	}
	assert.True(t, sawDeadline, "a wrapped os.ErrDeadlineExceeded stays reachable through a scrubbed stand-in")
	assert.True(t, sawCode, "a gettoken errcode stays reachable")
}
