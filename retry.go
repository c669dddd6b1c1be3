package wecom

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/wecomkit/wecom/internal/backoff"
	"github.com/wecomkit/wecom/internal/wire"
)

// RetryPolicy says how often and how patiently failed calls are retried.
//
// What is retried, with exponential backoff and full jitter, until
// MaxAttempts or the caller's context ends:
//   - failures after which WeCom certainly did not apply the call, for every
//     call: frequency limits (45009, 45033), HTTP 429, connection
//     failures before the request was sent;
//   - failures after which it may have, only for calls marked Idempotent:
//     system busy (-1), HTTP 502/503/504, attempt timeouts, dropped or
//     reset connections, empty responses.
//
// Separately, a call answered with 40014, 40082, 42001 or 42009 (token rejected)
// is repeated once with a fresh token: WeCom refused it before doing
// anything. Other errcodes are returned at once.
//
// A call that changes data (not Idempotent) is never repeated after a
// failure that leaves open whether WeCom applied it: the retryable ones
// above, and also any other 5xx, a 200 carrying HTML, garbage or nothing,
// and the caller's context ending once the request may have gone out. It
// fails with an *Error whose MaybeApplied is set, so that a mass message
// is never sent twice because of the SDK. An errcode 0 answer that cannot
// be decoded has Applied set as well: the change was made.
type RetryPolicy struct {
	// MaxAttempts is the most times a call is sent, the first included
	// (the token refresh repeat aside). 1 disables retries.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the backoff: the n-th retry waits a
	// random time below min(MaxDelay, BaseDelay·2^(n-1)).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// RateLimitDelay replaces BaseDelay after a frequency limit, which
	// WeCom counts per minute and so clears more slowly than a busy server.
	RateLimitDelay time.Duration
}

// DefaultRetryPolicy returns the policy a Client uses unless told
// otherwise: 4 attempts, backoff from 200ms (1s after a frequency limit)
// up to 10s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, RateLimitDelay: time.Second}
}

// NoRetry is a policy that sends every call once (the token refresh
// repeat aside).
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 1 {
		return fmt.Errorf("retry policy: MaxAttempts %d is below 1", p.MaxAttempts)
	}
	if p.BaseDelay < 0 || p.MaxDelay < 0 || p.RateLimitDelay < 0 {
		return errors.New("retry policy: negative delay")
	}
	if p.MaxDelay < p.BaseDelay || p.MaxDelay < p.RateLimitDelay {
		return errors.New("retry policy: MaxDelay below BaseDelay or RateLimitDelay")
	}
	return nil
}

// delay is the wait before the n-th retry after failure e.
func (p RetryPolicy) delay(n int, e *Error) time.Duration {
	base := p.BaseDelay
	if e != nil && (isRateLimitCode(e.Code) || e.HTTPStatus == 429) && p.RateLimitDelay > 0 {
		base = p.RateLimitDelay
	}
	return backoff.FullJitter(base, p.MaxDelay, n)
}

// isNotSent reports whether a transport error happened before the request
// could reach the server (so repeating it cannot apply it twice).
func isNotSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// effect says whether WeCom applied an attempt.
type effect uint8

const (
	notApplied   effect = iota // certainly not: refused, or never sent
	maybeApplied               // unknown
	applied                    // applied, but the answer is unreadable
)

// verdict is what an attempt's outcome means for the retry decision.
type verdict struct {
	effect        effect
	transient     bool // the failure may pass: worth sending again if effect allows
	tokenRejected bool // 40014/40082/42001/42009: refresh the token and repeat once
}

// retryState is what the decision remembers between attempts of a call.
type retryState struct {
	retries       int
	tokenRepeated bool
}

// decision is what to do after an attempt.
type decision struct {
	repeat       bool
	refreshToken bool          // invalidate the token the attempt used first
	delay        time.Duration // before the next attempt
	maybeApplied bool          // the final error's MaybeApplied
	applied      bool          // the final error's Applied
}

// decide is the retry rule over one attempt's outcome (err nil on
// success): repeat or not, how long to wait, and what the final error
// says about the call's effect.
func (p RetryPolicy) decide(st *retryState, v verdict, err *Error, cl *call) decision {
	if err == nil {
		return decision{}
	}
	idem := cl.req.Idempotent
	resendable := cl.up == nil || cl.up.rewindable()
	switch {
	case v.tokenRejected && !st.tokenRepeated && resendable:
		st.tokenRepeated = true
		return decision{repeat: true, refreshToken: true}
	case v.transient && (v.effect == notApplied || idem) && st.retries+1 < cl.maxAttempts && resendable:
		st.retries++
		return decision{repeat: true, delay: p.delay(st.retries, err)}
	}
	return decision{maybeApplied: v.effect != notApplied && !idem, applied: v.effect == applied}
}

// classify turns an attempt's result into a verdict and an *Error (nil on
// success), decoding the payload into cl.out on success.
func (c *Client) classify(ctx context.Context, cl *call, tok string, res *result) (verdict, *Error) {
	if res.err != nil {
		return c.transportFailure(ctx, cl, tok, res)
	}
	body := res.body.Bytes()
	st, ok := wire.ScanStatus(body)
	switch {
	case ok && st.HasCode && st.Code != 0:
		return c.errcodeFailure(cl, tok, res.status, st)
	case res.status != http.StatusOK:
		return httpVerdict(res.status), c.newError(cl, res.status, httpFailure(res.status, res.header, len(body)))
	case len(bytes.TrimSpace(body)) == 0:
		return verdict{effect: maybeApplied, transient: true}, c.newError(cl, res.status, "empty response body")
	case !ok:
		return verdict{effect: maybeApplied}, c.newError(cl, res.status, "malformed response: "+describeBody(res.header, len(body)))
	}
	if err := decodePayload(body, cl.out, cl.raw); err != nil {
		e := c.newError(cl, res.status, "decode response")
		e.Err = err
		return verdict{effect: applied}, e
	}
	return verdict{}, nil
}

func (c *Client) newError(cl *call, status int, msg string) *Error {
	return &Error{Method: cl.method, Path: cl.req.Path, HTTPStatus: status, Message: msg}
}

func (c *Client) transportFailure(ctx context.Context, cl *call, tok string, res *result) (verdict, *Error) {
	e := c.newError(cl, res.status, "")
	switch {
	case res.err == errTooLarge:
		e.Message = fmt.Sprintf("response body larger than %d bytes", c.maxBody)
		return verdict{effect: maybeApplied}, e
	case res.parentEnded:
		// The caller gave up; whether the request went out decides what
		// the error says, and nothing is repeated.
		e.Message, e.Err = "caller's context ended", ctx.Err()
		if res.notSent {
			return verdict{effect: notApplied}, e
		}
		return verdict{effect: maybeApplied}, e
	case res.notSent:
		e.Message, e.Err = "connect failed", c.sanitize(res.err, tok)
		return verdict{effect: notApplied, transient: true}, e
	case res.timedOut:
		e.Message, e.Err = fmt.Sprintf("no response within %s", c.timeout), context.DeadlineExceeded
		return verdict{effect: maybeApplied, transient: true}, e
	default:
		e.Message, e.Err = "transport error", c.sanitize(res.err, tok)
		return verdict{effect: maybeApplied, transient: true}, e
	}
}

func (c *Client) errcodeFailure(cl *call, tok string, status int, st wire.Status) (verdict, *Error) {
	msg, hint := wire.SplitHint(c.scrubText(st.Message, tok))
	e := &Error{Method: cl.method, Path: cl.req.Path, HTTPStatus: status, Code: Code(st.Code), Message: msg, Hint: hint}
	switch {
	case isTokenRejected(e.Code) && !cl.req.NoToken:
		return verdict{tokenRejected: true}, e
	case isRateLimitCode(e.Code):
		return verdict{transient: true}, e
	case e.Code == CodeSystemBusy:
		return verdict{effect: maybeApplied, transient: true}, e
	}
	return verdict{}, e // WeCom refused the call
}

func httpVerdict(status int) verdict {
	switch {
	case status == http.StatusTooManyRequests:
		return verdict{transient: true}
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return verdict{effect: maybeApplied, transient: true}
	case status >= 500:
		return verdict{effect: maybeApplied}
	}
	return verdict{} // a 4xx or a redirect: refused before WeCom acted
}

func httpFailure(status int, h http.Header, n int) string {
	return fmt.Sprintf("HTTP %d %s: %s", status, http.StatusText(status), describeBody(h, n))
}

func describeBody(h http.Header, n int) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	if strings.Contains(ct, "html") {
		return fmt.Sprintf("an HTML page (%d bytes) instead of JSON", n)
	}
	return fmt.Sprintf("%d bytes of %s", n, ct)
}
