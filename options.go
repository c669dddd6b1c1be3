package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

type options struct {
	baseURL      string
	httpClient   *http.Client
	timeout      time.Duration
	tokenSource  TokenSource
	tokenCache   TokenCache
	retry        RetryPolicy
	limiter      Limiter
	logger       *slog.Logger
	userAgent    string
	observer     func(context.Context, CallInfo)
	maxBody      int64
	refreshAhead time.Duration
	tokenLease   time.Duration
	tokenParam   string
	agentID      int
	errs         []error
}

// Option configures a Client in New.
type Option func(*options)

// WithBaseURL sets the API origin, such as a wecomtest server's URL or a
// private deployment's address. The default is DefaultBaseURL.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// WithHTTPClient sets the *http.Client requests go through (transport,
// proxy, TLS). The Client works on a shallow copy and does not change
// yours. Its Timeout, if set, bounds each attempt as well.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) {
		if hc == nil {
			o.errs = append(o.errs, errors.New("WithHTTPClient: nil *http.Client"))
			return
		}
		o.httpClient = hc
	}
}

// WithTimeout bounds each attempt of a call (connect, send, read). The
// whole call, retries included, is bounded by the caller's context.
// The default is 30s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.errs = append(o.errs, fmt.Errorf("WithTimeout: %s is not positive", d))
			return
		}
		o.timeout = d
	}
}

// WithTokenSource replaces the corp token source (GET /cgi-bin/gettoken)
// with yours, for a service-provider suite token or a token managed by
// another system. The secret passed to New may then be empty.
func WithTokenSource(ts TokenSource) Option {
	return func(o *options) {
		if ts == nil {
			o.errs = append(o.errs, errors.New("WithTokenSource: nil TokenSource"))
			return
		}
		o.tokenSource = ts
	}
}

// WithTokenCache shares the access token through cache: between Clients of
// a process (NewMemoryTokenCache) or between instances (the Redis module).
// When cache also implements TokenLocker, one instance refreshes the token
// while the others wait for it.
func WithTokenCache(cache TokenCache) Option {
	return func(o *options) {
		if cache == nil {
			o.errs = append(o.errs, errors.New("WithTokenCache: nil TokenCache"))
			return
		}
		o.tokenCache = cache
	}
}

// WithTokenRefreshAhead sets how long before expiry the token is refreshed
// (default 5 minutes). The old token keeps serving if the refresh fails.
func WithTokenRefreshAhead(d time.Duration) Option {
	return func(o *options) {
		if d < 0 {
			o.errs = append(o.errs, fmt.Errorf("WithTokenRefreshAhead: %s is negative", d))
			return
		}
		o.refreshAhead = d
	}
}

// WithTokenLease sets how long one instance may hold the fleet-wide lease
// to refresh the token when the token cache is a TokenLocker (default 10
// seconds): the others wait up to about twice this for the token it
// stores, and a holder that dies is replaced when its lease runs out.
// Keep it above the time gettoken takes.
func WithTokenLease(d time.Duration) Option {
	return func(o *options) {
		if d < time.Millisecond {
			o.errs = append(o.errs, fmt.Errorf("WithTokenLease: %s is below 1ms", d))
			return
		}
		o.tokenLease = d
	}
}

// WithAgentID records the agentid of the app whose secret the Client
// holds. Since 2023-12-01 corps call the customer-contact API with a
// self-built app's secret (the app listed under 客户联系 > 可调用接口的应用),
// so the token belongs to an app; endpoints that need its agentid (app
// messages, the agent JS-SDK ticket) read it from here.
func WithAgentID(id int) Option {
	return func(o *options) {
		if id <= 0 {
			o.errs = append(o.errs, fmt.Errorf("WithAgentID: %d is not positive", id))
			return
		}
		o.agentID = id
	}
}

// WithTokenParam names the query parameter the token is sent in (default
// "access_token"). Service-provider endpoints take "suite_access_token" or
// "provider_access_token"; the provider package sets it, so that a token
// of one kind is never sent where another is expected.
func WithTokenParam(name string) Option {
	return func(o *options) {
		if name == "" || strings.ContainsAny(name, "?&=#/ ") {
			o.errs = append(o.errs, fmt.Errorf("WithTokenParam: %q is not a query parameter name", name))
			return
		}
		o.tokenParam = name
	}
}

// WithRetryPolicy sets how failed calls are retried. See RetryPolicy for
// which failures are retried and which calls may be repeated.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(o *options) {
		if err := p.validate(); err != nil {
			o.errs = append(o.errs, err)
			return
		}
		o.retry = p
	}
}

// WithLimiter paces calls through l, for example
// NewLimiter(PerAPIQuota, nil). There is no limiter by default.
func WithLimiter(l Limiter) Option {
	return func(o *options) {
		if l == nil {
			o.errs = append(o.errs, errors.New("WithLimiter: nil Limiter"))
			return
		}
		o.limiter = l
	}
}

// WithLogger sets the logger. Each attempt is logged at Debug (method,
// path, errcode, HTTP status, attempt, duration), retries that give up at
// Warn. Tokens, the secret and query strings are never logged. The default
// discards everything.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithUserAgent sets the User-Agent header of every request. Empty keeps
// the default, "wecom-go/VERSION (+https://github.com/wecomkit/wecom)".
func WithUserAgent(ua string) Option {
	return func(o *options) {
		if ua != "" {
			o.userAgent = ua
		}
	}
}

// WithObserver calls fn after every attempt of every call, for metrics and
// tracing. fn must be fast and safe for concurrent use.
func WithObserver(fn func(ctx context.Context, info CallInfo)) Option {
	return func(o *options) { o.observer = fn }
}

// WithMaxResponseBytes bounds the size of a response body (default 32 MiB);
// a larger one fails the call instead of exhausting memory.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) {
		if n <= 0 {
			o.errs = append(o.errs, fmt.Errorf("WithMaxResponseBytes: %d is not positive", n))
			return
		}
		o.maxBody = n
	}
}

// CallInfo describes one attempt of a call, for WithObserver.
type CallInfo struct {
	Method     string
	Path       string
	Attempt    int           // 1 for the first send
	HTTPStatus int           // 0 when no response arrived
	Code       Code          // WeCom errcode, 0 on success
	Duration   time.Duration // of this attempt
	Err        error         // nil on success
	Retry      bool          // the SDK will send the call again
}

func collectOptions(opts []Option) (options, error) {
	o := options{
		baseURL:      DefaultBaseURL,
		timeout:      defaultTimeout,
		retry:        DefaultRetryPolicy(),
		userAgent:    defaultUserAgent,
		tokenParam:   "access_token",
		maxBody:      defaultMaxBody,
		refreshAhead: defaultRefreshMargin,
		tokenLease:   defaultLeaseTTL,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if len(o.errs) > 0 {
		return o, fmt.Errorf("wecom: %w", errors.Join(o.errs...))
	}
	return o, nil
}
