package wecom

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wecomkit/wecom/internal/backoff"
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
	corpID   string
	secret   string // used for gettoken and to scrub error text; never logged
	base     string
	rc       *resty.Client // sends every request: see transport.go
	tokens   TokenSource
	retry    RetryPolicy
	limiter  Limiter
	log      *slog.Logger // nil: discard
	observer func(context.Context, CallInfo)
	timeout  time.Duration
	maxBody  int64
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	bodyPool sync.Pool
	agentID  int
	// tokenPrefix starts the query: "?access_token=", or the parameter
	// WithTokenParam names.
	tokenPrefix string
}

// New returns a Client for the app identified by corpID and secret (the
// customer-contact secret, or the secret of an app with customer-contact
// permission). Invalid configuration is reported here, never later.
func New(corpID, secret string, opts ...Option) (*Client, error) {
	o, err := collectOptions(opts)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(corpID) == "" {
		return nil, fmt.Errorf("wecom: corp id is empty")
	}
	if secret == "" && o.tokenSource == nil {
		return nil, fmt.Errorf("wecom: secret is empty (pass the app's secret, or WithTokenSource)")
	}
	base, err := parseBaseURL(o.baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		corpID:   corpID,
		secret:   secret,
		base:     base,
		rc:       newResty(o.httpClient, o.userAgent),
		retry:    o.retry,
		limiter:  o.limiter,
		log:      o.logger,
		observer: o.observer,
		timeout:  o.timeout,
		maxBody:  o.maxBody,
		now:      time.Now,
		sleep:    backoff.Sleep,
		agentID:  o.agentID,

		tokenPrefix: "?" + o.tokenParam + "=",
	}
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
