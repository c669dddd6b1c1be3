package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadConfiguration(t *testing.T) {
	cases := []struct {
		name   string
		corpID string
		secret string
		opts   []Option
		want   string
	}{
		{"empty corp id", "", "x", nil, "corp id is empty"},
		{"blank corp id", "  ", "x", nil, "corp id is empty"},
		{"empty secret", "ww1", "", nil, "secret is empty"},
		{"relative base URL", "ww1", "x", []Option{WithBaseURL("qyapi.weixin.qq.com")}, "absolute http or https URL"},
		{"ftp base URL", "ww1", "x", []Option{WithBaseURL("ftp://example.com")}, "absolute http or https URL"},
		{"base URL with query", "ww1", "x", []Option{WithBaseURL("https://example.com/?a=1")}, "must not carry a query"},
		{"nil http client", "ww1", "x", []Option{WithHTTPClient(nil)}, "nil *http.Client"},
		{"zero timeout", "ww1", "x", []Option{WithTimeout(0)}, "is not positive"},
		{"nil token source", "ww1", "x", []Option{WithTokenSource(nil)}, "nil TokenSource"},
		{"nil token cache", "ww1", "x", []Option{WithTokenCache(nil)}, "nil TokenCache"},
		{"nil limiter", "ww1", "x", []Option{WithLimiter(nil)}, "nil Limiter"},
		{"zero attempts", "ww1", "x", []Option{WithRetryPolicy(RetryPolicy{})}, "MaxAttempts 0"},
		{"negative delay", "ww1", "x", []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: -1})}, "negative delay"},
		{"max below base", "ww1", "x", []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Millisecond})}, "MaxDelay below"},
		{"negative refresh ahead", "ww1", "x", []Option{WithTokenRefreshAhead(-time.Second)}, "negative"},
		{"zero max body", "ww1", "x", []Option{WithMaxResponseBytes(0)}, "not positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.corpID, tc.secret, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
			if tc.secret != "" {
				assert.NotContains(t, err.Error(), tc.secret+"-never")
			}
		})
	}

	t.Run("secret may be empty with a token source", func(t *testing.T) {
		c, err := New("ww1", "", WithTokenSource(&staticTokens{tok: "t"}))
		require.NoError(t, err)
		assert.Equal(t, "ww1", c.CorpID())
	})
	t.Run("defaults", func(t *testing.T) {
		c, err := New("ww1", "x")
		require.NoError(t, err)
		assert.Equal(t, DefaultBaseURL, c.base)
		assert.Equal(t, DefaultRetryPolicy(), c.retry)
		assert.Nil(t, c.limiter)
	})
	t.Run("does not modify the caller's http client", func(t *testing.T) {
		hc := &http.Client{}
		_, err := New("ww1", "x", WithHTTPClient(hc))
		require.NoError(t, err)
		assert.Nil(t, hc.CheckRedirect)
	})
}

type followUsers struct {
	FollowUser []string `json:"follow_user"`
}

func TestDoGETSendsTokenQueryAndDecodes(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/externalcontact/get", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "follow_user": []string{"zhangsan", "lisi"}})
	})
	c := f.client(t, WithUserAgent("acme-crm/1.0"))
	type q struct {
		ExternalUserID string `url:"external_userid"`
		Cursor         string `url:"cursor,omitempty"`
	}
	var out followUsers
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/externalcontact/get", Query: q{ExternalUserID: "wmABC&x=1"}, Idempotent: true}, &out)
	require.NoError(t, err)
	assert.Equal(t, []string{"zhangsan", "lisi"}, out.FollowUser)

	reqs := f.requests("/cgi-bin/externalcontact/get")
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, url.Values{"external_userid": {"wmABC&x=1"}}, reqs[0].Query)
	assert.Equal(t, "TOKEN-0001-qwertyuiopasdfghjkl", reqs[0].Token)
	assert.Equal(t, "", reqs[0].Body)
	assert.Equal(t, "acme-crm/1.0", reqs[0].Header.Get("User-Agent"))

	gt := f.requests("/cgi-bin/gettoken")
	require.Len(t, gt, 1)
	assert.Equal(t, url.Values{"corpid": {testCorpID}, "corpsecret": {testSecret}}, gt[0].Query)
}

func TestDoPOSTSendsJSONBody(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/externalcontact/mark_tag", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	})
	c := f.client(t)
	type markTag struct {
		UserID string   `json:"userid"`
		AddTag []string `json:"add_tag,omitempty"`
	}
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/externalcontact/mark_tag", Body: markTag{UserID: "zhangsan", AddTag: []string{"et1"}}}, nil)
	require.NoError(t, err)
	reqs := f.requests("/cgi-bin/externalcontact/mark_tag")
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.JSONEq(t, `{"userid":"zhangsan","add_tag":["et1"]}`, reqs[0].Body)
	assert.Equal(t, "application/json; charset=utf-8", reqs[0].Header.Get("Content-Type"))
	assert.Empty(t, reqs[0].Query)
}

func TestDoRawBodyAndRawResponse(t *testing.T) {
	f := newFake(t)
	payload := `{"errcode":0,"errmsg":"ok","new_field":{"a":1}}`
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, payload) })
	c := f.client(t)
	var raw json.RawMessage
	var out json.RawMessage
	err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: json.RawMessage(`{"k":"v"}`)}, &out, RawResponse(&raw))
	require.NoError(t, err)
	assert.Equal(t, payload, string(raw))
	assert.Equal(t, payload, string(out))
	assert.Equal(t, `{"k":"v"}`, f.requests("/cgi-bin/x")[0].Body)
}

func TestDoRejectsMalformedRequests(t *testing.T) {
	c, err := New("ww1", "x", WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	cases := map[string]*Request{
		"relative path":  {Path: "cgi-bin/x"},
		"query in path":  {Path: "/cgi-bin/x?a=1"},
		"bad method":     {Method: "PUT", Path: "/cgi-bin/x"},
		"GET with body":  {Method: "GET", Path: "/cgi-bin/x", Body: map[string]int{"a": 1}},
		"string query":   {Path: "/cgi-bin/x", Query: "a=1"},
		"body and media": {Path: "/cgi-bin/x", Body: []byte("{}"), Upload: &Upload{FileName: "a", Reader: strings.NewReader("x")}},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.Do(context.Background(), req, nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 0, e.Attempts)
		})
	}
	assert.Error(t, c.Do(context.Background(), nil, nil))
}

func TestErrcodeBecomesTypedError(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/externalcontact/get", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"errcode": 40096, "errmsg": "invalid external userid, hint: [1700000000_33_ghi], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=40096"})
	})
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/externalcontact/get", Idempotent: true}, nil)
	wrapped := errors.Join(errors.New("context"), err)

	var e *Error
	require.ErrorAs(t, wrapped, &e)
	assert.Equal(t, CodeInvalidExternalUserID, e.Code)
	assert.Equal(t, "invalid external userid", e.Message)
	assert.Equal(t, "1700000000_33_ghi", e.Hint)
	assert.Equal(t, "/cgi-bin/externalcontact/get", e.Path)
	assert.Equal(t, "GET", e.Method)
	assert.Equal(t, 200, e.HTTPStatus)
	assert.Equal(t, 1, e.Attempts)
	assert.False(t, e.MaybeApplied)
	assert.Equal(t, "wecom: GET /cgi-bin/externalcontact/get: errcode 40096: invalid external userid (hint 1700000000_33_ghi)", e.Error())
	assert.Equal(t, CodeInvalidExternalUserID, ErrorCode(wrapped))
	assert.True(t, HasCode(wrapped, CodeInvalidParameter, CodeInvalidExternalUserID))
	assert.False(t, IsRateLimited(wrapped))
	assert.Len(t, f.requests("/cgi-bin/externalcontact/get"), 1, "a plain errcode is not retried")
}

func TestNonJSONResponses(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		ctype      string
		body       string
		idempotent bool
		attempts   int
		wantMsg    string
		maybe      bool
	}{
		{"html page 200", 200, "text/html", "<html><body>gateway</body></html>", true, 1, "malformed response: an HTML page (33 bytes) instead of JSON", false},
		{"empty body read", 200, "application/json", "", true, 4, "empty response body", false},
		{"empty body write", 200, "application/json", "", false, 1, "empty response body", true},
		{"502 html read", 502, "text/html", "<html>bad gateway</html>", true, 4, "HTTP 502 Bad Gateway: an HTML page (24 bytes) instead of JSON", false},
		{"502 write", 502, "text/html", "<html>bad gateway</html>", false, 1, "HTTP 502 Bad Gateway", true},
		{"500 write", 500, "text/plain", "oops", false, 1, "HTTP 500 Internal Server Error: 4 bytes of text/plain", true},
		{"404", 404, "text/plain", "not found", true, 1, "HTTP 404 Not Found", false},
		{"truncated json", 200, "application/json", `{"errcode":0,"errmsg":"ok","a":[1,2`, true, 1, "malformed response", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			c := f.client(t)
			err := c.Do(context.Background(), &Request{Method: "POST", Path: "/cgi-bin/x", Body: []byte("{}"), Idempotent: tc.idempotent}, &followUsers{})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Error(), tc.wantMsg)
			assert.Equal(t, tc.status, e.HTTPStatus)
			assert.Equal(t, Code(0), e.Code)
			assert.Equal(t, tc.maybe, e.MaybeApplied)
			assert.Len(t, f.requests("/cgi-bin/x"), tc.attempts)
			assert.Equal(t, tc.attempts, e.Attempts)
		})
	}
}

func TestErrcodeOnNon200IsKept(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		_, _ = io.WriteString(w, `{"errcode":-1,"errmsg":"system busy"}`)
	})
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeSystemBusy, e.Code)
	assert.Equal(t, 503, e.HTTPStatus)
	assert.True(t, IsBusy(err))
	assert.Len(t, f.requests("/cgi-bin/x"), 4)
	assert.Contains(t, e.Error(), "[HTTP 503]")
	assert.Contains(t, e.Error(), "(after 4 attempts)")
}

func TestDecodeFailureIsAnError(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","follow_user":"not-a-list"}`)
	})
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, &followUsers{})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "decode response", e.Message)
	var je *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &je)
}

func TestResponseSizeLimit(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"`+strings.Repeat("a", 2000)+`"}`)
	})
	c := f.client(t, WithMaxResponseBytes(1000))
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "response body larger than 1000 bytes")
	assert.Len(t, f.requests("/cgi-bin/x"), 1)
}

func TestRedirectIsNotFollowed(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/steal", http.StatusFound)
	})
	c := f.client(t)
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "TOKEN-")
}

func TestUploadIsMultipartAndStreams(t *testing.T) {
	f := newFake(t)
	var gotLen int64
	var gotName, gotField, gotContent, gotDisp string
	var calls atomic.Int32
	f.handle("/cgi-bin/media/upload_attachment", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeJSON(w, map[string]any{"errcode": 45009, "errmsg": "api freq out of limit"})
			return
		}
		gotLen = r.ContentLength
		mr, err := r.MultipartReader()
		if err != nil {
			writeJSON(w, map[string]any{"errcode": 40058, "errmsg": err.Error()})
			return
		}
		p, err := mr.NextPart()
		if err != nil {
			writeJSON(w, map[string]any{"errcode": 40058, "errmsg": err.Error()})
			return
		}
		gotField, gotName, gotDisp = p.FormName(), p.FileName(), p.Header.Get("Content-Disposition")
		b, _ := io.ReadAll(p)
		gotContent = string(b)
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "type": "image", "media_id": "MEDIA1", "created_at": 1700000000})
	})
	c := f.client(t)
	content := strings.Repeat("JPEG", 1000)
	var out struct {
		MediaID string `json:"media_id"`
	}
	err := c.Do(context.Background(), &Request{
		Method: "POST",
		Path:   "/cgi-bin/media/upload_attachment",
		Query:  url.Values{"media_type": {"image"}, "attachment_type": {"1"}},
		Upload: &Upload{FileName: "商品.jpg", ContentType: "image/jpeg", Reader: strings.NewReader(content)},
	}, &out)
	require.NoError(t, err)
	assert.Equal(t, "MEDIA1", out.MediaID)
	assert.Equal(t, int32(2), calls.Load(), "a seekable upload is repeated after a frequency limit")
	assert.Equal(t, "media", gotField)
	assert.Equal(t, "商品.jpg", gotName)
	assert.Contains(t, gotDisp, "filelength=4000")
	assert.Equal(t, content, gotContent)
	assert.Greater(t, gotLen, int64(4000), "Content-Length is set, not chunked")
	reqs := f.requests("/cgi-bin/media/upload_attachment")
	assert.Equal(t, url.Values{"media_type": {"image"}, "attachment_type": {"1"}}, reqs[1].Query)
}

func TestUnseekableUploadIsSentOnce(t *testing.T) {
	f := newFake(t)
	f.handle("/cgi-bin/media/upload_attachment", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, map[string]any{"errcode": 45009, "errmsg": "api freq out of limit"})
	})
	c := f.client(t)
	err := c.Do(context.Background(), &Request{
		Path:   "/cgi-bin/media/upload_attachment",
		Upload: &Upload{FileName: "a.txt", Reader: io.MultiReader(strings.NewReader("hello"))},
	}, nil)
	assert.True(t, IsRateLimited(err))
	assert.Len(t, f.requests("/cgi-bin/media/upload_attachment"), 1)
	assert.Contains(t, f.requests("/cgi-bin/media/upload_attachment")[0].Body, `filename="a.txt"`)
	assert.True(t, f.requests("/cgi-bin/media/upload_attachment")[0].Chunked, "unknown size: sent chunked")
}

func TestUploadValidation(t *testing.T) {
	c, err := New("ww1", "x", WithTokenSource(&staticTokens{tok: "t"}), WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Path: "/cgi-bin/media/upload", Upload: &Upload{FileName: "a"}}, nil)
	assert.ErrorContains(t, err, "upload has no Reader")
	err = c.Do(context.Background(), &Request{Path: "/cgi-bin/media/upload", Upload: &Upload{Reader: bytes.NewReader(nil)}}, nil)
	assert.ErrorContains(t, err, "upload has no FileName")
}

func TestDebugLogLine(t *testing.T) {
	f := newFake(t)
	var buf syncBuffer
	c := f.client(t, WithLogger(captureLogs(&buf)))
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/externalcontact/get_follow_user_list", Idempotent: true}, nil))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2) // gettoken + the call
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
	assert.Equal(t, "DEBUG", rec["level"])
	assert.Equal(t, "wecom call", rec["msg"])
	assert.Equal(t, "GET", rec["method"])
	assert.Equal(t, "/cgi-bin/externalcontact/get_follow_user_list", rec["path"])
	assert.Equal(t, float64(1), rec["attempt"])
	assert.Equal(t, float64(200), rec["status"])
	assert.Equal(t, float64(0), rec["errcode"])
	assert.Contains(t, rec, "duration")
	assert.NotContains(t, rec, "error")
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle("/cgi-bin/x", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, map[string]any{"errcode": 45009, "errmsg": "api freq out of limit"})
			return
		}
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	})
	var mu sync.Mutex
	var infos []CallInfo
	c := f.client(t, WithObserver(func(_ context.Context, info CallInfo) {
		mu.Lock()
		infos = append(infos, info)
		mu.Unlock()
	}))
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x"}, nil))
	require.Len(t, infos, 3)
	assert.Equal(t, "/cgi-bin/gettoken", infos[0].Path)
	assert.Equal(t, CallInfo{Method: "GET", Path: "/cgi-bin/x", Attempt: 1, HTTPStatus: 200, Code: CodeFrequencyLimit, Retry: true}, zeroDur(infos[1]))
	assert.Equal(t, CallInfo{Method: "GET", Path: "/cgi-bin/x", Attempt: 2, HTTPStatus: 200}, zeroDur(infos[2]))
}

func zeroDur(ci CallInfo) CallInfo { ci.Duration = 0; ci.Err = nil; return ci }

func TestHTTPClientOptionIsUsed(t *testing.T) {
	f := newFake(t)
	var used atomic.Bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Store(true)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := f.client(t, WithHTTPClient(hc))
	require.NoError(t, c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil))
	assert.True(t, used.Load())
}

func TestTimeoutOptionBoundsEachAttempt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New("ww1", "x", WithBaseURL(srv.URL), WithTokenSource(&staticTokens{tok: "t"}), WithTimeout(30*time.Millisecond), WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	start := time.Now()
	err = c.Do(context.Background(), &Request{Path: "/cgi-bin/x", Idempotent: true}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 4, e.Attempts)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, e.Message, "no response within 30ms")
	assert.Less(t, time.Since(start), 1500*time.Millisecond)
}

// gatedReader yields its first chunk, then blocks until the server has
// received that chunk: an SDK that read the upload whole before sending
// (as resty's SetBody(io.Reader) does) would never get past it.
type gatedReader struct {
	first, rest []byte
	gate        <-chan struct{}
	stage       int
}

func (g *gatedReader) Read(p []byte) (int, error) {
	switch g.stage {
	case 0:
		g.stage++
		return copy(p, g.first), nil
	case 1:
		select {
		case <-g.gate:
		case <-time.After(5 * time.Second):
			return 0, errors.New("the server never saw the first chunk: the upload was buffered, not streamed")
		}
		g.stage++
		return copy(p, g.rest), nil
	}
	return 0, io.EOF
}

func TestUploadStreamsWithoutBuffering(t *testing.T) {
	f := newFake(t)
	first, rest := strings.Repeat("A", 1000), strings.Repeat("B", 1000)
	gate := make(chan struct{})
	var got, ua string
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi-bin/media/upload" {
			f.serve(w, r)
			return
		}
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 512)
		for !strings.Contains(string(buf), first) {
			n, err := r.Body.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if err != nil {
				break
			}
		}
		close(gate)
		ua = r.Header.Get("User-Agent")
		all, _ := io.ReadAll(r.Body)
		got = string(append(buf, all...))
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "media_id": "M1"})
	})
	c := f.client(t, WithUserAgent("acme/2"))
	var out struct {
		MediaID string `json:"media_id"`
	}
	err := c.Do(context.Background(), &Request{Path: "/cgi-bin/media/upload", Upload: &Upload{
		FileName: "a.bin", Reader: &gatedReader{first: []byte(first), rest: []byte(rest), gate: gate}, Size: 2000,
	}}, &out)
	require.NoError(t, err)
	assert.Equal(t, "M1", out.MediaID)
	assert.Contains(t, got, first+rest)
	assert.Equal(t, "acme/2", ua, "uploads carry the one User-Agent too")
}
