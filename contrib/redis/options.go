package redis

import (
	"log/slog"
	"time"
)

// DefaultPrefix starts every key the package writes.
const DefaultPrefix = "wecom:"

// DefaultOpTimeout bounds each Redis operation of the package unless
// WithOpTimeout says otherwise: far under WeCom's callback limits (5s, 1s
// for a service provider's instruction callbacks), and far above a Redis
// round trip on a healthy network.
const DefaultOpTimeout = 250 * time.Millisecond

const (
	defaultOpTimeout     = DefaultOpTimeout
	defaultRetryInterval = time.Second
	defaultRefreshAhead  = 5 * time.Minute // wecom's default
)

// Option configures a Store or a Limiter. Options that concern only one of
// them say so and are ignored by the other.
type Option func(*options)

type options struct {
	prefix        string
	log           *slog.Logger
	opTimeout     time.Duration
	retryInterval time.Duration
	fleetSize     int
	refreshAhead  time.Duration
	visibility    time.Duration
}

func newOptions(opts []Option) options {
	o := options{
		prefix:        DefaultPrefix,
		opTimeout:     defaultOpTimeout,
		retryInterval: defaultRetryInterval,
		fleetSize:     1,
		refreshAhead:  defaultRefreshAhead,
		visibility:    DefaultVisibilityTimeout,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.log == nil {
		o.log = slog.New(discardHandler{})
	}
	return o
}

// WithPrefix sets the prefix of every key (default "wecom:"), to keep
// several environments or applications apart in one Redis.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithLogger sets the logger for warnings about Redis being unavailable and
// back. Tokens and secrets are never logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithOpTimeout bounds every Redis operation of a Store, Limiter, Dedup or
// Queue (default DefaultOpTimeout), whatever the caller's context allows:
// past it the operation returns an error wrapping ErrTimeout and the
// caller falls back. A Queue's Receive waits its wait argument on top.
// Values below 1ms are ignored.
//
// Set Options.ContextTimeoutEnabled on the go-redis client too, so that a
// command abandoned at this bound also gives its connection up then,
// instead of after the client's ReadTimeout.
func WithOpTimeout(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.opTimeout = d
		}
	}
}

// WithRetryInterval sets how long a Limiter keeps pacing calls locally after
// Redis failed before it tries Redis again (default 1s). Limiter only.
// Values below 1ms are ignored.
func WithRetryInterval(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.retryInterval = d
		}
	}
}

// WithFleetSize tells a Limiter how many instances share the budget (default
// 1). While Redis is unavailable each instance paces its calls locally with
// 1/n of the budget's rate (rounded up) and no burst, so that the fleet as
// a whole stays near the budget instead of n times over it. Limiter only.
// Values below 1 are ignored.
func WithFleetSize(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.fleetSize = n
		}
	}
}

// WithTokenRefreshAhead sets how long before its expiry a shared token is
// replaced (default 5 minutes, as in wecom); set it to the value you pass to
// wecom.WithTokenRefreshAhead. Store only.
//
// Within that window (or the second half of its life, for a token that
// lives less than twice as long) the Store reports the token as absent: the
// first instance to refresh takes the lease and fetches the next token,
// which the others then pick up. The current token keeps serving every
// instance meanwhile, and the fleet never runs a token down to expiry, when
// calls already on their way would be rejected with 42001. Negative values
// are ignored.
func WithTokenRefreshAhead(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.refreshAhead = d
		}
	}
}

// WithVisibilityTimeout sets how long a Queue leaves a received event with
// its worker before another worker's Receive may take it over (default
// DefaultVisibilityTimeout): the time in which a dead worker's events come
// back. Keep it well above the handler's longest run, or a slow event is
// handled twice. Queue only. Values below 1ms are ignored.
func WithVisibilityTimeout(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.visibility = d
		}
	}
}
