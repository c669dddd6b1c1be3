package wecom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// resty's role: it owns the HTTP client configuration (the *http.Client,
// the caller's copy or ours; the User-Agent, set once, here; the
// no-redirect policy; its silent logger) and sends every JSON call. The
// pipeline above it owns everything WeCom-specific: token, query, retries,
// errcode checks, decoding.
//
// Uploads are the one exception, and for a measured reason: resty v2.17
// cannot stream a request body. SetBody(io.Reader) is "bufferless" only
// until createHTTPRequest, which, to give the *http.Request a GetBody,
// reads any reader net/http cannot rewind itself (getBodyCopy:
// io.ReadAll) into memory; its multipart support (SetFileReader,
// SetMultipartField) writes the whole form into a buffer first. A 20 MiB
// video would be held whole, and the known length lost. So sendUpload
// builds the *http.Request itself and sends it on resty's *http.Client,
// with resty's headers: the same client, redirect policy and User-Agent.
// A JSON body is handed to resty as a *bytes.Reader, which net/http can
// rewind, so resty neither copies nor buffers it.
func newResty(hc *http.Client, userAgent string) *resty.Client {
	if hc == nil {
		hc = &http.Client{Transport: defaultTransport()}
	}
	hcCopy := *hc // resty sets CheckRedirect: don't touch the caller's client
	rc := resty.NewWithClient(&hcCopy)
	rc.SetDisableWarn(true)
	rc.SetLogger(discardRestyLogger{})
	// A redirect could carry the token to another host; WeCom never sends one.
	rc.SetRedirectPolicy(resty.NoRedirectPolicy())
	rc.SetHeader("User-Agent", userAgent)
	return rc
}

const jsonContentType = "application/json; charset=utf-8"

// result is what one attempt produced.
type result struct {
	status      int
	header      http.Header
	body        *bytes.Buffer // pooled; nil when no response arrived
	err         error         // transport error or body read error
	notSent     bool          // err happened before the request reached the server
	timedOut    bool          // the attempt's own deadline passed
	parentEnded bool          // the caller's context ended
}

var errTooLarge = errors.New("response body exceeds the size limit")

// send makes one attempt: the request out, the whole body in (bounded by
// maxBody), within the attempt's timeout.
func (c *Client) send(ctx context.Context, cl *call, tok string) result {
	actx, cancel := c.attemptContext(ctx)
	defer cancel()
	raw, err := c.roundTrip(actx, cl, c.buildURL(cl.req.Path, tok, cl.query))
	var res result
	if err != nil {
		res.err = err
		res.notSent = isNotSent(err)
		res.parentEnded = ctx.Err() != nil
		res.timedOut = !res.parentEnded && actx.Err() != nil
		return res
	}
	defer raw.Body.Close()
	res.status = raw.StatusCode
	res.header = raw.Header
	res.body = c.bodyPool.Get().(*bytes.Buffer)
	res.body.Reset()
	if err := c.readBody(res.body, raw); err != nil {
		res.err = err
		res.parentEnded = ctx.Err() != nil
		res.timedOut = !res.parentEnded && actx.Err() != nil
	}
	return res
}

// attemptContext bounds one attempt by the Client's timeout. When the
// caller's own deadline comes first it already bounds the attempt, and no
// timer is needed.
func (c *Client) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// readBody reads the response into buf, failing with errTooLarge past
// maxBody. A declared length is enforced by net/http itself, so only a
// chunked body needs a counting reader.
func (c *Client) readBody(buf *bytes.Buffer, raw *http.Response) error {
	if n := raw.ContentLength; n >= 0 {
		if n > c.maxBody {
			return errTooLarge
		}
		buf.Grow(int(n))
		_, err := buf.ReadFrom(raw.Body)
		return err
	}
	n, err := buf.ReadFrom(io.LimitReader(raw.Body, c.maxBody+1))
	if err == nil && n > c.maxBody {
		err = errTooLarge
	}
	return err
}

// roundTrip sends one request and hands back the unread response.
func (c *Client) roundTrip(ctx context.Context, cl *call, u string) (*http.Response, error) {
	if cl.up != nil {
		return c.sendUpload(ctx, cl, u)
	}
	r := c.rc.R().SetDoNotParseResponse(true).SetContext(ctx)
	if cl.body != nil {
		r.SetHeader("Content-Type", jsonContentType)
		r.SetBody(bytes.NewReader(cl.body))
	}
	resp, err := r.Execute(cl.method, u)
	if err != nil {
		if resp != nil && resp.RawResponse != nil && resp.RawResponse.Body != nil {
			resp.RawResponse.Body.Close()
		}
		return nil, err
	}
	return resp.RawResponse, nil
}

// sendUpload streams a multipart upload on resty's *http.Client (see the
// top of this file for why not through resty.Request), with
// Content-Length when the size is known: some servers reject chunked
// uploads.
func (c *Client) sendUpload(ctx context.Context, cl *call, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, cl.method, u, cl.up.reader())
	if err != nil {
		return nil, err
	}
	req.ContentLength = cl.up.length
	for k, v := range c.rc.Header { // the User-Agent
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", cl.up.contentType)
	return c.rc.GetClient().Do(req)
}

func (c *Client) buildURL(path, tok, qs string) string {
	var sb strings.Builder
	sb.Grow(len(c.base) + len(path) + len(tok) + len(qs) + 24)
	sb.WriteString(c.base)
	sb.WriteString(path)
	sep := byte('?')
	if tok != "" {
		sb.WriteString(c.tokenPrefix)
		sb.WriteString(url.QueryEscape(tok))
		sep = '&'
	}
	if qs != "" {
		sb.WriteByte(sep)
		sb.WriteString(qs)
	}
	return sb.String()
}

func (c *Client) releaseBody(res result) {
	if res.body != nil && res.body.Cap() <= maxPooledBufferSize {
		c.bodyPool.Put(res.body)
	}
}

// discardRestyLogger keeps resty from writing to stderr; the Client does
// its own logging.
type discardRestyLogger struct{}

func (discardRestyLogger) Errorf(string, ...any) {}
func (discardRestyLogger) Warnf(string, ...any)  {}
func (discardRestyLogger) Debugf(string, ...any) {}
