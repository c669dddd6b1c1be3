package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"
)

// Do sends req through the pipeline and decodes the response payload into
// out (a pointer to a struct, a *json.RawMessage, or nil to discard it).
// It adds the access token, waits for the rate limiter, checks errcode,
// refreshes a rejected token and repeats the call once, and retries
// transient failures per the retry policy. Every failure is an *Error.
//
// Do is the escape hatch for endpoints the SDK does not wrap yet; the area
// packages are built on it.
func (c *Client) Do(ctx context.Context, req *Request, out any, opts ...CallOption) error {
	var cl call
	if err := c.prepare(&cl, req, out, opts); err != nil {
		return err
	}
	var st retryState
	for n := 1; ; n++ {
		a := c.attempt(ctx, &cl, n)
		if !a.sent {
			return a.err
		}
		d := c.retry.decide(&st, a.verdict, a.err, &cl)
		if a.err != nil {
			a.err.Attempts = n
			a.err.MaybeApplied = d.maybeApplied
			a.err.Applied = d.applied
		}
		c.report(ctx, &cl, a, d.repeat) // the error as the caller will see it
		if !d.repeat {
			return c.finish(ctx, &cl, a)
		}
		if d.refreshToken {
			c.tokens.Invalidate(ctx, a.token)
		}
		if d.delay > 0 {
			if err := c.sleep(ctx, d.delay); err != nil {
				return &Error{Method: cl.method, Path: req.Path, Attempts: n, Message: "waiting to retry", Err: err,
					Code: a.err.Code, HTTPStatus: a.err.HTTPStatus}
			}
		}
	}
}

// call is one Do call, prepared once and sent by each attempt.
type call struct {
	req         *Request
	method      string
	query       string
	body        []byte
	up          *preparedUpload
	out         any
	raw         *json.RawMessage
	maxAttempts int
}

// prepare fills cl from req, once for all attempts. An error means the
// request is malformed and was never sent.
func (c *Client) prepare(cl *call, req *Request, out any, opts []CallOption) error {
	if req == nil {
		return &Error{Message: "nil request"}
	}
	*cl = call{req: req, method: req.method(), out: out, maxAttempts: c.retry.MaxAttempts}
	for _, o := range opts {
		if o != nil {
			var co callOptions
			o(&co)
			if co.raw != nil {
				cl.raw = co.raw
			}
			if co.maxAttempts > 0 {
				cl.maxAttempts = co.maxAttempts
			}
		}
	}
	fail := func(msg string, err error) error {
		return &Error{Method: cl.method, Path: req.Path, Message: msg, Err: err}
	}
	if err := validateRequest(req, cl.method); err != nil {
		return fail(err.Error(), nil)
	}
	var err error
	if cl.query, err = encodeQuery(req.Query); err != nil {
		return fail("encode query", err)
	}
	if req.Body != nil {
		if cl.body, err = encodeBody(req.Body); err != nil {
			return fail("encode body", err)
		}
	}
	if req.Upload != nil {
		if cl.up, err = req.Upload.prepare(); err != nil {
			return fail("prepare upload", err)
		}
	}
	return nil
}

// attemptOutcome is what one attempt did.
type attemptOutcome struct {
	n       int
	sent    bool // false: it failed before sending (token, limiter, rewind)
	token   string
	status  int
	dur     time.Duration
	verdict verdict
	err     *Error // nil on success
}

// attempt sends cl once and classifies what happened.
func (c *Client) attempt(ctx context.Context, cl *call, n int) attemptOutcome {
	a := attemptOutcome{n: n}
	if !cl.req.NoToken {
		tok, err := c.tokens.Token(ctx)
		if err == nil && tok == "" {
			err = errNoToken
		}
		if err != nil {
			a.err = c.tokenError(cl, n-1, err)
			return a
		}
		a.token = tok
	}
	// The slot is taken last, right before sending, so that a token fetch
	// does not eat into it.
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx, c.corpID, cl.req.Path); err != nil {
			a.err = &Error{Method: cl.method, Path: cl.req.Path, Attempts: n - 1, Message: "rate limiter", Err: err}
			return a
		}
	}
	if cl.up != nil && n > 1 {
		if err := cl.up.rewind(); err != nil {
			a.err = &Error{Method: cl.method, Path: cl.req.Path, Attempts: n - 1, Message: "rewind upload", Err: err}
			return a
		}
	}
	if err := ctx.Err(); err != nil {
		a.err = &Error{Method: cl.method, Path: cl.req.Path, Attempts: n - 1, Message: "caller's context ended before sending", Err: err}
		return a
	}
	a.sent = true
	start := c.now()
	res := c.send(ctx, cl, a.token)
	a.verdict, a.err = c.classify(ctx, cl, a.token, &res)
	a.status = res.status
	a.dur = c.now().Sub(start)
	c.releaseBody(res)
	return a
}

// finish returns the call's result after its last attempt.
func (c *Client) finish(ctx context.Context, cl *call, a attemptOutcome) error {
	if a.err == nil {
		return nil // not a nil *Error in a non-nil error
	}
	if a.n > 1 {
		c.logGaveUp(ctx, cl, a.n, a.err)
	}
	return a.err
}

func (c *Client) tokenError(cl *call, attempts int, err error) *Error {
	e := &Error{Method: cl.method, Path: cl.req.Path, Attempts: attempts, Message: "get access token"}
	var te *Error
	if errors.As(err, &te) {
		// gettoken's own failure: keep its code (40001, 40013, ...) so
		// callers can tell a bad secret from a network problem. Its chain
		// is already clean.
		e.Code, e.HTTPStatus, e.Err = te.Code, te.HTTPStatus, err
		return e
	}
	e.Err = c.sanitize(err, "")
	return e
}

func decodePayload(body []byte, out any, raw *json.RawMessage) error {
	if raw != nil {
		*raw = append((*raw)[:0], body...)
	}
	switch v := out.(type) {
	case nil:
		return nil
	case *json.RawMessage:
		*v = append((*v)[:0], body...)
		return nil
	}
	return json.Unmarshal(body, out)
}

func (c *Client) report(ctx context.Context, cl *call, a attemptOutcome, retry bool) {
	if c.observer != nil {
		info := CallInfo{Method: cl.method, Path: cl.req.Path, Attempt: a.n, HTTPStatus: a.status, Duration: a.dur, Retry: retry}
		if a.err != nil {
			info.Code, info.Err = a.err.Code, a.err
		}
		c.observer(ctx, info)
	}
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("method", cl.method),
		slog.String("path", cl.req.Path),
		slog.Int("attempt", a.n),
		slog.Int("status", a.status),
		slog.Int("errcode", 0),
		slog.Duration("duration", a.dur),
		slog.Bool("retry", retry),
		{},
	}
	n := len(attrs) - 1
	if a.err != nil {
		attrs[4] = slog.Int("errcode", int(a.err.Code))
		attrs[n] = slog.String("error", a.err.Error())
		n++
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "wecom call", attrs[:n]...)
}

func (c *Client) logGaveUp(ctx context.Context, cl *call, attempts int, e *Error) {
	if c.log == nil {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "wecom call failed after retries",
		slog.String("method", cl.method), slog.String("path", cl.req.Path), slog.Int("attempts", attempts),
		slog.Int("errcode", int(e.Code)), slog.String("error", e.Error()))
}
