// Package jssdk serves the server side of a WeCom web page that uses the
// JS-SDK (a sidebar in the chat toolbar, an app page): the two jsapi
// tickets and the signatures wx.config / ww.register and wx.agentConfig
// check.
//
// The corp ticket (GET /cgi-bin/get_jsapi_ticket) signs wx.config and
// ww.register's getConfigSignature; the agent ticket (GET /cgi-bin/ticket/get
// with type=agent_config) signs wx.agentConfig and ww.register's
// getAgentConfigSignature, which getCurExternalContact, getCurExternalChat
// and sendChatMessage need. WeCom caps the ticket fetches at 400 an hour per
// corp and 100 an hour per app, so the tickets ride on the Client's own
// token machinery (wecom.NewCachedTokenSource): a warm read from memory, one
// fetch however many page loads ask at once, refresh ahead of expiry, and
// with Options.Cache a ticket shared by a fleet (contrib/redis's Store works
// as is) with one instance fetching under a lease.
//
// No server API ever rejects a ticket: only the page learns of a bad one,
// when wx.config or wx.agentConfig fails with 40093 (invalid signature:
// per WeCom, a wrong or expired ticket, or a URL other than the page's) or
// 42012 (reported for a ticket of another app (?)). The page hands the
// signature back to Service.Reject, which drops the ticket it was made
// with if that is still the current one. (Token errors on the ticket
// fetches themselves, 40014 and 42001, are the pipeline's: it refreshes
// the access token and repeats the fetch.) While a ticket is valid WeCom
// answers a fetch with that same ticket, so dropping one WeCom still
// accepts costs a fetch and changes nothing.
//
// Third-party (service-provider) apps fetch both tickets with the authorized
// corp's access token (get_corp_token), never the suite_access_token: build
// the Service on that corp's *wecom.Client (the tenant client) and the
// package works unchanged. The corp id in the signatures is then the
// authorized corp's, and the agent id the app's agentid in that corp.
package jssdk

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wecomkit/wecom"
)

// TicketKind says which of the two jsapi tickets a value belongs to.
type TicketKind int

// The two tickets.
const (
	// CorpTicket is the corp's jsapi_ticket, for wx.config and
	// ww.register's getConfigSignature.
	CorpTicket TicketKind = 1
	// AgentTicket is the app's ticket (type=agent_config), for
	// wx.agentConfig and ww.register's getAgentConfigSignature.
	AgentTicket TicketKind = 2
)

// String returns "corp" or "agent".
func (k TicketKind) String() string {
	switch k {
	case CorpTicket:
		return "corp"
	case AgentTicket:
		return "agent"
	}
	return "TicketKind(" + strconv.Itoa(int(k)) + ")"
}

// DefaultRejectInterval is the default of Options.RejectInterval.
const DefaultRejectInterval = 5 * time.Minute

// Options configures New. The zero value (or nil) keeps the tickets in this
// process's memory with the Client's defaults.
type Options struct {
	// Cache shares the tickets beyond one process, like the Client's
	// access token (wecom.WithTokenCache); when it is also a
	// wecom.TokenLocker, one instance of a fleet fetches a ticket while
	// the others wait for it. Keys are TicketCacheKey's.
	Cache wecom.TokenCache
	// RefreshAhead is how long before expiry a ticket is refreshed
	// (default 5 minutes).
	RefreshAhead time.Duration
	// Lease bounds one instance's fetch lease (default 10 seconds).
	Lease time.Duration
	// RejectInterval is the least time between two tickets of one kind
	// that Reject drops (default DefaultRejectInterval). Signatures reach
	// Reject from pages, so this bounds how fast a page that keeps
	// reporting failures can spend the hourly ticket quota.
	RejectInterval time.Duration
	// Logger receives warnings (a failed refresh served by the current
	// ticket, an unreachable cache). nil discards them.
	Logger *slog.Logger
}

// Service fetches, caches and signs with the jsapi tickets of one Client's
// corp and app. It is safe for concurrent use; create one per Client and
// share it.
type Service struct {
	c              *wecom.Client
	corp, agent    wecom.TokenSource
	rejectInterval time.Duration
	lastReject     [3]atomic.Int64 // per kind: unix nanos of the last ticket Reject dropped
	now            func() time.Time
}

// TicketCacheKey returns the key a ticket of kind is stored under in
// Options.Cache: the kind, the corp id and the agent id, never a secret or
// a token. Clients of one corp and agent id share their tickets. The key
// holds no braces, so a Redis Cluster hash tag around it (contrib/redis)
// stays whole.
func TicketCacheKey(kind TicketKind, corpID string, agentID int) string {
	return "jsapi_ticket:" + kind.String() + ":" + corpID + ":" + strconv.Itoa(agentID)
}

// New returns a Service for c. The agent ticket needs c's agent id
// (wecom.WithAgentID) and a token of that app.
func New(c *wecom.Client, o *Options) *Service {
	if o == nil {
		o = &Options{}
	}
	s := &Service{c: c, rejectInterval: o.RejectInterval, now: time.Now}
	if s.rejectInterval <= 0 {
		s.rejectInterval = DefaultRejectInterval
	}
	co := &wecom.CachedTokenOptions{Cache: o.Cache, RefreshAhead: o.RefreshAhead, Lease: o.Lease, Logger: o.Logger}
	s.corp = wecom.NewCachedTokenSource(TicketCacheKey(CorpTicket, c.CorpID(), c.AgentID()), s.fetchCorpTicket, co)
	s.agent = wecom.NewCachedTokenSource(TicketCacheKey(AgentTicket, c.CorpID(), c.AgentID()), s.fetchAgentTicket, co)
	return s
}

// ticketResponse is the payload of both ticket endpoints.
type ticketResponse struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int64  `json:"expires_in"`
}

// fetchCorpTicket gets a new corp ticket.
//
// WeCom: GET /cgi-bin/get_jsapi_ticket
func (s *Service) fetchCorpTicket(ctx context.Context) (wecom.Token, error) {
	return s.fetch(ctx, CorpTicket, &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/get_jsapi_ticket",
		Idempotent: true,
	})
}

// fetchAgentTicket gets a new agent ticket.
//
// WeCom: GET /cgi-bin/ticket/get
func (s *Service) fetchAgentTicket(ctx context.Context) (wecom.Token, error) {
	if s.c.AgentID() == 0 {
		return wecom.Token{}, wecom.InvalidArgument("jssdk: agent ticket: the client has no agent id (wecom.WithAgentID)")
	}
	return s.fetch(ctx, AgentTicket, &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/ticket/get",
		Query:      url.Values{"type": {"agent_config"}},
		Idempotent: true,
	})
}

func (s *Service) fetch(ctx context.Context, kind TicketKind, req *wecom.Request) (wecom.Token, error) {
	// Count the life from before the request, to stay on the safe side of
	// WeCom's clock.
	start := s.now()
	resp, err := wecom.Call[ticketResponse](ctx, s.c, req)
	if err != nil {
		return wecom.Token{}, fmt.Errorf("jssdk: %s ticket: %w", kind, err)
	}
	if resp.Ticket == "" {
		return wecom.Token{}, wecom.UnexpectedResponse(req.Method, req.Path, "%s ticket: no ticket in the answer", kind)
	}
	if resp.ExpiresIn <= 0 {
		resp.ExpiresIn = 7200
	}
	return wecom.Token{Value: resp.Ticket, IssuedAt: start, ExpiresAt: start.Add(time.Duration(resp.ExpiresIn) * time.Second)}, nil
}

// source returns the ticket source of kind.
func (s *Service) source(kind TicketKind) (wecom.TokenSource, error) {
	switch kind {
	case CorpTicket:
		return s.corp, nil
	case AgentTicket:
		return s.agent, nil
	}
	return nil, wecom.InvalidArgument("jssdk: unknown ticket kind %d", int(kind))
}

// Ticket returns the current ticket of kind, fetching one when none is
// cached or the cached one is due for refresh. A warm read takes no lock
// and allocates nothing. The ticket is a credential: sign with it, never
// send it to a page or log it.
//
// WeCom: GET /cgi-bin/get_jsapi_ticket (CorpTicket)
// WeCom: GET /cgi-bin/ticket/get (AgentTicket, type=agent_config)
func (s *Service) Ticket(ctx context.Context, kind TicketKind) (string, error) {
	src, err := s.source(kind)
	if err != nil {
		return "", err
	}
	return src.Token(ctx)
}

// Invalidate drops ticket, of either kind, from memory and from the shared
// cache, but only while it is still the current one, so that a newer
// ticket another goroutine or instance fetched survives. The next Ticket or Sign
// fetches a new one. Most callers want Reject, which works from the
// signature the page reports.
//
// WeCom: GET /cgi-bin/get_jsapi_ticket (on the next read, for CorpTicket)
// WeCom: GET /cgi-bin/ticket/get (on the next read, for AgentTicket)
func (s *Service) Invalidate(ctx context.Context, ticket string) {
	// Each source drops only its own current value (compare and delete),
	// so asking both is safe and spares the caller the kind.
	for _, kind := range [...]TicketKind{CorpTicket, AgentTicket} {
		if src, err := s.source(kind); err == nil {
			src.Invalidate(ctx, ticket)
		}
	}
}

// Signature is what a page passes to the JS-SDK. For wx.config, pass CorpID
// as appId; for wx.agentConfig, pass corpid and agentid as they are; for
// ww.register, return {timestamp, nonceStr, signature} from
// getConfigSignature / getAgentConfigSignature. The JSON names are the
// JS-SDK's.
type Signature struct {
	// CorpID is the corp id (wx.config's appId, agentConfig's corpid).
	CorpID string `json:"corpid"`
	// AgentID is set for an agent-config signature, 0 for a config one.
	AgentID   int    `json:"agentid,omitempty"`
	Timestamp int64  `json:"timestamp"`
	NonceStr  string `json:"nonceStr"`
	Signature string `json:"signature"`
	// URL is the page URL that was signed (fragment dropped). The page
	// must run at exactly this URL.
	URL string `json:"url"`
}

// Kind returns the ticket the signature was made with: AgentTicket when
// AgentID is set, CorpTicket otherwise.
func (s *Signature) Kind() TicketKind {
	if s.AgentID != 0 {
		return AgentTicket
	}
	return CorpTicket
}

// SignConfig signs pageURL for wx.config / ww.register with the corp
// ticket.
//
// WeCom: GET /cgi-bin/get_jsapi_ticket (when the ticket is not cached)
func (s *Service) SignConfig(ctx context.Context, pageURL string) (*Signature, error) {
	return s.sign(ctx, CorpTicket, pageURL)
}

// SignAgentConfig signs pageURL for wx.agentConfig (or ww.register with
// agentId) with the agent ticket; the Signature carries the client's
// agent id.
//
// WeCom: GET /cgi-bin/ticket/get (type=agent_config, when the ticket is not cached)
func (s *Service) SignAgentConfig(ctx context.Context, pageURL string) (*Signature, error) {
	return s.sign(ctx, AgentTicket, pageURL)
}

func (s *Service) sign(ctx context.Context, kind TicketKind, pageURL string) (*Signature, error) {
	u, err := NormalizeURL(pageURL)
	if err != nil {
		return nil, err
	}
	if kind == AgentTicket && s.c.AgentID() == 0 {
		return nil, wecom.InvalidArgument("jssdk: sign agent config: the client has no agent id (wecom.WithAgentID)")
	}
	ticket, err := s.Ticket(ctx, kind)
	if err != nil {
		return nil, err
	}
	nonce, err := Nonce()
	if err != nil {
		return nil, err
	}
	sig := &Signature{CorpID: s.c.CorpID(), Timestamp: s.now().Unix(), NonceStr: nonce, URL: u}
	if kind == AgentTicket {
		sig.AgentID = s.c.AgentID()
	}
	sig.Signature = Sign(ticket, nonce, sig.Timestamp, u)
	return sig, nil
}

// Reject reports that a page's wx.config or wx.agentConfig failed with sig
// (errMsg "invalid signature", 40093, or 42012). When sig was made with the
// ticket that is current now, that ticket is dropped (see Invalidate) and
// Reject returns true; the page should then ask for a new signature. When
// sig does not match the current ticket (a newer one is already in use, or
// the page changed its URL or the signature) nothing is dropped.
//
// At most one ticket of a kind is dropped per Options.RejectInterval: sig
// comes from a page, and each drop costs a fetch of the hourly quota.
//
// WeCom: GET /cgi-bin/get_jsapi_ticket (on the next read, for a config signature)
// WeCom: GET /cgi-bin/ticket/get (on the next read, for an agent-config signature)
func (s *Service) Reject(ctx context.Context, sig *Signature) (bool, error) {
	if sig == nil || sig.Signature == "" {
		return false, wecom.InvalidArgument("jssdk: reject: no signature")
	}
	kind := sig.Kind()
	if sig.CorpID != s.c.CorpID() || (kind == AgentTicket && sig.AgentID != s.c.AgentID()) {
		return false, nil // not ours: it cannot tell anything about our tickets
	}
	u, err := NormalizeURL(sig.URL)
	if err != nil {
		return false, err
	}
	ticket, err := s.Ticket(ctx, kind)
	if err != nil {
		return false, err
	}
	if Sign(ticket, sig.NonceStr, sig.Timestamp, u) != strings.ToLower(sig.Signature) {
		return false, nil
	}
	last := &s.lastReject[kind]
	now := s.now().UnixNano()
	prev := last.Load()
	if prev != 0 && now-prev < int64(s.rejectInterval) {
		return false, nil
	}
	if !last.CompareAndSwap(prev, now) {
		return false, nil // another goroutine is dropping it
	}
	s.Invalidate(ctx, ticket)
	return true, nil
}

// NormalizeURL returns the page URL as WeCom signs it: the absolute http or
// https URL the page was loaded from, without its #fragment, its other
// characters exactly as given (not URL-encoded or decoded). A URL with a
// space or a control character is refused: a browser's location.href never
// has one, so it cannot be the page's.
func NormalizeURL(pageURL string) (string, error) {
	if i := strings.IndexByte(pageURL, '#'); i >= 0 {
		pageURL = pageURL[:i]
	}
	// A hand-written check rather than url.Parse: it is a third of the cost
	// of a signature, and all a signature needs is an absolute URL.
	rest, ok := cutPrefixFold(pageURL, "https://")
	if !ok {
		rest, ok = cutPrefixFold(pageURL, "http://")
	}
	host := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host = rest[:i]
	}
	if !ok || host == "" {
		return "", wecom.InvalidArgument("jssdk: page URL %q is not an absolute http(s) URL", pageURL)
	}
	for i := 0; i < len(pageURL); i++ {
		if c := pageURL[i]; c <= ' ' || c == 0x7f {
			return "", wecom.InvalidArgument("jssdk: page URL %q has a space or control character", pageURL)
		}
	}
	return pageURL, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Sign returns the JS-SDK signature: the hex SHA-1 of
// "jsapi_ticket=T&noncestr=N&timestamp=TS&url=URL", keys in that order and
// values as given, not URL-encoded. pageURL must already be normalised
// (NormalizeURL). wx.config and wx.agentConfig use the same algorithm with
// their own ticket.
func Sign(ticket, nonceStr string, timestamp int64, pageURL string) string {
	// One buffer on the stack for the usual sizes: tickets are about 100
	// bytes and page URLs a few hundred.
	var buf [512]byte
	b := append(buf[:0], "jsapi_ticket="...)
	b = append(b, ticket...)
	b = append(b, "&noncestr="...)
	b = append(b, nonceStr...)
	b = append(b, "&timestamp="...)
	b = strconv.AppendInt(b, timestamp, 10)
	b = append(b, "&url="...)
	b = append(b, pageURL...)
	sum := sha1.Sum(b)
	var out [2 * sha1.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

const nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NonceLength is the length of the nonces Nonce returns.
const NonceLength = 16

// Nonce returns a random nonceStr of NonceLength letters and digits from
// crypto/rand.
func Nonce() (string, error) {
	var out [NonceLength]byte
	var rnd [NonceLength + 8]byte // rejections are rare: one read nearly always does
	n := 0
	for n < NonceLength {
		if _, err := rand.Read(rnd[:]); err != nil {
			return "", fmt.Errorf("jssdk: nonce: %w", err)
		}
		for _, r := range rnd {
			// Rejecting 248..255 keeps the 62 symbols equally likely.
			if r >= 248 {
				continue
			}
			out[n] = nonceAlphabet[int(r)%len(nonceAlphabet)]
			if n++; n == NonceLength {
				break
			}
		}
	}
	return string(out[:]), nil
}
