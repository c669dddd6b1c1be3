package wecom

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
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
//     system busy (-1), HTTP 502/503/504, timeouts, dropped connections,
//     empty responses. A call that changes data returns these as an *Error
//     with MaybeApplied set instead, so a mass message is never sent twice
//     because of a retry.
//
// Separately, a call answered with 40014, 42001 or 42009 (token rejected)
// is repeated once with a fresh token: WeCom refused it before doing
// anything. Other errcodes are returned at once.
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

// scrubbedError keeps a transport error's identity (errors.Is/As still
// reach the cause) while its text has no URL query and no secret: net/http
// puts the whole URL, access_token included, into its errors.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrubError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err // drop "Get \"https://...?access_token=...\": "
	}
	return &scrubbedError{msg: wire.Scrub(wire.RedactQuery(err.Error()), secrets...), err: err}
}
