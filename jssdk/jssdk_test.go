package jssdk_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/jssdk"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	corpPath  = "/cgi-bin/get_jsapi_ticket"
	agentPath = "/cgi-bin/ticket/get"
	pageURL   = "https://sidebar.example.com/customer?entry=single_chat_tools&x=a%20b&名=值"
)

func newService(t *testing.T, o *jssdk.Options, srvOpts ...wecomtest.Option) (*wecomtest.Server, *jssdk.Service) {
	t.Helper()
	srv := wecomtest.Start(t, srvOpts...)
	c, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	require.NoError(t, err)
	return srv, jssdk.New(c, o)
}

// newServiceNoRetry is newService with a client that does not retry, for
// tests of failures.
func newServiceNoRetry(t *testing.T) (*wecomtest.Server, *jssdk.Service) {
	t.Helper()
	srv := wecomtest.Start(t)
	c, err := srv.Client(wecom.WithAgentID(srv.AgentID), wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	return srv, jssdk.New(c, nil)
}

func verify(srv *wecomtest.Server, s *jssdk.Signature) error {
	return srv.VerifyJSSDKSignature(wecomtest.JSSDKSignature{
		CorpID: s.CorpID, AgentID: s.AgentID, Timestamp: s.Timestamp, NonceStr: s.NonceStr, Signature: s.Signature, URL: s.URL,
	})
}

// The worked example of WeCom's "JS-SDK 签名算法" page.
func TestSignDocumentationVector(t *testing.T) {
	got := jssdk.Sign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		"Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
	assert.Equal(t, "0f9de62fce790f9a083d5c99e95740ceb90c27ed", got)
}

// Past the stack buffer the signature is still the SHA-1 of the whole
// string.
func TestSignLongURL(t *testing.T) {
	u := "https://a.example/p?q=" + strings.Repeat("x", 2000)
	sum := sha1.Sum([]byte("jsapi_ticket=T&noncestr=N&timestamp=7&url=" + u))
	assert.Equal(t, hex.EncodeToString(sum[:]), jssdk.Sign("T", "N", 7, u))
}

func TestNormalizeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://a.example/p", "https://a.example/p"},
		{"https://a.example/p?x=1#/route?y=2", "https://a.example/p?x=1"},
		{"http://a.example:8080/#", "http://a.example:8080/"},
		{"HTTPS://A.example?x", "HTTPS://A.example?x"},
		// Neither encoded nor decoded: the page's location.href as is.
		{"https://a.example/p?q=中文&s=a%20b&t=a+b", "https://a.example/p?q=中文&s=a%20b&t=a+b"},
	} {
		got, err := jssdk.NormalizeURL(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "/relative?x=1", "a.example/p", "ftp://a.example/f", "https://", "https:///path", "http://?q",
		"http://a b.example/", "https://a.example/p q", "https://a.example/\x00", "https://a.example/\n", "javascript:alert(1)"} {
		_, err := jssdk.NormalizeURL(bad)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, "%q", bad)
	}
}

func TestNonce(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		n, err := jssdk.Nonce()
		require.NoError(t, err)
		require.Len(t, n, jssdk.NonceLength)
		for _, r := range n {
			assert.True(t, 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9', "%q", n)
		}
		assert.False(t, seen[n], "nonce %q repeated", n)
		seen[n] = true
	}
}

func TestSignConfigAndAgentConfig(t *testing.T) {
	srv, svc := newService(t, nil)
	ctx := context.Background()
	before := time.Now().Unix()

	cfg, err := svc.SignConfig(ctx, pageURL+"#frag")
	require.NoError(t, err)
	assert.Equal(t, srv.CorpID, cfg.CorpID)
	assert.Zero(t, cfg.AgentID)
	assert.Equal(t, jssdk.CorpTicket, cfg.Kind())
	assert.Equal(t, pageURL, cfg.URL, "fragment dropped, nothing re-encoded")
	assert.Len(t, cfg.NonceStr, jssdk.NonceLength)
	assert.GreaterOrEqual(t, cfg.Timestamp, before)
	assert.LessOrEqual(t, cfg.Timestamp, time.Now().Unix())
	require.NoError(t, verify(srv, cfg), "the server accepts the config signature")

	agent, err := svc.SignAgentConfig(ctx, pageURL)
	require.NoError(t, err)
	assert.Equal(t, srv.CorpID, agent.CorpID)
	assert.Equal(t, srv.AgentID, agent.AgentID)
	assert.Equal(t, jssdk.AgentTicket, agent.Kind())
	require.NoError(t, verify(srv, agent), "the server accepts the agent-config signature")

	// Each signature is tied to its ticket kind, URL and values.
	swapped := *agent
	swapped.AgentID = 0
	assert.Equal(t, 40093, apiCode(verify(srv, &swapped)), "an agent signature is no config signature")
	moved := *cfg
	moved.URL = pageURL + "&more=1"
	assert.Equal(t, 40093, apiCode(verify(srv, &moved)))

	corpReqs, agentReqs := srv.RequestsTo(corpPath), srv.RequestsTo(agentPath)
	require.Len(t, corpReqs, 1)
	require.Len(t, agentReqs, 1)
	assert.Equal(t, "GET", corpReqs[0].Method)
	assert.Empty(t, corpReqs[0].Query, "get_jsapi_ticket takes only the token")
	assert.Equal(t, "GET", agentReqs[0].Method)
	assert.Equal(t, map[string][]string{"type": {"agent_config"}}, map[string][]string(agentReqs[0].Query))

	// Warm: more signatures, no more fetches.
	for i := 0; i < 5; i++ {
		_, err := svc.SignConfig(ctx, pageURL)
		require.NoError(t, err)
		_, err = svc.SignAgentConfig(ctx, pageURL)
		require.NoError(t, err)
	}
	assert.Len(t, srv.RequestsTo(corpPath), 1)
	assert.Len(t, srv.RequestsTo(agentPath), 1)
}

func apiCode(err error) int {
	var ae *wecomtest.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func TestSignArguments(t *testing.T) {
	srv := wecomtest.Start(t)
	c, err := srv.Client() // no agent id
	require.NoError(t, err)
	svc := jssdk.New(c, nil)
	ctx := context.Background()

	_, err = svc.SignAgentConfig(ctx, pageURL)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.Ticket(ctx, jssdk.AgentTicket)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.SignConfig(ctx, "/relative")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.Ticket(ctx, jssdk.TicketKind(7))
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Empty(t, srv.RequestsTo(agentPath), "nothing sent for a client without an agent id")
	assert.Empty(t, srv.RequestsTo(corpPath))

	// The corp ticket needs no agent id.
	cfg, err := svc.SignConfig(ctx, pageURL)
	require.NoError(t, err)
	require.NoError(t, verify(srv, cfg))
}

// 1,000 page loads at once on a cold cache: one fetch of each ticket.
func TestColdPageLoadsFetchEachTicketOnce(t *testing.T) {
	srv, svc := newService(t, nil, wecomtest.WithLatency(20*time.Millisecond))
	ctx := context.Background()
	const loads = 1000
	var wg sync.WaitGroup
	cfgs := make([]*jssdk.Signature, loads)
	agents := make([]*jssdk.Signature, loads)
	errs := make([]error, loads)
	start := make(chan struct{})
	for i := 0; i < loads; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			var err error
			if cfgs[i], err = svc.SignConfig(ctx, pageURL); err != nil {
				errs[i] = err
				return
			}
			agents[i], errs[i] = svc.SignAgentConfig(ctx, pageURL)
		}(i)
	}
	close(start)
	wg.Wait()
	for i := 0; i < loads; i++ {
		require.NoError(t, errs[i], "load %d", i)
	}
	assert.Len(t, srv.RequestsTo(corpPath), 1, "exactly one corp ticket fetch")
	assert.Len(t, srv.RequestsTo(agentPath), 1, "exactly one agent ticket fetch")
	assert.Equal(t, 1, srv.TokensIssued(), "and one access token")
	for _, i := range []int{0, loads / 2, loads - 1} {
		require.NoError(t, verify(srv, cfgs[i]))
		require.NoError(t, verify(srv, agents[i]))
	}
}

// Two instances on one shared cache: the second reads both tickets from
// it and fetches nothing.
func TestSharedCacheSharesTickets(t *testing.T) {
	srv := wecomtest.Start(t)
	cache := wecom.NewMemoryTokenCache()
	ctx := context.Background()
	var sigs []*jssdk.Signature
	for i := 0; i < 2; i++ {
		c, err := srv.Client(wecom.WithAgentID(srv.AgentID))
		require.NoError(t, err)
		svc := jssdk.New(c, &jssdk.Options{Cache: cache})
		cfg, err := svc.SignConfig(ctx, pageURL)
		require.NoError(t, err)
		agent, err := svc.SignAgentConfig(ctx, pageURL)
		require.NoError(t, err)
		sigs = append(sigs, cfg, agent)
	}
	assert.Len(t, srv.RequestsTo(corpPath), 1)
	assert.Len(t, srv.RequestsTo(agentPath), 1)
	for _, s := range sigs {
		require.NoError(t, verify(srv, s))
	}
	// The keys name kind, corp and agent; never a token or ticket.
	for _, kind := range []jssdk.TicketKind{jssdk.CorpTicket, jssdk.AgentTicket} {
		tok, ok, err := cache.GetToken(ctx, jssdk.TicketCacheKey(kind, srv.CorpID, srv.AgentID))
		require.NoError(t, err)
		require.True(t, ok, "%s ticket under its key", kind)
		assert.NotEmpty(t, tok.Value)
		assert.False(t, tok.IssuedAt.IsZero())
		assert.WithinDuration(t, tok.IssuedAt.Add(7200*time.Second), tok.ExpiresAt, time.Second)
	}
	assert.Equal(t, "jsapi_ticket:corp:"+srv.CorpID+":1000002", jssdk.TicketCacheKey(jssdk.CorpTicket, srv.CorpID, 1000002))
	assert.Equal(t, "jsapi_ticket:agent:"+srv.CorpID+":1000002", jssdk.TicketCacheKey(jssdk.AgentTicket, srv.CorpID, 1000002))
}

// A page reports its signature failed: the ticket it was made with is
// dropped once, and only while it is current.
func TestRejectDropsTheCurrentTicketOnce(t *testing.T) {
	srv, svc := newService(t, &jssdk.Options{RejectInterval: time.Hour})
	ctx := context.Background()

	first, err := svc.SignConfig(ctx, pageURL)
	require.NoError(t, err)
	// WeCom stops accepting the ticket before its time.
	srv.RevokeJSAPITickets()
	require.Equal(t, 40093, apiCode(verify(srv, first)))

	dropped, err := svc.Reject(ctx, first)
	require.NoError(t, err)
	assert.True(t, dropped)
	second, err := svc.SignConfig(ctx, pageURL)
	require.NoError(t, err)
	require.NoError(t, verify(srv, second), "signed with a new ticket")
	assert.Len(t, srv.RequestsTo(corpPath), 2)

	// The old signature again (a second tab): the current ticket is
	// newer, so nothing is dropped.
	dropped, err = svc.Reject(ctx, first)
	require.NoError(t, err)
	assert.False(t, dropped)
	// A current signature reported within RejectInterval: kept.
	dropped, err = svc.Reject(ctx, second)
	require.NoError(t, err)
	assert.False(t, dropped, "one drop per interval")
	// Another corp's signature says nothing about ours.
	foreign := *second
	foreign.CorpID = "wwother"
	dropped, err = svc.Reject(ctx, &foreign)
	require.NoError(t, err)
	assert.False(t, dropped)
	// A tampered signature matches no ticket.
	tampered := *second
	tampered.Signature = strings.Repeat("0", 40)
	dropped, err = svc.Reject(ctx, &tampered)
	require.NoError(t, err)
	assert.False(t, dropped)
	_, err = svc.SignConfig(ctx, pageURL)
	require.NoError(t, err)
	assert.Len(t, srv.RequestsTo(corpPath), 2, "no further fetch")

	// The agent ticket is dropped on its own.
	agent, err := svc.SignAgentConfig(ctx, pageURL)
	require.NoError(t, err)
	dropped, err = svc.Reject(ctx, agent)
	require.NoError(t, err)
	assert.True(t, dropped)
	_, err = svc.SignAgentConfig(ctx, pageURL)
	require.NoError(t, err)
	assert.Len(t, srv.RequestsTo(agentPath), 2)
	assert.Len(t, srv.RequestsTo(corpPath), 2)

	_, err = svc.Reject(ctx, nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
}

// Invalidate drops a ticket only while it is current. WeCom answers a
// fetch with the same ticket while it is valid, so the refetch after an
// Invalidate may bring the same one back; after WeCom dropped it, a new one.
func TestInvalidate(t *testing.T) {
	srv, svc := newService(t, nil)
	ctx := context.Background()
	t1, err := svc.Ticket(ctx, jssdk.CorpTicket)
	require.NoError(t, err)
	svc.Invalidate(ctx, "not-the-ticket")
	t2, err := svc.Ticket(ctx, jssdk.CorpTicket)
	require.NoError(t, err)
	assert.Equal(t, t1, t2)
	assert.Len(t, srv.RequestsTo(corpPath), 1, "a foreign value drops nothing")

	svc.Invalidate(ctx, t1)
	t3, err := svc.Ticket(ctx, jssdk.CorpTicket)
	require.NoError(t, err)
	assert.Equal(t, t1, t3, "WeCom still holds it valid")
	assert.Len(t, srv.RequestsTo(corpPath), 2, "but it was fetched again")

	srv.RevokeJSAPITickets()
	svc.Invalidate(ctx, t3)
	t4, err := svc.Ticket(ctx, jssdk.CorpTicket)
	require.NoError(t, err)
	assert.NotEqual(t, t3, t4)
	assert.Len(t, srv.RequestsTo(corpPath), 3)
	assert.Empty(t, srv.RequestsTo(agentPath), "the agent ticket is untouched")
}

// A failed fetch is the pipeline's *wecom.Error, wrapped with the kind; the
// hourly cap (45009) is one of them.
func TestTicketFetchErrors(t *testing.T) {
	srv, svc := newServiceNoRetry(t)
	ctx := context.Background()
	srv.FailNext(corpPath, 1, wecomtest.Fault{Code: 48002})
	_, err := svc.SignConfig(ctx, pageURL)
	require.Error(t, err)
	assert.Equal(t, wecom.CodeAPIForbidden, wecom.ErrorCode(err))
	assert.Contains(t, err.Error(), "jssdk: corp ticket")

	srv.SetJSAPITicketLimits(400, 0)
	_, err = svc.SignAgentConfig(ctx, pageURL)
	require.Error(t, err)
	assert.Equal(t, wecom.CodeFrequencyLimit, wecom.ErrorCode(err))
	assert.Contains(t, err.Error(), "jssdk: agent ticket")
}

// Tickets never reach an error string: a fetch that fails after a good
// one, and a token failure underneath.
func TestErrorsCarryNoTicket(t *testing.T) {
	srv, svc := newServiceNoRetry(t)
	ctx := context.Background()
	ticket, err := svc.Ticket(ctx, jssdk.CorpTicket)
	require.NoError(t, err)
	svc.Invalidate(ctx, ticket)
	srv.FailNext(corpPath, 1, wecomtest.Fault{Code: -1})
	_, err = svc.Ticket(ctx, jssdk.CorpTicket)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), ticket)
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), ticket)
	}
}

// fleetCache is a shared cache with a refresh lease, like contrib/redis's
// Store: what several instances of one app share.
type fleetCache struct {
	*wecom.MemoryTokenCache
	mu     sync.Mutex
	leases map[string]bool
}

func (f *fleetCache) LockToken(_ context.Context, key string, _ time.Duration) (func(), bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leases[key] {
		return nil, false, nil
	}
	f.leases[key] = true
	return func() { f.mu.Lock(); delete(f.leases, key); f.mu.Unlock() }, true, nil
}

// Four instances, 250 page loads each, all cold at once: one fetch of each
// ticket for the fleet.
func TestFleetColdLoadsFetchEachTicketOnce(t *testing.T) {
	srv := wecomtest.Start(t, wecomtest.WithLatency(20*time.Millisecond))
	cache := &fleetCache{MemoryTokenCache: wecom.NewMemoryTokenCache(), leases: map[string]bool{}}
	ctx := context.Background()
	var svcs []*jssdk.Service
	for i := 0; i < 4; i++ {
		c, err := srv.Client(wecom.WithAgentID(srv.AgentID), wecom.WithTokenCache(cache))
		require.NoError(t, err)
		svcs = append(svcs, jssdk.New(c, &jssdk.Options{Cache: cache}))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	start := make(chan struct{})
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(svc *jssdk.Service) {
			defer wg.Done()
			<-start
			if _, err := svc.SignConfig(ctx, pageURL); err != nil {
				errs <- err
				return
			}
			if _, err := svc.SignAgentConfig(ctx, pageURL); err != nil {
				errs <- err
			}
		}(svcs[i%len(svcs)])
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, srv.RequestsTo(corpPath), 1, "one corp ticket fetch for the fleet")
	assert.Len(t, srv.RequestsTo(agentPath), 1, "one agent ticket fetch for the fleet")
	assert.NotContains(t, jssdk.TicketCacheKey(jssdk.CorpTicket, srv.CorpID, srv.AgentID), "{")
	assert.NotContains(t, jssdk.TicketCacheKey(jssdk.AgentTicket, srv.CorpID, srv.AgentID), "}")
}
