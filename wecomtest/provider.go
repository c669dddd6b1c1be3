package wecomtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"
)

// Default credentials of a Provider and of the suites added without
// their own.
const (
	DefaultProviderCorpID = "wwprov0a1b2c3d4e5f6a"
	DefaultProviderSecret = "wecomtest-provider-secret-0123456789abcdefgh"
	DefaultSuiteID        = "wwsuite1a2b3c4d5e6f7"
	DefaultSuiteSecret    = "wecomtest-suite-secret-0123456789abcdefghij"
)

// Errcodes of the service-provider endpoints.
const (
	codeInvalidAuthCode      = 40078
	codeInvalidSuiteToken    = 40082
	codeInvalidSuiteID       = 40083
	codeInvalidPermanentCode = 40084
	codeInvalidSuiteTicket   = 40085
	codeSuiteTokenExpired    = 42009
)

// Lifetimes WeCom gives the install flow's codes and the suite ticket.
const (
	preAuthCodeTTL     = 20 * time.Minute
	authCodeTTL        = 10 * time.Minute
	suiteTicketTTL     = 30 * time.Minute
	suiteTicketEvery   = 10 * time.Minute
	instructionTimeout = 1000 * time.Millisecond
)

// Suite is a suite (第三方应用) or a 代开发 template of a Provider.
type Suite struct {
	ID     string
	Secret string
	// CallbackToken and EncodingAESKey sign and encrypt the instruction
	// callbacks (receiver id: the suite id) and the tenants' data
	// callbacks (receiver id: the tenant's corp id).
	CallbackToken  string
	EncodingAESKey string
	// Customized makes it a 代开发 template: the permanent code is the app
	// secret, taken by the tenant's gettoken, and get_corp_token refuses it.
	Customized bool
	// AgentID is the app's agentid in every tenant (default 1000002).
	AgentID int
	// Name is the app's name (default "Demo SaaS").
	Name string
}

// Provider is an in-memory WeCom for a service provider: suites, many
// tenant corps each with its own state (a *Server), the install flow,
// suite-ticket pushes on the clock, signed and encrypted instruction
// callbacks, get_corp_token, and the faults a SaaS must survive. One URL
// serves it all: /cgi-bin/service/* with suite or provider tokens, and
// every corp API routed to the tenant whose token the call carries. Calls
// with a token of the wrong kind are answered with WeCom's error and
// counted (WrongTokenCalls).
type Provider struct {
	URL    string // base URL, for wecom.WithBaseURL
	CorpID string // the provider's own corp id
	Secret string // the provider secret get_provider_token accepts

	hs       *httptest.Server
	clock    *Clock
	tokenTTL time.Duration
	latency  time.Duration
	record   bool

	mu        sync.Mutex
	ids       *ids
	suites    map[string]*provSuite
	tenants   map[string]*Server
	tenantIDs []string
	tokens    map[string]provToken
	preAuth   map[string]preAuthCode
	authCodes map[string]authCode
	grants    map[grantKey]*grant
	oauth     map[string]oauthCode
	tickets3  map[string]oauthCode // user_ticket → who
	cancelAt  map[grantKey]int     // cancel after n more corp calls
	corpCalls map[string]int
	migrated  map[string][]int

	wrongKind      int
	providerIssued int

	recMu sync.Mutex
	reqs  []ProviderRequest

	out *instructions

	// routeMu guards routes; it is taken last (tenants take it with their
	// own mu held), so nothing is locked while holding it.
	routeMu sync.Mutex
	routes  map[string][]customerRoute // tenant corp → installed third-party suites
}

// customerRoute is where a tenant's customer events go for one
// third-party suite it installed: the suite's instruction URL ("" records
// them only), sealed for the suite id.
type customerRoute struct {
	suiteID string
	url     string
	seal    sealer
}

type provSuite struct {
	Suite
	tickets  []suiteTicketIssue // newest last
	nextPush time.Time
	miss     int
	url      string
	issued   int
}

type suiteTicketIssue struct {
	value  string
	issued time.Time
}

type tokenKind string

const (
	kindSuite    tokenKind = "suite_access_token"
	kindProvider tokenKind = "provider_access_token"
	kindCorp     tokenKind = "access_token"
)

type provToken struct {
	kind    tokenKind
	owner   string // suite id, provider corp id, or tenant corp id
	suiteID string // for corp tokens
	expires time.Time
}

type preAuthCode struct {
	suiteID string
	test    bool
	expires time.Time
}

type authCode struct {
	suiteID, corpID, state string
	expires                time.Time
	reset, test            bool
}

type grantKey struct{ suiteID, corpID string }

type grant struct {
	code       string
	test       bool
	state      string
	corpTokens int
}

type oauthCode struct {
	suiteID, corpID, userID string
	expires                 time.Time
}

// ProviderRequest is one request the Provider served itself (the
// /cgi-bin/service/* endpoints and the corp-token conversions). Calls it
// routes to a tenant are recorded by that tenant's Server.
type ProviderRequest struct {
	Method string
	Path   string
	// TokenParam is the token parameter the call carried:
	// "suite_access_token", "provider_access_token", "access_token" or "".
	TokenParam string
	Query      url.Values // without the token
	Body       []byte
	Time       time.Time
	ErrCode    int
}

// NewProvider starts a Provider. Of the Server options it takes WithCorpID
// and WithSecret (the provider's corp id and provider secret), WithClock,
// WithTokenTTL, WithSeed, WithLatency and WithoutRecording. Close it when
// done; its tenants close with it.
func NewProvider(opts ...Option) (*Provider, error) {
	cfg := config{corpID: DefaultProviderCorpID, secret: DefaultProviderSecret, tokenTTL: 7200 * time.Second, seed: 1, record: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, fmt.Errorf("wecomtest: %w", errors.Join(cfg.errs...))
	}
	if cfg.clock == nil {
		cfg.clock = &Clock{}
	}
	p := &Provider{
		CorpID: cfg.corpID, Secret: cfg.secret,
		clock: cfg.clock, tokenTTL: cfg.tokenTTL, latency: cfg.latency, record: cfg.record,
		ids:       newIDs(cfg.seed ^ 0x9e3779b97f4a7c15),
		suites:    map[string]*provSuite{},
		tenants:   map[string]*Server{},
		tokens:    map[string]provToken{},
		preAuth:   map[string]preAuthCode{},
		authCodes: map[string]authCode{},
		grants:    map[grantKey]*grant{},
		oauth:     map[string]oauthCode{},
		tickets3:  map[string]oauthCode{},
		cancelAt:  map[grantKey]int{},
		corpCalls: map[string]int{},
		migrated:  map[string][]int{},
		routes:    map[string][]customerRoute{},
	}
	p.out = newInstructions(p)
	p.hs = httptest.NewServer(http.HandlerFunc(p.serveHTTP))
	p.URL = p.hs.URL
	return p, nil
}

// StartProvider is NewProvider for tests: it fails tb on error and closes
// the provider when the test ends.
func StartProvider(tb testing.TB, opts ...Option) *Provider {
	tb.Helper()
	p, err := NewProvider(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// Close stops the provider, its tenants and its deliveries.
func (p *Provider) Close() {
	p.out.close()
	p.hs.CloseClientConnections()
	p.hs.Close()
	p.mu.Lock()
	tenants := make([]*Server, 0, len(p.tenants))
	for _, t := range p.tenants {
		tenants = append(tenants, t)
	}
	p.mu.Unlock()
	for _, t := range tenants {
		t.Close()
	}
}

// Clock returns the provider's clock, shared by its tenants.
func (p *Provider) Clock() *Clock { return p.clock }

// AddSuite adds a suite. Empty credentials get defaults (DefaultSuiteID
// and DefaultSuiteSecret for the first suite, the server's default
// callback credentials).
func (p *Provider) AddSuite(s Suite) (Suite, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.ID == "" {
		if _, ok := p.suites[DefaultSuiteID]; ok {
			return Suite{}, errors.New("wecomtest: AddSuite: the default suite exists; give an ID")
		}
		s.ID = DefaultSuiteID
	}
	if _, ok := p.suites[s.ID]; ok {
		return Suite{}, fmt.Errorf("wecomtest: AddSuite: suite %s exists", s.ID)
	}
	if s.Secret == "" {
		s.Secret = DefaultSuiteSecret
	}
	if s.CallbackToken == "" {
		s.CallbackToken = DefaultCallbackToken
	}
	if s.EncodingAESKey == "" {
		s.EncodingAESKey = DefaultEncodingAESKey
	}
	if len(s.EncodingAESKey) != 43 {
		return Suite{}, errors.New("wecomtest: AddSuite: EncodingAESKey must be 43 characters")
	}
	if s.AgentID == 0 {
		s.AgentID = DefaultAgentID
	}
	if s.Name == "" {
		s.Name = "Demo SaaS"
	}
	p.suites[s.ID] = &provSuite{Suite: s}
	return s, nil
}

// AddTenant adds a corp that can install the provider's suites, with its
// own state; opts configure its Server (WithDemo to seed it). The tenant
// is reached through the provider's URL with the corp token the suite gets
// for it; its Server's own URL is not served.
func (p *Provider) AddTenant(corpID string, opts ...Option) (*Server, error) {
	if corpID == "" {
		return nil, errors.New("wecomtest: AddTenant: empty corp id")
	}
	p.mu.Lock()
	_, dup := p.tenants[corpID]
	p.mu.Unlock()
	if dup {
		return nil, fmt.Errorf("wecomtest: AddTenant: corp %s exists", corpID)
	}
	base := []Option{WithCorpID(corpID), WithClock(p.clock), WithTokenTTL(p.tokenTTL)}
	if !p.record {
		base = append(base, WithoutRecording())
	}
	s, err := NewServer(append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	s.hs.Close() // reached through the provider only
	s.URL = p.URL
	s.mu.Lock()
	areaState(s, "provider", func() *providerOf { return &providerOf{} }).corpID = p.CorpID
	s.mu.Unlock()
	s.events.mu.Lock()
	s.events.instruct = func(ev Event) { p.instructCustomerEvent(corpID, ev) }
	s.events.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.tenants[corpID]; ok {
		s.Close()
		return nil, fmt.Errorf("wecomtest: AddTenant: corp %s exists", corpID)
	}
	p.tenants[corpID] = s
	p.tenantIDs = append(p.tenantIDs, corpID)
	return s, nil
}

// Tenant returns the tenant corpID, or nil.
func (p *Provider) Tenant(corpID string) *Server {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tenants[corpID]
}

// Tenants returns the tenants' corp ids in the order added.
func (p *Provider) Tenants() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tenantIDs...)
}

// ---- suite tickets ----

// SetInstructionURL makes the provider deliver suiteID's instruction
// callbacks (suite tickets, authorization changes, customer events) to
// url, signed and encrypted with the suite's credentials for the suite id.
// Like WeCom it waits 1000 ms for "success" and delivers again up to 3
// times. Pass "" to stop.
func (p *Provider) SetInstructionURL(suiteID, url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.suites[suiteID]
	if !ok {
		return fmt.Errorf("wecomtest: no suite %s", suiteID)
	}
	s.url = url
	if url != "" {
		p.out.start()
	}
	for _, corp := range p.tenantIDs {
		if p.grants[grantKey{suiteID, corp}] != nil {
			p.refreshRoutesLocked(corp)
		}
	}
	return nil
}

// refreshRoutesLocked recomputes where corpID's customer events go: the
// third-party suites it has installed (a 代开发 app gets them in the
// self-built shape on its data URL instead). Call with p.mu held.
func (p *Provider) refreshRoutesLocked(corpID string) {
	var rs []customerRoute
	ids := make([]string, 0, len(p.suites))
	for id := range p.suites {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := p.suites[id]
		if s.Customized || p.grants[grantKey{id, corpID}] == nil {
			continue
		}
		rs = append(rs, customerRoute{suiteID: id, url: s.url, seal: newSealer(s.CallbackToken, s.EncodingAESKey, id, 0)})
	}
	p.routeMu.Lock()
	defer p.routeMu.Unlock()
	if len(rs) == 0 {
		delete(p.routes, corpID)
		return
	}
	p.routes[corpID] = rs
}

// instructCustomerEvent pushes a tenant's customer event to the
// instruction URL of every third-party suite the tenant installed, in the
// third-party shape. Tenants call it with their mu held: it takes only
// routeMu and the delivery queue's lock.
func (p *Provider) instructCustomerEvent(corpID string, ev Event) {
	p.routeMu.Lock()
	rs := p.routes[corpID]
	p.routeMu.Unlock()
	at := time.Unix(ev.CreateTime, 0)
	for _, r := range rs {
		p.out.add(Instruction{SuiteID: r.suiteID, InfoType: ev.Event, XML: instructionXML(r.suiteID, at, customerEventFields(corpID, ev, at))}, r.url, r.seal)
	}
}

// customerEventFields are the elements of ev in the third-party shape
// after SuiteId: AuthCorpId, InfoType (the event name), TimeStamp,
// ChangeType and the event's fields.
func customerEventFields(corpID string, ev Event, at time.Time) []Field {
	fields := make([]Field, 0, 4+len(ev.Fields))
	fields = append(fields, InfoField("AuthCorpId", corpID), InfoField("InfoType", ev.Event), TimeField(at))
	if ev.ChangeType != "" {
		fields = append(fields, InfoField("ChangeType", ev.ChangeType))
	}
	return append(fields, ev.Fields...)
}

// SetTenantCallback sets the data callback URL of corpID's app: the
// tenant's events (its Server's SetCallback) are then signed and
// encrypted with the credentials of the suite it installed, for the
// tenant's corp id, as WeCom does for one data URL shared by all corps.
// For a third-party suite the customer events (change_external_contact,
// change_external_chat, change_external_tag) do not come here: WeCom
// sends them to the instruction URL (see SendCustomerEvent). A 代开发
// suite's data URL gets them in the self-built shape.
func (p *Provider) SetTenantCallback(suiteID, corpID, url string) error {
	p.mu.Lock()
	s, ok := p.suites[suiteID]
	t := p.tenants[corpID]
	p.mu.Unlock()
	if !ok || t == nil {
		return fmt.Errorf("wecomtest: no suite %s or tenant %s", suiteID, corpID)
	}
	t.events.mu.Lock()
	t.events.seal = newSealer(s.CallbackToken, s.EncodingAESKey, corpID, s.AgentID)
	t.events.thirdParty = !s.Customized
	t.events.mu.Unlock()
	t.SetCallback(url, 0, -1, -1)
	return nil
}

// PushTicket issues a new suite ticket for suiteID now and pushes it to
// the instruction URL (as forcing a push from the console does). It
// returns the ticket. The next scheduled push is 10 minutes later.
func (p *Provider) PushTicket(suiteID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.suites[suiteID]
	if !ok {
		return "", fmt.Errorf("wecomtest: no suite %s", suiteID)
	}
	now := p.clock.Now()
	t := p.pushTicket(s, now)
	s.nextPush = now.Add(suiteTicketEvery)
	return t, nil
}

func (p *Provider) pushTicket(s *provSuite, at time.Time) string {
	t := p.ids.random(64)
	s.tickets = append(s.tickets, suiteTicketIssue{value: t, issued: at})
	if len(s.tickets) > 8 {
		s.tickets = s.tickets[len(s.tickets)-8:]
	}
	p.sendLocked(s, at, InfoField("InfoType", "suite_ticket"), TimeField(at), InfoField("SuiteTicket", t))
	return t
}

// MissTicketPushes makes the next n scheduled pushes of suiteID not
// happen, as when the instruction URL is unreachable: the last ticket
// stays valid until 30 minutes after its push, then get_suite_token
// answers 40085.
func (p *Provider) MissTicketPushes(suiteID string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.suites[suiteID]; ok {
		s.miss += n
	}
}

// Advance moves the clock forward by d and makes the suite-ticket pushes
// due on the way (every 10 minutes after the last one).
func (p *Provider) Advance(d time.Duration) {
	p.clock.Advance(d)
	p.Tick()
}

// Tick makes the pushes due at the clock's now. Every call to the
// provider does this first.
func (p *Provider) Tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tickLocked(p.clock.Now())
}

func (p *Provider) tickLocked(now time.Time) {
	ids := make([]string, 0, len(p.suites))
	for id := range p.suites {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := p.suites[id]
		for !s.nextPush.IsZero() && !now.Before(s.nextPush) {
			at := s.nextPush
			s.nextPush = at.Add(suiteTicketEvery)
			if s.miss > 0 {
				s.miss--
				continue
			}
			p.pushTicket(s, at)
		}
	}
}

// Ticket returns suiteID's newest ticket ("" before the first push).
func (p *Provider) Ticket(suiteID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.suites[suiteID]; ok && len(s.tickets) > 0 {
		return s.tickets[len(s.tickets)-1].value
	}
	return ""
}

// ---- the install flow ----

// InstallRequest is a corp admin installing a suite.
type InstallRequest struct {
	SuiteID string
	CorpID  string
	// PreAuthCode, when set, must be one get_pre_auth_code issued for the
	// suite (set_session_info marks it a test install).
	PreAuthCode string
	// State comes back with the auth code (create_auth's State).
	State string
}

// Install installs a suite in a tenant: it issues an auth code (single
// use, valid 10 minutes), pushes create_auth (AuthCode, State) to the
// suite's instruction URL and returns the code, as the install redirect
// would carry it.
func (p *Provider) Install(req InstallRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.suites[req.SuiteID]
	if !ok {
		return "", fmt.Errorf("wecomtest: no suite %s", req.SuiteID)
	}
	if p.tenants[req.CorpID] == nil {
		return "", fmt.Errorf("wecomtest: no tenant %s", req.CorpID)
	}
	now := p.clock.Now()
	test := false
	if req.PreAuthCode != "" {
		pa, ok := p.preAuth[req.PreAuthCode]
		if !ok || pa.suiteID != req.SuiteID || !now.Before(pa.expires) {
			return "", errors.New("wecomtest: invalid or expired pre_auth_code")
		}
		delete(p.preAuth, req.PreAuthCode)
		test = pa.test
	}
	code := p.ids.random(64)
	p.authCodes[code] = authCode{suiteID: s.ID, corpID: req.CorpID, state: req.State, expires: now.Add(authCodeTTL), test: test}
	fields := []Field{InfoField("InfoType", "create_auth"), TimeField(now), InfoField("AuthCode", code)}
	if req.State != "" {
		fields = append(fields, InfoField("State", req.State))
	}
	p.sendLocked(s, now, fields...)
	return code, nil
}

// ResetPermanentCode resets a 代开发 app's secret (重新获取secret): the old
// permanent code stops working and a new auth code is pushed with
// reset_permanent_code. It returns the auth code.
func (p *Provider) ResetPermanentCode(suiteID, corpID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.suites[suiteID]
	g := p.grants[grantKey{suiteID, corpID}]
	if !ok || g == nil {
		return "", fmt.Errorf("wecomtest: %s has not installed %s", corpID, suiteID)
	}
	now := p.clock.Now()
	p.revokeLocked(suiteID, corpID)
	code := p.ids.random(64)
	p.authCodes[code] = authCode{suiteID: suiteID, corpID: corpID, expires: now.Add(authCodeTTL), reset: true}
	p.sendLocked(s, now, InfoField("InfoType", "reset_permanent_code"), TimeField(now),
		InfoField("AuthCorpId", corpID), InfoField("AuthCode", code))
	return code, nil
}

// CancelAuth uninstalls a suite from a tenant: the permanent code and the
// corp tokens issued with it stop working, and cancel_auth is pushed.
func (p *Provider) CancelAuth(suiteID, corpID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancelLocked(suiteID, corpID)
}

func (p *Provider) cancelLocked(suiteID, corpID string) error {
	s, ok := p.suites[suiteID]
	if !ok || p.grants[grantKey{suiteID, corpID}] == nil {
		return fmt.Errorf("wecomtest: %s has not installed %s", corpID, suiteID)
	}
	now := p.clock.Now()
	p.revokeLocked(suiteID, corpID)
	delete(p.grants, grantKey{suiteID, corpID})
	p.refreshRoutesLocked(corpID)
	p.sendLocked(s, now, InfoField("InfoType", "cancel_auth"), TimeField(now), InfoField("AuthCorpId", corpID))
	return nil
}

// CancelAuthAfter makes corpID cancel suiteID's authorization right before
// the (n+1)th corp-token call to the tenant from now: a cancel_auth in the
// middle of an export.
func (p *Provider) CancelAuthAfter(suiteID, corpID string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelAt[grantKey{suiteID, corpID}] = p.corpCalls[corpID] + n
}

// revokeLocked drops the corp tokens issued for suiteID in corpID.
func (p *Provider) revokeLocked(suiteID, corpID string) {
	t := p.tenants[corpID]
	for tok, info := range p.tokens {
		if info.kind == kindCorp && info.owner == corpID && info.suiteID == suiteID {
			delete(p.tokens, tok)
			if t != nil {
				t.mu.Lock()
				delete(t.tokens, tok)
				t.mu.Unlock()
			}
		}
	}
	if s := p.suites[suiteID]; s != nil && s.Customized && t != nil {
		t.RevokeTokens()
	}
}

// TestInstall reports whether corpID's install of suiteID was a test
// install (set_session_info with auth_type 1).
func (p *Provider) TestInstall(suiteID, corpID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.grants[grantKey{suiteID, corpID}]
	return g != nil && g.test
}

// RevokeSuiteTokens invalidates every suite_access_token issued for
// suiteID (as a suite secret reset does): later calls with them get 40082.
func (p *Provider) RevokeSuiteTokens(suiteID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for tok, info := range p.tokens {
		if info.kind == kindSuite && info.owner == suiteID {
			delete(p.tokens, tok)
		}
	}
}

// Authorized reports whether corpID has installed suiteID (and not
// cancelled).
func (p *Provider) Authorized(suiteID, corpID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.grants[grantKey{suiteID, corpID}] != nil
}

// PermanentCodeOf returns the permanent code corpID's install of suiteID
// holds ("" if none), for assertions.
func (p *Provider) PermanentCodeOf(suiteID, corpID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := p.grants[grantKey{suiteID, corpID}]; g != nil {
		return g.code
	}
	return ""
}

// OAuthCode issues an OAuth2 code (single use, 5 minutes) of suiteID for
// a member of corpID, for getuserinfo3rd.
func (p *Provider) OAuthCode(suiteID, corpID, userID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	code := p.ids.random(43)
	p.oauth[code] = oauthCode{suiteID: suiteID, corpID: corpID, userID: userID, expires: p.clock.Now().Add(5 * time.Minute)}
	return code
}

// ---- instructions ----

// InfoField is an element of an instruction callback.
func InfoField(name, value string) Field { return Field{Name: name, Value: value} }

// TimeField is the TimeStamp element for t.
func TimeField(t time.Time) Field {
	return Field{Name: "TimeStamp", Value: fmt.Sprint(t.Unix()), Number: true}
}

// SendInstruction pushes an instruction callback of suiteID: SuiteId,
// then fields (InfoType first; TimeStamp is added when missing).
func (p *Provider) SendInstruction(suiteID string, fields ...Field) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.suites[suiteID]
	if !ok {
		return fmt.Errorf("wecomtest: no suite %s", suiteID)
	}
	p.sendLocked(s, p.clock.Now(), fields...)
	return nil
}

// SendCustomerEvent pushes ev (a change_external_contact,
// change_external_chat or change_external_tag event) of corpID to
// suiteID's instruction URL in the third-party shape: SuiteId, AuthCorpId,
// InfoType (the event name), TimeStamp, ChangeType and the event's fields.
// The tenants' own simulation methods (AddCustomer, MemberEditsCustomer,
// AdminAddsCorpTags, group changes, SendEvent, ...) push their customer
// events this way by themselves, to every third-party suite the tenant
// installed; SendCustomerEvent is for an event of any content, installed
// or not.
func (p *Provider) SendCustomerEvent(suiteID, corpID string, ev Event) error {
	at := p.clock.Now()
	if ev.CreateTime != 0 {
		at = time.Unix(ev.CreateTime, 0)
	}
	return p.SendInstruction(suiteID, customerEventFields(corpID, ev, at)...)
}

// instructionXML renders an instruction callback.
func instructionXML(suiteID string, at time.Time, fields []Field) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdata(&b, "SuiteId", suiteID)
	hasTime := false
	for _, f := range fields {
		if f.Name == "TimeStamp" {
			hasTime = true
		}
	}
	for i, f := range fields {
		writeField(&b, f)
		if i == 0 && !hasTime {
			b.WriteString(fmt.Sprintf("<TimeStamp>%d</TimeStamp>", at.Unix()))
		}
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// sendLocked queues an instruction for s's URL. Call with p.mu held.
func (p *Provider) sendLocked(s *provSuite, at time.Time, fields ...Field) {
	info := ""
	for _, f := range fields {
		if f.Name == "InfoType" {
			info = f.Value
		}
	}
	p.out.add(Instruction{SuiteID: s.ID, InfoType: info, XML: instructionXML(s.ID, at, fields)},
		s.url, newSealer(s.CallbackToken, s.EncodingAESKey, s.ID, 0))
}

// Instruction is an instruction callback the provider emitted.
type Instruction struct {
	SuiteID  string
	InfoType string
	XML      []byte // the plaintext, before encryption
}

// InstructionDelivery is the fate of one instruction callback.
type InstructionDelivery struct {
	Instruction
	Attempts  int
	Delivered bool
	// Slowest is the longest an attempt waited for its answer; WeCom gives
	// up after 1000 ms.
	Slowest   time.Duration
	LastError string
}

type pendingInstruction struct {
	in   Instruction
	url  string
	seal sealer
}

// instructions records every instruction and delivers those with a URL,
// one at a time, each attempt bounded like WeCom's (instructionTimeout).
type instructions struct {
	p       *Provider
	mu      sync.Mutex // guards all
	all     []Instruction
	out     *deliveryQueue[pendingInstruction, InstructionDelivery]
	client  *http.Client
	retries int
	gap     time.Duration
}

func newInstructions(p *Provider) *instructions {
	o := &instructions{p: p, client: &http.Client{}, retries: 3, gap: 50 * time.Millisecond}
	o.out = newDeliveryQueue(o.deliver)
	return o
}

func (o *instructions) start() { o.out.start() }

func (o *instructions) add(in Instruction, url string, seal sealer) {
	o.mu.Lock()
	o.all = append(o.all, in)
	o.mu.Unlock()
	if url != "" {
		o.out.push(pendingInstruction{in: in, url: url, seal: seal})
	}
}

func (o *instructions) close() { o.out.close() }

// deliver posts one instruction, repeating it retries times gap apart
// unless the provider closes.
func (o *instructions) deliver(pi pendingInstruction) InstructionDelivery {
	d := InstructionDelivery{Instruction: pi.in}
	for attempt := 0; attempt <= o.retries; attempt++ {
		if attempt > 0 {
			time.Sleep(o.gap)
		}
		d.Attempts++
		start := time.Now()
		err := o.post(pi)
		if el := time.Since(start); el > d.Slowest {
			d.Slowest = el
		}
		if err == nil {
			d.Delivered = true
			break
		}
		d.LastError = err.Error()
		if o.out.isClosed() {
			break
		}
	}
	return d
}

func (o *instructions) post(pi pendingInstruction) error {
	body, q, err := pi.seal(pi.in.XML, o.p.clock.Now())
	if err != nil {
		return err
	}
	return postSealed(o.client, pi.url, body, q, instructionTimeout, "instruction callback")
}

// Instructions returns every instruction emitted so far, in order.
func (p *Provider) Instructions() []Instruction {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return append([]Instruction(nil), p.out.all...)
}

// InstructionDeliveries returns the finished deliveries, in order.
func (p *Provider) InstructionDeliveries() []InstructionDelivery {
	return p.out.out.delivered()
}

// WaitForInstructions blocks until every queued instruction has been
// delivered or given up on, or ctx ends.
func (p *Provider) WaitForInstructions(ctx context.Context) error {
	for {
		if p.out.out.idle() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// ---- counters ----

// WrongTokenCalls returns how many calls carried a token of the wrong
// kind (a suite token on a corp API, a corp token on a suite endpoint, ...)
// or none where one was needed.
func (p *Provider) WrongTokenCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.wrongKind
}

// SuiteTokensIssued returns how many suite_access_tokens get_suite_token
// issued for suiteID.
func (p *Provider) SuiteTokensIssued(suiteID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.suites[suiteID]; s != nil {
		return s.issued
	}
	return 0
}

// ProviderTokensIssued returns how many provider_access_tokens were issued.
func (p *Provider) ProviderTokensIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.providerIssued
}

// CorpTokensIssued returns how many corp tokens get_corp_token issued for
// corpID's install of suiteID.
func (p *Provider) CorpTokensIssued(suiteID, corpID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := p.grants[grantKey{suiteID, corpID}]; g != nil {
		return g.corpTokens
	}
	return 0
}

// Requests returns the requests the provider served itself, in order.
func (p *Provider) Requests() []ProviderRequest {
	p.recMu.Lock()
	defer p.recMu.Unlock()
	return append([]ProviderRequest(nil), p.reqs...)
}

// RequestsTo returns the requests the provider served for path.
func (p *Provider) RequestsTo(path string) []ProviderRequest {
	var out []ProviderRequest
	for _, r := range p.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ---- serving ----

// provRoute is an endpoint the provider serves itself.
type provRoute struct {
	method string
	kind   tokenKind // the token it needs; "" for none
	fn     func(c *provCall) (any, error)
}

type provCall struct {
	p     *Provider
	r     *http.Request
	Path  string
	Query url.Values
	Body  []byte
	Now   time.Time
	owner string // whose token: suite id, provider corp id, tenant corp id
	suite *provSuite
}

func (c *provCall) decode(v any) error {
	if len(bytes.TrimSpace(c.Body)) == 0 {
		return errorf(codeDataFormat, "data format error: empty body")
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return errorf(codeDataFormat, "data format error: %v", err)
	}
	return nil
}

var tokenParams = [...]tokenKind{kindSuite, kindProvider, kindCorp}

func (p *Provider) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if p.latency > 0 && !sleepCtx(r.Context(), p.latency) {
		return
	}
	now := p.clock.Now()
	p.Tick()
	q := r.URL.Query()
	var param tokenKind
	var tok string
	for _, k := range tokenParams {
		if v := q.Get(string(k)); v != "" && param == "" {
			param, tok = k, v
		}
	}
	rt, own := providerRoutes[r.URL.Path]
	if !own {
		p.forward(w, r, param, tok, now)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	for _, k := range tokenParams {
		q.Del(string(k))
	}
	c := &provCall{p: p, r: r, Path: r.URL.Path, Query: q, Body: body, Now: now}
	code := p.serveOwn(w, c, rt, param, tok)
	if p.record {
		p.recMu.Lock()
		p.reqs = append(p.reqs, ProviderRequest{Method: r.Method, Path: c.Path, TokenParam: string(param), Query: q, Body: body, Time: now, ErrCode: code})
		p.recMu.Unlock()
	}
}

func (p *Provider) serveOwn(w http.ResponseWriter, c *provCall, rt provRoute, param tokenKind, tok string) int {
	if c.r.Method != rt.method {
		if rt.method == http.MethodPost {
			return p.writeError(w, errorf(codeRequirePOST, "require POST method"))
		}
		return p.writeError(w, errorf(codeRequireGET, "require GET method"))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if rt.kind != "" {
		if param != rt.kind {
			p.wrongKind++
			if rt.kind == kindCorp {
				return p.writeError(w, errorf(codeTokenMissing, "access_token missing"))
			}
			return p.writeError(w, errorf(codeInvalidSuiteToken, "invalid suite_access_token or provider_access_token"))
		}
		info, ok := p.tokens[tok]
		if !ok && rt.kind == kindCorp {
			// A 代开发 app's token, issued by the tenant's own gettoken.
			if t := p.tenantOfToken(tok); t != nil {
				t.mu.Lock()
				exp := t.tokens[tok]
				t.mu.Unlock()
				info, ok = provToken{kind: kindCorp, owner: t.CorpID, expires: exp}, true
			}
		}
		switch {
		case !ok || info.kind != rt.kind:
			if rt.kind == kindCorp {
				return p.writeError(w, errorf(codeInvalidToken, "invalid access_token"))
			}
			return p.writeError(w, errorf(codeInvalidSuiteToken, "invalid suite_access_token or provider_access_token"))
		case !c.Now.Before(info.expires):
			if rt.kind == kindCorp {
				return p.writeError(w, errorf(codeTokenExpired, "access_token expired"))
			}
			return p.writeError(w, errorf(codeSuiteTokenExpired, "suite_access_token expired"))
		}
		c.owner = info.owner
		c.suite = p.suites[info.owner]
		if rt.kind == kindCorp {
			c.suite = p.suites[info.suiteID]
		}
	} else if param != "" {
		// Token endpoints take none; sending one leaks it to a log.
		p.wrongKind++
	}
	payload, err := rt.fn(c)
	if err != nil {
		return p.writeError(w, err)
	}
	(&Server{}).writeOK(w, payload)
	return 0
}

func (p *Provider) writeError(w http.ResponseWriter, err error) int {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: codeSystemBusy, Message: "system error: " + err.Error()}
	}
	msg := fmt.Sprintf("%s, hint: [%s], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=%d", ae.Message, p.ids.hint(), ae.Code)
	writeJSON(w, map[string]any{"errcode": ae.Code, "errmsg": msg})
	return ae.Code
}

// forward routes a corp API call to the tenant whose token it carries.
func (p *Provider) forward(w http.ResponseWriter, r *http.Request, param tokenKind, tok string, now time.Time) {
	p.mu.Lock()
	if r.URL.Path == "/cgi-bin/gettoken" {
		// A 代开发 app's own token: the tenant checks corpid and secret.
		t := p.tenants[r.URL.Query().Get("corpid")]
		if param != "" {
			p.wrongKind++
		}
		p.mu.Unlock()
		if t == nil {
			p.writeError(w, errorf(codeInvalidCorpID, "invalid corpid"))
			return
		}
		t.serveHTTP(w, r)
		return
	}
	if param != kindCorp {
		p.wrongKind++
		p.mu.Unlock()
		if param == "" {
			p.writeError(w, errorf(codeTokenMissing, "access_token missing"))
		} else {
			p.writeError(w, errorf(codeTokenMissing, "access_token missing (got %s)", param))
		}
		return
	}
	info, ok := p.tokens[tok]
	if ok && info.kind != kindCorp {
		p.wrongKind++
		p.mu.Unlock()
		p.writeError(w, errorf(codeInvalidToken, "invalid access_token"))
		return
	}
	var t *Server
	if ok {
		t = p.tenants[info.owner]
	} else {
		t = p.tenantOfToken(tok)
	}
	if t == nil {
		p.mu.Unlock()
		p.writeError(w, errorf(codeInvalidToken, "invalid access_token"))
		return
	}
	corp := t.CorpID
	p.corpCalls[corp]++
	for k, at := range p.cancelAt {
		if k.corpID == corp && p.corpCalls[corp] > at {
			delete(p.cancelAt, k)
			_ = p.cancelLocked(k.suiteID, k.corpID)
		}
	}
	p.mu.Unlock()
	t.serveHTTP(w, r)
}

// tenantOfToken finds the tenant that issued tok with its own gettoken (a
// 代开发 app). Call with p.mu held.
func (p *Provider) tenantOfToken(tok string) *Server {
	for _, id := range p.tenantIDs {
		t := p.tenants[id]
		t.mu.Lock()
		_, ok := t.tokens[tok]
		t.mu.Unlock()
		if ok {
			return t
		}
	}
	return nil
}

// openID makes the stable encrypted form of id as the provider sees it.
func (p *Provider) openID(prefix, id string) string { return providerOpenID(p.CorpID, prefix, id) }

func (p *Provider) issue(kind tokenKind, owner, suiteID string, now time.Time) string {
	tok := p.ids.token()
	p.tokens[tok] = provToken{kind: kind, owner: owner, suiteID: suiteID, expires: now.Add(p.tokenTTL)}
	return tok
}
