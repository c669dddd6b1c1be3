package wecomtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// JS-SDK tickets: the corp ticket (get_jsapi_ticket) and the agent ticket
// (ticket/get, type=agent_config), each valid for 7200 s on the server
// clock. As WeCom's explanation of 40093 says, a fetch while a ticket is
// still valid returns that same ticket (expires_in is then what is left of
// its life); a new one is issued once it has expired or was revoked
// (RevokeJSAPITickets). WeCom's hourly caps are enforced on a sliding
// hour, counting every fetch: at most 400 corp-ticket fetches per corp and
// 100 per app (the agent ticket gets the same 100 per app; WeCom does not
// document its own); beyond them the server answers 45009.

// Default JS-SDK ticket caps, per hour of the server clock.
const (
	DefaultCorpTicketsPerHour = 400 // get_jsapi_ticket, per corp
	DefaultAppTicketsPerHour  = 100 // get_jsapi_ticket and ticket/get, per app
)

// jsapiTicketTTL is the life of an issued ticket.
const jsapiTicketTTL = 7200 * time.Second

// Errcodes of the JS-SDK side.
const (
	codeInvalidSignature = 40093 // wx.config / agentConfig: invalid signature
)

type ticketKind string

const (
	ticketCorp  ticketKind = "corp"
	ticketAgent ticketKind = "agent"
)

type issuedTicket struct {
	kind    ticketKind
	agentID int
	expires time.Time
}

// jssdkState is the server's ticket state, guarded by s.mu.
type jssdkState struct {
	tickets map[string]issuedTicket
	current map[ticketKind]string      // the ticket a fetch returns while it is valid
	fetches map[ticketKind][]time.Time // within the last hour, oldest first
	corpCap int
	appCap  int
}

func registerJSSDK(s *Server) {
	s.jssdk = &jssdkState{
		tickets: map[string]issuedTicket{},
		current: map[ticketKind]string{},
		fetches: map[ticketKind][]time.Time{},
		corpCap: DefaultCorpTicketsPerHour,
		appCap:  DefaultAppTicketsPerHour,
	}
	s.handle(http.MethodGet, "/cgi-bin/get_jsapi_ticket", s.getJSAPITicket)
	s.handle(http.MethodGet, "/cgi-bin/ticket/get", s.getAgentTicket)
}

// getJSAPITicket serves GET /cgi-bin/get_jsapi_ticket.
func (s *Server) getJSAPITicket(c *call) (any, error) {
	return s.issueTicket(c, ticketCorp)
}

// getAgentTicket serves GET /cgi-bin/ticket/get.
func (s *Server) getAgentTicket(c *call) (any, error) {
	if t := c.Query.Get("type"); t != "agent_config" {
		return nil, errorf(codeInvalidParameter, "invalid type %q", t)
	}
	return s.issueTicket(c, ticketAgent)
}

func (s *Server) issueTicket(c *call, kind ticketKind) (any, error) {
	j := s.jssdk
	hourAgo := c.Now.Add(-time.Hour)
	for k, ts := range j.fetches {
		i := 0
		for i < len(ts) && !ts[i].After(hourAgo) {
			i++
		}
		j.fetches[k] = ts[i:]
	}
	// One app per server: the app's count of a kind is all of that kind;
	// the corp's count of corp tickets is the same fetches.
	if kind == ticketCorp && len(j.fetches[ticketCorp]) >= j.corpCap {
		return nil, errorf(codeFrequencyLimit, "api freq out of limit: jsapi_ticket %d per hour per corp", j.corpCap)
	}
	if len(j.fetches[kind]) >= j.appCap {
		return nil, errorf(codeFrequencyLimit, "api freq out of limit: jsapi_ticket %d per hour per app", j.appCap)
	}
	j.fetches[kind] = append(j.fetches[kind], c.Now)
	for v, it := range j.tickets {
		if !c.Now.Before(it.expires) {
			delete(j.tickets, v)
		}
	}
	t := j.current[kind]
	it, ok := j.tickets[t]
	if left := it.expires.Sub(c.Now) / time.Second; !ok || left < 1 {
		t = s.ids.random(22) + "-" + s.ids.random(63)
		it = issuedTicket{kind: kind, agentID: s.AgentID, expires: c.Now.Add(jsapiTicketTTL)}
		j.tickets[t] = it
		j.current[kind] = t
	}
	return struct {
		Ticket    string `json:"ticket"`
		ExpiresIn int64  `json:"expires_in"`
	}{t, int64(it.expires.Sub(c.Now) / time.Second)}, nil
}

// SetJSAPITicketLimits changes the hourly caps on ticket fetches: perCorp
// for corp tickets of the corp, perApp for each kind of the app (defaults
// DefaultCorpTicketsPerHour, DefaultAppTicketsPerHour).
func (s *Server) SetJSAPITicketLimits(perCorp, perApp int) {
	s.mu.Lock()
	s.jssdk.corpCap, s.jssdk.appCap = perCorp, perApp
	s.mu.Unlock()
}

// RevokeJSAPITickets makes every ticket issued so far invalid, as if WeCom
// had expired them early: signatures made with them no longer verify, and
// the next fetch of each kind issues a new ticket.
func (s *Server) RevokeJSAPITickets() {
	s.mu.Lock()
	s.jssdk.tickets = map[string]issuedTicket{}
	s.jssdk.current = map[ticketKind]string{}
	s.mu.Unlock()
}

// JSSDKSignature is what a page passes to wx.config (CorpID as appId) or
// wx.agentConfig (AgentID set), with the URL it runs at. The JSON names are
// those of the jssdk package's Signature.
type JSSDKSignature struct {
	CorpID    string `json:"corpid"`
	AgentID   int    `json:"agentid,omitempty"`
	Timestamp int64  `json:"timestamp"`
	NonceStr  string `json:"nonceStr"`
	Signature string `json:"signature"`
	// URL is the page's location.href; the part from # on is ignored, as
	// the JS-SDK does.
	URL string `json:"url"`
}

// VerifyJSSDKSignature checks sig as the JS-SDK does when a page calls
// wx.config (AgentID 0) or wx.agentConfig (AgentID set): against every
// unexpired ticket of that kind the server issued. It returns nil when it
// verifies and an *APIError otherwise: 40013 for another corp, 40056 for
// another app, 40093 (invalid signature) for the rest.
func (s *Server) VerifyJSSDKSignature(sig JSSDKSignature) error {
	if sig.CorpID != s.CorpID {
		return errorf(codeInvalidCorpID, "invalid corpid")
	}
	kind := ticketCorp
	if sig.AgentID != 0 {
		kind = ticketAgent
		if sig.AgentID != s.AgentID {
			return errorf(codeInvalidAgentID, "invalid agentid")
		}
	}
	u := sig.URL
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	want := strings.ToLower(sig.Signature)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, it := range s.jssdk.tickets {
		if it.kind != kind || !now.Before(it.expires) {
			continue
		}
		if jssdkSign(t, sig.NonceStr, sig.Timestamp, u) == want {
			return nil
		}
	}
	return errorf(codeInvalidSignature, "invalid signature")
}

// jssdkSign is WeCom's algorithm, written here on its own so the server
// checks the SDK rather than itself.
func jssdkSign(ticket, nonce string, ts int64, u string) string {
	s := fmt.Sprintf("jsapi_ticket=%s&noncestr=%s&timestamp=%s&url=%s", ticket, nonce, strconv.FormatInt(ts, 10), u)
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
