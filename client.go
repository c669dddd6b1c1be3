package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/google/go-querystring/query"

	"github.com/wecomkit/wecom/internal/backoff"
	"github.com/wecomkit/wecom/internal/wire"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is WeCom's API origin.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

const (
	defaultTimeout      = 30 * time.Second
	defaultMaxBody      = 32 << 20
	defaultUserAgent    = "wecom-go/" + Version + " (+https://github.com/wecomkit/wecom)"
	maxPooledBufferSize = 1 << 20
)

// Client calls the WeCom server API for one corp and one app (secret). It
// owns the app's access token, the request pipeline (URL and query
// building, JSON bodies, decoding, errcode checks), retries and rate
// limiting. A Client is safe for concurrent use and meant to be shared:
// create one per corp and app at startup.
//
// The endpoints live in the area packages (externalcontact, groupchat,
// moments), which are created from a Client; Do reaches any other endpoint.
type Client struct {
	corpID    string
	secret    string // used for gettoken and to scrub error text; never logged
	base      string
	rc        *resty.Client
	tokens    TokenSource
	retry     RetryPolicy
	limiter   Limiter
	log       *slog.Logger // nil: discard
	observer  func(context.Context, CallInfo)
	timeout   time.Duration
	maxBody   int64
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	bodyPool  sync.Pool
	userAgent string
	agentID   int
	// tokenPrefix starts the query: "?access_token=", or the parameter
	// WithTokenParam names.
	tokenPrefix string
}

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

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

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

// New returns a Client for the app identified by corpID and secret (the
// customer-contact secret, or the secret of an app with customer-contact
// permission). Invalid configuration is reported here, never later.
func New(corpID, secret string, opts ...Option) (*Client, error) {
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
		return nil, fmt.Errorf("wecom: %w", errors.Join(o.errs...))
	}
	if strings.TrimSpace(corpID) == "" {
		return nil, errors.New("wecom: corp id is empty")
	}
	if secret == "" && o.tokenSource == nil {
		return nil, errors.New("wecom: secret is empty (pass the app's secret, or WithTokenSource)")
	}
	base, err := parseBaseURL(o.baseURL)
	if err != nil {
		return nil, err
	}

	hc := o.httpClient
	if hc == nil {
		hc = &http.Client{Transport: defaultTransport()}
	}
	hcCopy := *hc // resty sets CheckRedirect: don't touch the caller's client
	rc := resty.NewWithClient(&hcCopy)
	rc.SetDisableWarn(true)
	rc.SetLogger(discardRestyLogger{})
	// A redirect could carry the token to another host; WeCom never sends one.
	rc.SetRedirectPolicy(resty.NoRedirectPolicy())
	if o.userAgent != "" {
		rc.SetHeader("User-Agent", o.userAgent)
	}

	c := &Client{
		corpID:    corpID,
		secret:    secret,
		base:      base,
		rc:        rc,
		retry:     o.retry,
		limiter:   o.limiter,
		log:       o.logger,
		observer:  o.observer,
		timeout:   o.timeout,
		maxBody:   o.maxBody,
		now:       time.Now,
		userAgent: o.userAgent,
		agentID:   o.agentID,

		tokenPrefix: "?" + o.tokenParam + "=",
	}
	c.sleep = backoff.Sleep
	c.bodyPool.New = func() any { return new(bytes.Buffer) }
	if o.tokenSource != nil {
		c.tokens = o.tokenSource
	} else {
		c.tokens = NewCachedTokenSource(TokenCacheKey(corpID, secret), c.fetchCorpToken, &CachedTokenOptions{
			Cache: o.tokenCache, RefreshAhead: o.refreshAhead, Lease: o.tokenLease, Logger: o.logger,
		})
	}
	return c, nil
}

func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("wecom: base URL %q must be an absolute http or https URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("wecom: base URL %q must not carry a query, fragment or user info", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Bulk helpers run many calls at once against one host; the stdlib
	// default of 2 idle connections per host would churn connections.
	t.MaxIdleConnsPerHost = 64
	return t
}

// CorpID returns the corp id the client was created with.
func (c *Client) CorpID() string { return c.corpID }

// AgentID returns the agentid set with WithAgentID, or 0.
func (c *Client) AgentID() int { return c.agentID }

// Request describes one call for Do.
type Request struct {
	// Method is http.MethodGet or http.MethodPost. Empty means GET when
	// there is no Body or Upload, POST otherwise.
	Method string
	// Path is the endpoint path, such as "/cgi-bin/externalcontact/get".
	Path string
	// Query holds query parameters other than access_token: url.Values, or
	// a struct with `url` tags (github.com/google/go-querystring).
	Query any
	// Body is sent as JSON. A []byte or json.RawMessage is sent as is.
	Body any
	// Upload sends the body as multipart/form-data instead.
	Upload *Upload
	// Idempotent says the call may be repeated safely: it only reads, or
	// repeating it has no further effect. Calls that change data leave it
	// false and are then repeated only when WeCom certainly did not apply
	// them (see RetryPolicy).
	Idempotent bool
	// NoToken leaves access_token out of the query (gettoken itself).
	NoToken bool
}

func (r *Request) method() string {
	if r.Method != "" {
		return r.Method
	}
	if r.Body != nil || r.Upload != nil {
		return http.MethodPost
	}
	return http.MethodGet
}

// CallOption adjusts one call.
type CallOption func(*callOptions)

type callOptions struct {
	raw         *json.RawMessage
	maxAttempts int
}

// RawResponse stores a copy of the response body (the whole JSON payload,
// errcode included) in dst, for fields the SDK does not model yet.
func RawResponse(dst *json.RawMessage) CallOption {
	return func(o *callOptions) { o.raw = dst }
}

// MaxAttempts overrides the retry policy's attempt limit for one call;
// MaxAttempts(1) disables retries (a token refresh may still repeat the
// call once).
func MaxAttempts(n int) CallOption {
	return func(o *callOptions) {
		if n >= 1 {
			o.maxAttempts = n
		}
	}
}

// Do sends req through the pipeline and decodes the response payload into
// out (a pointer to a struct, a *json.RawMessage, or nil to discard it).
// It adds the access token, waits for the rate limiter, checks errcode,
// refreshes a rejected token and repeats the call once, and retries
// transient failures per the retry policy. Every failure is an *Error.
//
// Do is the escape hatch for endpoints the SDK does not wrap yet; the area
// packages are built on it.
func (c *Client) Do(ctx context.Context, req *Request, out any, opts ...CallOption) error {
	if req == nil {
		return &Error{Message: "nil request"}
	}
	co := callOptions{maxAttempts: c.retry.MaxAttempts}
	for _, o := range opts {
		if o != nil {
			o(&co)
		}
	}
	method := req.method()
	if err := validateRequest(req, method); err != nil {
		return &Error{Method: method, Path: req.Path, Message: err.Error()}
	}
	qs, err := encodeQuery(req.Query)
	if err != nil {
		return &Error{Method: method, Path: req.Path, Message: "encode query", Err: err}
	}
	var body []byte
	if req.Body != nil {
		if body, err = encodeBody(req.Body); err != nil {
			return &Error{Method: method, Path: req.Path, Message: "encode body", Err: err}
		}
	}
	var up *preparedUpload
	if req.Upload != nil {
		if up, err = req.Upload.prepare(); err != nil {
			return &Error{Method: method, Path: req.Path, Message: "prepare upload", Err: err}
		}
	}

	tokenRepeated := false
	retries := 0
	for attempt := 1; ; attempt++ {
		var tok string
		if !req.NoToken {
			if tok, err = c.tokens.Token(ctx); err != nil || tok == "" {
				if err == nil {
					err = errNoToken
				}
				return c.tokenError(method, req.Path, attempt-1, err)
			}
		}
		// The slot is taken last, right before sending, so that a token
		// fetch does not eat into it.
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx, c.corpID, req.Path); err != nil {
				return &Error{Method: method, Path: req.Path, Attempts: attempt - 1, Message: "rate limiter", Err: err}
			}
		}
		if up != nil && attempt > 1 {
			if err := up.rewind(); err != nil {
				return &Error{Method: method, Path: req.Path, Attempts: attempt - 1, Message: "rewind upload", Err: err}
			}
		}

		start := c.now()
		res := c.send(ctx, method, c.buildURL(req.Path, tok, qs), body, up)
		e, class := c.check(ctx, req, method, tok, res)
		dur := c.now().Sub(start)

		var delay time.Duration
		retry := false
		switch class {
		case outcomeOK:
			e = c.decode(req, method, res, out, co.raw)
		case outcomeTokenRejected:
			// WeCom rejected the token before doing anything: safe to
			// repeat any call once with a fresh token.
			if !tokenRepeated && (up == nil || up.rewindable()) {
				tokenRepeated = true
				retry = true
				c.tokens.Invalidate(ctx, tok)
			}
		case outcomeNotApplied, outcomeMaybeApplied:
			canRepeat := class == outcomeNotApplied || req.Idempotent
			if canRepeat && retries+1 < co.maxAttempts && (up == nil || up.rewindable()) {
				retries++
				retry = true
				delay = c.retry.delay(retries, e)
			}
			if !retry && class == outcomeMaybeApplied && !req.Idempotent {
				e.MaybeApplied = true
			}
		}
		c.releaseBody(res)
		if e != nil {
			e.Attempts = attempt
		}
		c.report(ctx, method, req.Path, attempt, res.status, e, dur, retry)
		if !retry {
			if e != nil {
				if class != outcomeFatal && class != outcomeOK && attempt > 1 {
					c.logGaveUp(ctx, method, req.Path, attempt, e)
				}
				return e
			}
			return nil
		}
		if delay > 0 {
			if err := c.sleep(ctx, delay); err != nil {
				return &Error{Method: method, Path: req.Path, Attempts: attempt, Message: "waiting to retry", Err: err,
					Code: e.Code, HTTPStatus: e.HTTPStatus}
			}
		}
	}
}

func (c *Client) tokenError(method, path string, attempts int, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		// gettoken's own failure: keep its code (40001, 40013, ...) so
		// callers can tell a bad secret from a network problem.
		return &Error{Method: method, Path: path, Attempts: attempts, Code: e.Code, HTTPStatus: e.HTTPStatus,
			Message: "get access token", Err: err}
	}
	return &Error{Method: method, Path: path, Attempts: attempts, Message: "get access token", Err: scrubError(err, c.secret)}
}

func validateRequest(r *Request, method string) error {
	if !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, "?#") {
		return fmt.Errorf("path %q must start with / and carry no query", r.Path)
	}
	if method != http.MethodGet && method != http.MethodPost {
		return fmt.Errorf("method %q is not GET or POST", method)
	}
	if r.Body != nil && r.Upload != nil {
		return errors.New("request has both Body and Upload")
	}
	if method == http.MethodGet && (r.Body != nil || r.Upload != nil) {
		return errors.New("GET request with a body")
	}
	return nil
}

func encodeQuery(q any) (string, error) {
	switch v := q.(type) {
	case nil:
		return "", nil
	case url.Values:
		return v.Encode(), nil
	case string:
		return "", errors.New("pass url.Values or a struct, not a string")
	default:
		vals, err := query.Values(q)
		if err != nil {
			return "", err
		}
		return vals.Encode(), nil
	}
}

func encodeBody(b any) ([]byte, error) {
	switch v := b.(type) {
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	default:
		return json.Marshal(b)
	}
}

func (c *Client) buildURL(path, tok, qs string) string {
	var sb strings.Builder
	sb.Grow(len(c.base) + len(path) + len(tok) + len(qs) + 16)
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

func (c *Client) send(ctx context.Context, method, u string, body []byte, up *preparedUpload) result {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var raw *http.Response
	var err error
	if up != nil {
		raw, err = c.sendUpload(actx, method, u, up)
	} else {
		raw, err = c.sendJSON(actx, method, u, body)
	}
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
	buf := c.bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(raw.Body, c.maxBody+1))
	res.body = buf
	if err != nil {
		res.err = err
		res.parentEnded = ctx.Err() != nil
		res.timedOut = !res.parentEnded && actx.Err() != nil
	} else if n > c.maxBody {
		res.err = errTooLarge
	}
	return res
}

// sendJSON sends a call without a body or with a JSON one through resty.
func (c *Client) sendJSON(ctx context.Context, method, u string, body []byte) (*http.Response, error) {
	r := c.rc.R().SetDoNotParseResponse(true).SetContext(ctx)
	if body != nil {
		r.SetHeader("Content-Type", "application/json; charset=utf-8")
		r.SetBody(body)
	}
	resp, err := r.Execute(method, u)
	if err != nil {
		if resp != nil && resp.RawResponse != nil && resp.RawResponse.Body != nil {
			resp.RawResponse.Body.Close()
		}
		return nil, err
	}
	return resp.RawResponse, nil
}

// sendUpload sends a multipart upload on the underlying *http.Client
// directly: resty reads an io.Reader body whole into memory before
// sending, and an upload must stream. Its Content-Length is set when the
// size is known (some servers reject chunked uploads).
func (c *Client) sendUpload(ctx context.Context, method, u string, up *preparedUpload) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, up.reader())
	if err != nil {
		return nil, err
	}
	req.ContentLength = up.length
	req.Header.Set("Content-Type", up.contentType)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return c.rc.GetClient().Do(req)
}

var errTooLarge = errors.New("response body exceeds the size limit")

func (c *Client) releaseBody(res result) {
	if res.body != nil && res.body.Cap() <= maxPooledBufferSize {
		c.bodyPool.Put(res.body)
	}
}

// outcome classifies an attempt for the retry decision.
type outcome int

const (
	outcomeOK            outcome = iota
	outcomeFatal                 // not worth repeating
	outcomeTokenRejected         // 40014/42001/42009: refresh and repeat once
	outcomeNotApplied            // WeCom certainly did not apply it: repeat any call
	outcomeMaybeApplied          // unknown: repeat only idempotent calls
)

// check turns an attempt's result into an *Error (nil on success) and an
// outcome.
func (c *Client) check(ctx context.Context, req *Request, method, tok string, res result) (*Error, outcome) {
	e := &Error{Method: method, Path: req.Path, HTTPStatus: res.status}
	if res.err == errTooLarge {
		e.Message = fmt.Sprintf("response body larger than %d bytes", c.maxBody)
		return e, outcomeFatal
	}
	if res.err != nil {
		switch {
		case res.parentEnded:
			e.Message, e.Err = "canceled", ctx.Err()
			return e, outcomeFatal
		case res.notSent:
			e.Message, e.Err = "connect failed", scrubError(res.err, tok, c.secret)
			return e, outcomeNotApplied
		case res.timedOut:
			e.Message, e.Err = fmt.Sprintf("no response within %s", c.timeout), context.DeadlineExceeded
			return e, outcomeMaybeApplied
		default:
			e.Message, e.Err = "transport error", scrubError(res.err, tok, c.secret)
			return e, outcomeMaybeApplied
		}
	}
	body := res.body.Bytes()
	st, ok := wire.ScanStatus(body)
	if ok && st.HasCode && st.Code != 0 {
		msg, hint := wire.SplitHint(wire.Scrub(wire.RedactQuery(st.Message), tok, c.secret))
		e.Code, e.Message, e.Hint = Code(st.Code), msg, hint
		switch {
		case isTokenRejected(e.Code) && !req.NoToken:
			return e, outcomeTokenRejected
		case isRateLimitCode(e.Code):
			return e, outcomeNotApplied
		case e.Code == CodeSystemBusy:
			return e, outcomeMaybeApplied
		default:
			return e, outcomeFatal
		}
	}
	if res.status != http.StatusOK {
		e.Message = httpFailure(res.status, res.header, len(body))
		switch res.status {
		case http.StatusTooManyRequests:
			return e, outcomeNotApplied
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return e, outcomeMaybeApplied
		}
		if res.status >= 500 && !req.Idempotent {
			e.MaybeApplied = true
		}
		return e, outcomeFatal
	}
	if len(bytes.TrimSpace(body)) == 0 {
		e.Message = "empty response body"
		return e, outcomeMaybeApplied
	}
	if !ok {
		e.Message = "malformed response: " + describeBody(res.header, len(body))
		return e, outcomeFatal
	}
	return nil, outcomeOK
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

func (c *Client) decode(req *Request, method string, res result, out any, raw *json.RawMessage) *Error {
	body := res.body.Bytes()
	if raw != nil {
		*raw = append((*raw)[:0], body...)
	}
	if out == nil {
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], body...)
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &Error{Method: method, Path: req.Path, HTTPStatus: res.status, Message: "decode response", Err: err}
	}
	return nil
}

func (c *Client) report(ctx context.Context, method, path string, attempt, status int, e *Error, d time.Duration, retry bool) {
	if c.observer != nil {
		info := CallInfo{Method: method, Path: path, Attempt: attempt, HTTPStatus: status, Duration: d, Retry: retry}
		if e != nil {
			info.Code, info.Err = e.Code, e
		}
		c.observer(ctx, info)
	}
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.Int("errcode", 0),
		slog.Duration("duration", d),
		slog.Bool("retry", retry),
		{},
	}
	n := len(attrs) - 1
	if e != nil {
		attrs[4] = slog.Int("errcode", int(e.Code))
		attrs[n] = slog.String("error", e.Error())
		n++
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "wecom call", attrs[:n]...)
}

func (c *Client) logGaveUp(ctx context.Context, method, path string, attempts int, e *Error) {
	if c.log == nil {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "wecom call failed after retries",
		slog.String("method", method), slog.String("path", path), slog.Int("attempts", attempts),
		slog.Int("errcode", int(e.Code)), slog.String("error", e.Error()))
}

// discardRestyLogger keeps resty from writing to stderr; the Client does
// its own logging.
type discardRestyLogger struct{}

func (discardRestyLogger) Errorf(string, ...any) {}
func (discardRestyLogger) Warnf(string, ...any)  {}
func (discardRestyLogger) Debugf(string, ...any) {}
