// Package wecomtest runs an in-memory WeCom server for tests and examples,
// in the spirit of net/http/httptest: NewServer starts it on a loopback
// port, and a wecom.Client pointed at its URL talks to it as to WeCom.
//
// It keeps state rather than canned replies: follow users, customers and
// their follow relations, tags, contact ways, group chats, moments, mass
// messages, transfers and welcome templates, the directory (departments,
// profiles, address-book tags) and app messages. Writes change what later
// reads return, time follows a settable Clock, and it answers like WeCom:
// token checks (41001, 40014, 42001), request validation with WeCom's
// errcodes, cursor pagination with the documented limits and per-API
// frequency limits (45009). Faults can be injected per path or at random,
// every request is recorded, and events are delivered as signed,
// encrypted callbacks to a URL of your choice.
//
// As on WeCom, a change made through the API produces no callback. The
// events come from what a person does, which tests trigger with the
// simulation methods (AddCustomer, ScanContactWay, MemberEditsCustomer,
// MemberMarksTags, AdminAddsCorpTags, AcquireCustomer,
// CustomerMessagesThroughLink, RefuseTransfer, ...) and from the
// consequences WeCom reports later (a transfer settling).
package wecomtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomkit/wecom"
)

// Default credentials of a server. Each is overridable by an option.
const (
	DefaultCorpID         = "ww5f3c9a1e2b7d4c60"
	DefaultSecret         = "wecomtest-secret-0123456789abcdefghijklmnopq"
	DefaultCallbackToken  = "wecomtestCallbackToken"
	DefaultEncodingAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	DefaultAgentID        = 1000002
)

// Server is a running in-memory WeCom. Its exported fields are the
// credentials a client and a callback handler need.
type Server struct {
	URL            string // base URL, for wecom.WithBaseURL
	CorpID         string
	Secret         string // the app secret gettoken accepts
	CallbackToken  string // the callback Token (for callback.New)
	EncodingAESKey string // the callback EncodingAESKey
	AgentID        int

	hs       *httptest.Server
	clock    *Clock
	latency  time.Duration
	tokenTTL time.Duration
	record   bool

	mu     sync.Mutex // guards st and everything handlers touch
	st     *state
	ids    *ids
	tokens map[string]time.Time // token → expiry
	issued int                  // tokens handed out

	routes map[string]route
	limits *limits
	faults *faults

	recMu sync.Mutex
	reqs  []Request

	events *events

	jssdk *jssdkState // jssdk.go
	oauth *oauthState // oauth.go
}

type route struct {
	method string
	fn     handlerFunc
}

// handlerFunc serves one endpoint. It runs with s.mu held and returns the
// payload (merged into the errcode envelope) or an *APIError.
type handlerFunc func(c *call) (any, error)

type config struct {
	corpID, secret, token, aesKey string
	agentID                       int
	clock                         *Clock
	latency                       time.Duration
	tokenTTL                      time.Duration
	seed                          uint64
	defaultLimit                  int
	apiLimits                     map[string]int
	record                        bool
	demo                          *Demo
	errs                          []error
}

// Option configures a Server.
type Option func(*config)

// WithCorpID sets the corp id (default DefaultCorpID).
func WithCorpID(id string) Option { return func(c *config) { c.corpID = id } }

// WithSecret sets the secret gettoken accepts (default DefaultSecret).
func WithSecret(s string) Option { return func(c *config) { c.secret = s } }

// WithCallbackCredentials sets the callback Token and EncodingAESKey.
func WithCallbackCredentials(token, encodingAESKey string) Option {
	return func(c *config) { c.token, c.aesKey = token, encodingAESKey }
}

// WithClock puts the server on clk, typically a NewManualClock.
func WithClock(clk *Clock) Option {
	return func(c *config) {
		if clk == nil {
			c.errs = append(c.errs, errors.New("WithClock: nil clock"))
		}
		c.clock = clk
	}
}

// WithLatency delays every answer by d, like a distant WeCom.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithTokenTTL sets the lifetime of issued access tokens (default 7200s).
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithTokenTTL: %s is not positive", d))
		}
		c.tokenTTL = d
	}
}

// WithSeed seeds the id generator (and the demo data, unless the Demo
// has its own seed), making every id the server hands out reproducible.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithRateLimit sets the per-API frequency limit: at most perMinute calls
// to one path in one minute of the server clock; more get errcode 45009.
// The default is WeCom's documented 10,000. 0 disables the limit.
func WithRateLimit(perMinute int) Option { return func(c *config) { c.defaultLimit = perMinute } }

// WithAPIRateLimit sets the limit of one path, overriding WithRateLimit.
func WithAPIRateLimit(path string, perMinute int) Option {
	return func(c *config) {
		if c.apiLimits == nil {
			c.apiLimits = map[string]int{}
		}
		c.apiLimits[path] = perMinute
	}
}

// WithoutRecording stops the server from recording requests, for long
// benchmarks.
func WithoutRecording() Option { return func(c *config) { c.record = false } }

// WithDemo seeds the server with generated demo data (see Demo).
func WithDemo(d Demo) Option { return func(c *config) { c.demo = &d } }

// NewServer starts a server. Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{
		corpID:       DefaultCorpID,
		secret:       DefaultSecret,
		token:        DefaultCallbackToken,
		aesKey:       DefaultEncodingAESKey,
		agentID:      DefaultAgentID,
		tokenTTL:     7200 * time.Second,
		seed:         1,
		defaultLimit: 10000,
		record:       true,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, fmt.Errorf("wecomtest: %w", errors.Join(cfg.errs...))
	}
	if cfg.corpID == "" || cfg.secret == "" {
		return nil, errors.New("wecomtest: corp id and secret must not be empty")
	}
	if len(cfg.aesKey) != 43 {
		return nil, errors.New("wecomtest: EncodingAESKey must be 43 characters")
	}
	if cfg.clock == nil {
		cfg.clock = &Clock{}
	}
	s := &Server{
		CorpID:         cfg.corpID,
		Secret:         cfg.secret,
		CallbackToken:  cfg.token,
		EncodingAESKey: cfg.aesKey,
		AgentID:        cfg.agentID,
		clock:          cfg.clock,
		latency:        cfg.latency,
		tokenTTL:       cfg.tokenTTL,
		record:         cfg.record,
		st:             newState(),
		ids:            newIDs(cfg.seed),
		tokens:         map[string]time.Time{},
		routes:         map[string]route{},
		limits:         newLimits(cfg.defaultLimit, cfg.apiLimits),
		faults:         newFaults(cfg.seed),
	}
	s.events = newEvents(s)
	s.handle(http.MethodGet, "/cgi-bin/gettoken", s.getToken)
	// Each area registers its endpoints, paths written whole so that grep
	// for an endpoint finds its handler.
	for _, register := range []func(*Server){
		registerECAcquisition,
		registerContactWays,
		registerCustomers,
		registerFollowUsers,
		registerIDConvert,
		registerECIntercept,
		registerECMsgTemplates,
		registerECProducts,
		registerECStats,
		registerCustomerStrategies,
		registerTags,
		registerECTransfers,
		registerECWelcome,
		registerGroupChats,
		registerGroupJoinWays,
		registerGroupChatStats,
		registerGroupChatTransfers,
		registerGroupWelcome,
		registerMediaAttachment,
		registerMedia,
		registerMoments,
		registerMomentStrategies,
		registerStaff,
		registerAppMessages,
		registerJSSDK,
		registerOAuth,
		registerProviderCorp,
	} {
		register(s)
	}
	if cfg.demo != nil {
		if err := s.Seed(*cfg.demo); err != nil {
			return nil, err
		}
	}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	return s, nil
}

// Start is NewServer for tests: it fails tb on error and closes the server
// when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server and its callback deliveries.
func (s *Server) Close() {
	s.events.close()
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// Clock returns the server's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Client returns a wecom.Client for this server, with opts appended.
func (s *Server) Client(opts ...wecom.Option) (*wecom.Client, error) {
	return wecom.New(s.CorpID, s.Secret, append([]wecom.Option{wecom.WithBaseURL(s.URL)}, opts...)...)
}

// handle registers fn for method and path.
func (s *Server) handle(method, path string, fn handlerFunc) {
	s.routes[path] = route{method: method, fn: fn}
}

// Paths returns the endpoint paths the server implements, sorted.
func (s *Server) Paths() []string {
	out := make([]string, 0, len(s.routes))
	for p := range s.routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Method returns the HTTP method the server serves path with ("GET" or
// "POST"), or "" when it does not implement path.
func (s *Server) Method(path string) string { return s.routes[path].method }

// APIError is an errcode answer.
type APIError struct {
	Code    int
	Message string
}

// Error implements error.
func (e *APIError) Error() string { return fmt.Sprintf("errcode %d: %s", e.Code, e.Message) }

// errorf returns an *APIError.
func errorf(code int, format string, args ...any) error {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errcodes the server answers with, as WeCom does.
const (
	codeInvalidSecret      = 40001
	codeInvalidCorpID      = 40013
	codeInvalidToken       = 40014
	codeInvalidParameter   = 40058
	codeTokenMissing       = 41001
	codeTokenExpired       = 42001
	codeRequireGET         = 43001
	codeRequirePOST        = 43002
	codeFrequencyLimit     = 45009
	codeDataFormat         = 47001
	codeUserNotFound       = 60111
	codeInvalidExternalID  = 40096
	codeNoRelationship     = 84061
	codeAPIForbidden       = 48002
	codeSystemBusy         = -1
	codeNotReady           = 41063
	codeInvalidChatID      = 40050
	codeMemberNotActivated = 41054
)

// call is one request being served.
type call struct {
	s     *Server
	r     *http.Request
	Path  string
	Query url.Values
	Body  []byte
	token string
	Now   time.Time
}

// decode parses the JSON body into v; a malformed body is errcode 47001.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.Body)) == 0 {
		return errorf(codeDataFormat, "data format error: empty body")
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return errorf(codeDataFormat, "data format error: %v", err)
	}
	return nil
}

// Request is one request the server received, for assertions.
type Request struct {
	Method string
	Path   string
	Query  url.Values // without access_token
	Body   []byte
	Time   time.Time // server clock
	// ErrCode is the errcode the server answered with (0 for success; -2
	// for an injected HTTP failure or dropped connection).
	ErrCode int
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// RequestsTo returns the requests received for path.
func (s *Server) RequestsTo(path string) []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.recMu.Lock()
	s.reqs = nil
	s.recMu.Unlock()
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return
	}
	q := r.URL.Query()
	tok := q.Get("access_token")
	q.Del("access_token")
	c := &call{s: s, r: r, Path: r.URL.Path, Query: q, Body: body, token: tok, Now: s.clock.Now()}
	// The answer is held until the request is recorded, so a client that
	// sees it (or a dropped connection) finds the request in Requests.
	recorded := false
	record := func(code int) {
		if s.record && !recorded {
			recorded = true
			s.recMu.Lock()
			s.reqs = append(s.reqs, Request{Method: r.Method, Path: c.Path, Query: q, Body: body, Time: c.Now, ErrCode: code})
			s.recMu.Unlock()
		}
	}
	hw := &heldWriter{ResponseWriter: w, beforeHijack: func() { record(-2) }}
	code := s.serve(hw, c)
	record(code)
	hw.release()
}

// heldWriter holds a response until release.
type heldWriter struct {
	http.ResponseWriter
	status       int
	body         bytes.Buffer
	hijacked     bool
	beforeHijack func()
}

func (h *heldWriter) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldWriter) Write(b []byte) (int, error) { return h.body.Write(b) }

func (h *heldWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	h.beforeHijack()
	h.hijacked = true
	return hj.Hijack()
}

func (h *heldWriter) release() {
	if h.hijacked {
		return
	}
	if h.status != 0 {
		h.ResponseWriter.WriteHeader(h.status)
	}
	_, _ = h.ResponseWriter.Write(h.body.Bytes())
}

// serve answers c and returns the errcode it answered with.
func (s *Server) serve(w http.ResponseWriter, c *call) int {
	if s.latency > 0 {
		if !sleepCtx(c.r.Context(), s.latency) {
			return -2
		}
	}
	rt, ok := s.routes[c.Path]
	if !ok {
		http.NotFound(w, c.r)
		return -2
	}
	f, hasFault := s.faults.take(c.Path)
	if hasFault {
		if f.Delay > 0 && !sleepCtx(c.r.Context(), f.Delay) {
			return -2
		}
		if !f.AfterApply {
			if code, done := s.applyFault(w, c, f); done {
				return code
			}
		}
	}
	if c.r.Method != rt.method {
		if rt.method == http.MethodPost {
			return s.writeError(w, errorf(codeRequirePOST, "require POST method"))
		}
		return s.writeError(w, errorf(codeRequireGET, "require GET method"))
	}
	if c.Path != "/cgi-bin/gettoken" {
		if err := s.checkToken(c.token, c.Now); err != nil {
			return s.writeError(w, err)
		}
	}
	if !s.limits.allow(c.Path, c.Now) {
		return s.writeError(w, errorf(codeFrequencyLimit, "api freq out of limit"))
	}
	s.mu.Lock()
	s.runTickers(c.Now)
	payload, err := rt.fn(c)
	s.mu.Unlock()
	if hasFault && f.AfterApply {
		if code, done := s.applyFault(w, c, f); done {
			return code
		}
	}
	if err != nil {
		return s.writeError(w, err)
	}
	s.writeOK(w, payload)
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) writeError(w http.ResponseWriter, err error) int {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: codeSystemBusy, Message: "system error: " + err.Error()}
	}
	s.mu.Lock()
	hint := s.ids.hint()
	s.mu.Unlock()
	msg := fmt.Sprintf("%s, hint: [%s], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=%d", ae.Message, hint, ae.Code)
	writeJSON(w, map[string]any{"errcode": ae.Code, "errmsg": msg})
	return ae.Code
}

func (s *Server) writeOK(w http.ResponseWriter, payload any) {
	var buf bytes.Buffer
	buf.WriteString(`{"errcode":0,"errmsg":"ok"`)
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			s.writeError(w, err)
			return
		}
		if len(b) > 2 && b[0] == '{' {
			buf.WriteByte(',')
			buf.Write(b[1:])
		} else {
			buf.WriteByte('}')
		}
	} else {
		buf.WriteByte('}')
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// getToken serves GET /cgi-bin/gettoken.
func (s *Server) getToken(c *call) (any, error) {
	corpID, secret := c.Query.Get("corpid"), c.Query.Get("corpsecret")
	if corpID != s.CorpID {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	if secret != s.Secret {
		return nil, errorf(codeInvalidSecret, "invalid credential")
	}
	tok := s.ids.token()
	s.tokens[tok] = c.Now.Add(s.tokenTTL)
	s.issued++
	return struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}{tok, int64(s.tokenTTL / time.Second)}, nil
}

func (s *Server) checkToken(tok string, now time.Time) error {
	if tok == "" {
		return errorf(codeTokenMissing, "access_token missing")
	}
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	s.mu.Unlock()
	switch {
	case !ok:
		return errorf(codeInvalidToken, "invalid access_token")
	case !now.Before(exp):
		return errorf(codeTokenExpired, "access_token expired")
	}
	return nil
}

// RevokeTokens invalidates every issued token, as a secret reset in the
// admin console does: later calls with them get 40014.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// TokensIssued returns how many tokens gettoken has handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// requireField is a small helper for area handlers: a blank value is a
// missing parameter.
func requireField(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return errorf(codeInvalidParameter, "invalid parameter: %s missing", name)
	}
	return nil
}
