package wecom

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"

	"github.com/wecomkit/wecom/internal/wire"
)

// scrubText makes text from the network or from net/http safe for an error
// or a log: the token and the secret go in every form they may take (raw,
// query- or path-escaped), then the values of secret query parameters.
// Scrubbing first matters: a secret holding '&' would otherwise be cut in
// two by the query redaction, leaving its tail behind.
func (c *Client) scrubText(s, tok string) string {
	return wire.RedactQuery(wire.Scrub(s, tok, c.secret))
}

// sanitize returns a copy of a transport error's chain that keeps what
// callers test for and none of the text: net/http puts the whole URL,
// token included, into its errors, and error reporters walk the chain.
//
// Kept: the well-known sentinels (context.DeadlineExceeded, io.EOF, ...),
// syscall errnos (ECONNREFUSED, ECONNRESET, ...), and *net.OpError,
// *os.SyscallError and *net.DNSError rebuilt around their sanitized causes
// (their own text is an operation, an address, a host name), and
// *tls.CertificateVerificationError as is. Anything else becomes a *causeError: its text
// scrubbed, its Timeout/Temporary answers and the sentinels it matched
// kept, the original dropped.
func (c *Client) sanitize(err error, tok string) error {
	return sanitizeErr(err, func(s string) string { return c.scrubText(s, tok) }, 0)
}

// wellKnown are sentinels whose text is fixed and which callers test with
// errors.Is.
var wellKnown = [...]error{
	context.Canceled, context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF,
	net.ErrClosed, os.ErrDeadlineExceeded, errTooLarge, errNoToken,
}

func sanitizeErr(err error, scrub func(string) string, depth int) error {
	if err == nil {
		return nil
	}
	if depth > 16 {
		return &causeError{msg: scrub(err.Error())}
	}
	for _, s := range wellKnown {
		if err == s {
			return s
		}
	}
	next := func(e error) error { return sanitizeErr(e, scrub, depth+1) }
	switch e := err.(type) {
	case syscall.Errno:
		return e
	case *url.Error:
		return next(e.Err) // the URL is the part that carries the token
	case *net.OpError:
		return &net.OpError{Op: e.Op, Net: e.Net, Source: e.Source, Addr: e.Addr, Err: next(e.Err)}
	case *os.SyscallError:
		return &os.SyscallError{Syscall: e.Syscall, Err: next(e.Err)}
	case *net.DNSError:
		cp := *e
		cp.UnwrapErr = next(e.UnwrapErr)
		return &cp
	case *tls.CertificateVerificationError:
		return e // certificate text: names and hosts, never our URL
	case *Error:
		return e // built by the SDK: already clean
	case *sentinelError:
		return e // fixed text (NewSentinel)
	}
	ce := &causeError{msg: scrub(err.Error())}
	var ne net.Error
	if errors.As(err, &ne) {
		ce.timeout = ne.Timeout()
		ce.temporary = ne.Temporary() //nolint:staticcheck // kept for callers that still ask
	}
	for _, s := range wellKnown {
		if errors.Is(err, s) {
			ce.is = append(ce.is, s)
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			ce.wrapped = []error{next(w)}
		}
	case interface{ Unwrap() []error }:
		for _, w := range u.Unwrap() {
			ce.wrapped = append(ce.wrapped, next(w))
		}
	}
	return ce
}

// causeError stands in for an error whose text may carry a secret: the
// text scrubbed, the answers callers ask of it kept, its causes sanitized.
type causeError struct {
	msg                string
	timeout, temporary bool
	is                 []error // well-known sentinels the original matched
	wrapped            []error // sanitized causes
}

func (e *causeError) Error() string   { return e.msg }
func (e *causeError) Timeout() bool   { return e.timeout }
func (e *causeError) Temporary() bool { return e.temporary }
func (e *causeError) Unwrap() []error { return e.wrapped }

func (e *causeError) Is(target error) bool {
	for _, s := range e.is {
		if s == target {
			return true
		}
	}
	return false
}
