package wecomtest

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

type ticketPayload struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int64  `json:"expires_in"`
}

func fetchTicket(t *testing.T, c *wecom.Client, agent bool) (*ticketPayload, error) {
	t.Helper()
	req := &wecom.Request{Method: "GET", Path: "/cgi-bin/get_jsapi_ticket"}
	if agent {
		req = &wecom.Request{Method: "GET", Path: "/cgi-bin/ticket/get", Query: url.Values{"type": {"agent_config"}}}
	}
	return wecom.Call[ticketPayload](context.Background(), c, req, wecom.MaxAttempts(1))
}

func TestJSAPITicketHourlyCaps(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := Start(t, WithClock(NewManualClock(start)))
	c, err := s.Client(wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)

	var first string
	for i := 0; i < DefaultAppTicketsPerHour; i++ {
		p, err := fetchTicket(t, c, false)
		require.NoError(t, err, "fetch %d", i)
		if i == 0 {
			first = p.Ticket
		}
		assert.Equal(t, first, p.Ticket, "the same ticket while it is valid")
		assert.Equal(t, int64(7200-30*i), p.ExpiresIn, "what is left of its life")
		s.Clock().Advance(30 * time.Second)
	}
	_, err = fetchTicket(t, c, false)
	assert.Equal(t, wecom.CodeFrequencyLimit, wecom.ErrorCode(err), "101st corp ticket of the app in an hour")
	// The agent ticket has its own count.
	_, err = fetchTicket(t, c, true)
	require.NoError(t, err)

	// A sliding hour: a fetch counts for one hour, so once the first is
	// an hour old one more fits, and only one.
	s.Clock().Set(start.Add(time.Hour - time.Second))
	_, err = fetchTicket(t, c, false)
	assert.Equal(t, wecom.CodeFrequencyLimit, wecom.ErrorCode(err), "the first fetch is not yet an hour old")
	s.Clock().Set(start.Add(time.Hour))
	_, err = fetchTicket(t, c, false)
	require.NoError(t, err)
	_, err = fetchTicket(t, c, false)
	assert.Equal(t, wecom.CodeFrequencyLimit, wecom.ErrorCode(err))

	// The corp cap binds when the app cap is higher.
	s2 := Start(t)
	s2.SetJSAPITicketLimits(3, 10)
	c2, err := s2.Client(wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err := fetchTicket(t, c2, false)
		require.NoError(t, err)
	}
	_, err = fetchTicket(t, c2, false)
	assert.Equal(t, wecom.CodeFrequencyLimit, wecom.ErrorCode(err))
}

// A ticket is returned until it expires; then, or after a revocation, a
// new one is issued.
func TestJSAPITicketRenewal(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := Start(t, WithClock(NewManualClock(start)))
	c, err := s.Client()
	require.NoError(t, err)
	corp, err := fetchTicket(t, c, false)
	require.NoError(t, err)
	agent, err := fetchTicket(t, c, true)
	require.NoError(t, err)
	assert.NotEqual(t, corp.Ticket, agent.Ticket, "one ticket per kind")

	s.Clock().Advance(7199 * time.Second)
	p, err := fetchTicket(t, c, false)
	require.NoError(t, err)
	assert.Equal(t, corp.Ticket, p.Ticket)
	assert.Equal(t, int64(1), p.ExpiresIn)
	s.Clock().Advance(time.Second)
	p, err = fetchTicket(t, c, false)
	require.NoError(t, err)
	assert.NotEqual(t, corp.Ticket, p.Ticket, "a new ticket once the old one expired")
	assert.Equal(t, int64(7200), p.ExpiresIn)

	s.RevokeJSAPITickets()
	q, err := fetchTicket(t, c, false)
	require.NoError(t, err)
	assert.NotEqual(t, p.Ticket, q.Ticket, "a new ticket after a revocation")
	a, err := fetchTicket(t, c, true)
	require.NoError(t, err)
	assert.NotEqual(t, agent.Ticket, a.Ticket)
}

func TestAgentTicketNeedsType(t *testing.T) {
	s := Start(t)
	c, err := s.Client()
	require.NoError(t, err)
	_, err = wecom.Call[ticketPayload](context.Background(), c, &wecom.Request{Method: "GET", Path: "/cgi-bin/ticket/get"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	_, err = wecom.Call[ticketPayload](context.Background(), c, &wecom.Request{Method: "GET", Path: "/cgi-bin/get_jsapi_ticket", NoToken: true})
	assert.Equal(t, wecom.CodeAccessTokenMissing, wecom.ErrorCode(err))
}

func TestVerifyJSSDKSignature(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := Start(t, WithClock(NewManualClock(start)))
	c, err := s.Client()
	require.NoError(t, err)
	corp, err := fetchTicket(t, c, false)
	require.NoError(t, err)
	agent, err := fetchTicket(t, c, true)
	require.NoError(t, err)

	const page = "https://sidebar.example.com/p?x=1"
	cfg := JSSDKSignature{CorpID: s.CorpID, Timestamp: 1414587457, NonceStr: "Wm3WZYTPz0wzccnW", URL: page + "#/route"}
	cfg.Signature = jssdkSign(corp.Ticket, cfg.NonceStr, cfg.Timestamp, page)
	require.NoError(t, s.VerifyJSSDKSignature(cfg), "the fragment is not signed")
	ag := JSSDKSignature{CorpID: s.CorpID, AgentID: s.AgentID, Timestamp: 1414587457, NonceStr: "n", URL: page}
	ag.Signature = jssdkSign(agent.Ticket, ag.NonceStr, ag.Timestamp, page)
	require.NoError(t, s.VerifyJSSDKSignature(ag))

	code := func(sig JSSDKSignature) int {
		err := s.VerifyJSSDKSignature(sig)
		ae, ok := err.(*APIError)
		require.True(t, ok, "%v", err)
		return ae.Code
	}
	wrongKind := ag
	wrongKind.Signature = jssdkSign(corp.Ticket, ag.NonceStr, ag.Timestamp, page)
	assert.Equal(t, 40093, code(wrongKind), "agentConfig signed with the corp ticket")
	otherCorp := cfg
	otherCorp.CorpID = "wwother"
	assert.Equal(t, 40013, code(otherCorp))
	otherApp := ag
	otherApp.AgentID = 1000099
	assert.Equal(t, 40056, code(otherApp))
	otherNonce := cfg
	otherNonce.NonceStr = "x"
	assert.Equal(t, 40093, code(otherNonce))

	// Tickets expire after 7200 s.
	s.Clock().Advance(7200 * time.Second)
	assert.Equal(t, 40093, code(cfg))
	assert.Equal(t, 40093, code(ag))
}

// The doc's worked example, against the server's own implementation.
func TestJSSDKSignDocumentationVector(t *testing.T) {
	assert.Equal(t, "0f9de62fce790f9a083d5c99e95740ceb90c27ed",
		jssdkSign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
			"Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value"))
}

func TestOAuthCodes(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.AddUser(User{UserID: "gone", Name: "离职", Resigned: true}))
	_, err := s.OAuthCode("gone")
	assert.Error(t, err, "a resigned member cannot sign in")
	_, err = s.OAuthCodeForCustomer("wmnobody")
	assert.Error(t, err)
	c, err := s.Client()
	require.NoError(t, err)
	_, err = wecom.Call[struct{}](context.Background(), c, &wecom.Request{Method: "GET", Path: "/cgi-bin/auth/getuserinfo"})
	assert.Equal(t, wecom.Code(41008), wecom.ErrorCode(err))
	_, err = wecom.Call[struct{}](context.Background(), c, &wecom.Request{Method: "POST", Path: "/cgi-bin/auth/getuserdetail", Body: map[string]string{}})
	assert.Equal(t, wecom.Code(40058), wecom.ErrorCode(err), "41000 is not a WeCom code")
}
