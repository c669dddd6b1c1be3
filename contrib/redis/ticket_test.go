package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestTicketStoreKeepsNewestPerSuiteAcrossInstances(t *testing.T) {
	r := startRedis(t)
	rdb := r.Client(t)
	prefix := testPrefix(t)
	ctx := context.Background()
	a, err := NewTicketStore(rdb, WithPrefix(prefix))
	require.NoError(t, err)
	now := time.Now().Unix()
	require.NoError(t, a.SetTicket(ctx, &provider.Ticket{SuiteID: "s1", Value: "new", TimeStamp: now}))
	require.NoError(t, a.SetTicket(ctx, &provider.Ticket{SuiteID: "s1", Value: "old", TimeStamp: now - 600}))
	require.NoError(t, a.SetTicket(ctx, &provider.Ticket{SuiteID: "s2", Value: "other", TimeStamp: now - 60}))

	// Another instance, or this one after a restart: a new store on the
	// same Redis.
	b, err := NewTicketStore(r.Client(t), WithPrefix(prefix))
	require.NoError(t, err)
	got, ok, err := b.Ticket(ctx, "s1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, provider.Ticket{SuiteID: "s1", Value: "new", TimeStamp: now}, got)
	got, ok, err = b.Ticket(ctx, "s2")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "other", got.Value)
	_, ok, err = b.Ticket(ctx, "s3")
	require.NoError(t, err)
	assert.False(t, ok)

	// The key expires with the ticket: 30 minutes after its push.
	require.NoError(t, a.SetTicket(ctx, &provider.Ticket{SuiteID: "s4", Value: "t4", TimeStamp: now - int64(provider.TicketLife/time.Second) + 100}))
	pttl, err := rdb.PTTL(ctx, prefix+"{suite:s4}:ticket").Result()
	require.NoError(t, err)
	assert.InDelta(t, (100 * time.Second).Seconds(), pttl.Seconds(), 5)
	require.NoError(t, a.SetTicket(ctx, &provider.Ticket{SuiteID: "s5", Value: "stale", TimeStamp: now - int64(provider.TicketLife/time.Second) - 1}))
	_, ok, err = b.Ticket(ctx, "s5")
	require.NoError(t, err)
	assert.False(t, ok, "a ticket past its life is not stored")

	// A store read in the life's last moments: Ticket checks the age too.
	b.now = func() time.Time { return time.Now().Add(provider.TicketLife) }
	_, ok, err = b.Ticket(ctx, "s1")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestTicketStoreBoundsEachOp(t *testing.T) {
	// A Redis that accepts and never answers: each op ends at the op
	// timeout, whatever the client's own timeouts.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	rdb := goredis.NewClient(&goredis.Options{Addr: l.Addr().String(), ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		MaxRetries: -1, ContextTimeoutEnabled: true, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	s, err := NewTicketStore(rdb, WithPrefix(testPrefix(t)), WithOpTimeout(100*time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	err = s.SetTicket(ctx, &provider.Ticket{SuiteID: "s1", Value: "secret-ticket", TimeStamp: time.Now().Unix()})
	require.Error(t, err)
	assert.True(t, isTimeout(err), "%v", err)
	assert.NotContains(t, err.Error(), "secret-ticket")
	_, _, err = s.Ticket(ctx, "s1")
	assert.True(t, isTimeout(err), "%v", err)
	_, err = NewTicketStore(nil)
	assert.Error(t, err)
}

// isTimeout reports a deadline: the context's, or the connection deadline
// go-redis sets from it.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// TestProviderFleetOnRedis: 4 instances of a service provider (a Suite and
// a Tenants pool each) sharing one Redis for tokens, leases and the suite
// ticket serve 1,000 tenants at once: one suite-token fetch in the fleet,
// one corp-token fetch per tenant, no call with the wrong token kind.
func TestProviderFleetOnRedis(t *testing.T) {
	const nTenants, nInstances = 1000, 4
	if testing.Short() {
		t.Skip("1,000 tenants")
	}
	r := startRedis(t)
	prefix := testPrefix(t)
	wc := wecomtest.StartProvider(t, wecomtest.WithoutRecording())
	ws, err := wc.AddSuite(wecomtest.Suite{})
	require.NoError(t, err)
	ids := make([]string, nTenants)
	for i := range ids {
		ids[i] = fmt.Sprintf("wwfleet%013d", i)
		_, err := wc.AddTenant(ids[i])
		require.NoError(t, err)
	}
	tk, err := wc.PushTicket(ws.ID)
	require.NoError(t, err)
	ctx := context.Background()

	var codesMu sync.Mutex
	codes := map[string]string{}
	codeOf := provider.PermanentCodesFunc(func(_ context.Context, corpID string) (string, error) {
		codesMu.Lock()
		defer codesMu.Unlock()
		if c, ok := codes[corpID]; ok {
			return c, nil
		}
		return "", provider.ErrUnknownTenant
	})
	type instance struct {
		suite   *provider.Suite
		tenants *provider.Tenants
	}
	fleet := make([]instance, nInstances)
	for i := range fleet {
		rdb := r.Client(t)
		store, err := NewStore(rdb, WithPrefix(prefix))
		require.NoError(t, err)
		tickets, err := NewTicketStore(rdb, WithPrefix(prefix))
		require.NoError(t, err)
		if i == 0 { // the instance that received the push
			require.NoError(t, tickets.SetTicket(ctx, &provider.Ticket{SuiteID: ws.ID, Value: tk, TimeStamp: time.Now().Unix()}))
		}
		s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: ws.ID, SuiteSecret: ws.Secret, Tickets: tickets, TokenCache: store,
			Options: []wecom.Option{wecom.WithBaseURL(wc.URL)}})
		require.NoError(t, err)
		tn, err := provider.NewTenants(s, codeOf, &provider.TenantsOptions{MaxTenants: nTenants})
		require.NoError(t, err)
		fleet[i] = instance{s, tn}
	}
	for i, id := range ids {
		code, err := wc.Install(wecomtest.InstallRequest{SuiteID: ws.ID, CorpID: id})
		require.NoError(t, err)
		a, err := fleet[i%nInstances].suite.PermanentCode(ctx, code)
		require.NoError(t, err)
		codesMu.Lock()
		codes[id] = a.PermanentCode
		codesMu.Unlock()
	}

	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	errs := make(chan error, nTenants*nInstances)
	for _, in := range fleet {
		for _, id := range ids {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c, err := in.tenants.Client(ctx, id)
				if err == nil {
					_, err = externalcontact.New(c).ListFollowUsers(ctx)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, wc.SuiteTokensIssued(ws.ID), "one suite token in the fleet")
	for _, id := range ids {
		if !assert.Equal(t, 1, wc.CorpTokensIssued(ws.ID, id), "one corp token per tenant: %s", id) {
			break
		}
	}
	assert.Zero(t, wc.WrongTokenCalls(), "no call with the wrong token kind")
}

// TestBusyTenantCannotStarveOthers: the fleet's Redis Limiter keys its
// budgets by corp ({corpid}:rate:api), so one tenant that used up its
// budget waits while another tenant's calls go through.
func TestBusyTenantCannotStarveOthers(t *testing.T) {
	r := startRedis(t)
	wc := wecomtest.StartProvider(t)
	ws, err := wc.AddSuite(wecomtest.Suite{})
	require.NoError(t, err)
	busy, calm := "wwbusytenant00000001", "wwcalmtenant00000002"
	for _, id := range []string{busy, calm} {
		_, err := wc.AddTenant(id)
		require.NoError(t, err)
	}
	tk, err := wc.PushTicket(ws.ID)
	require.NoError(t, err)
	ctx := context.Background()
	tickets := provider.NewMemoryTicketStore()
	require.NoError(t, tickets.SetTicket(ctx, &provider.Ticket{SuiteID: ws.ID, Value: tk, TimeStamp: time.Now().Unix()}))
	s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: ws.ID, SuiteSecret: ws.Secret, Tickets: tickets,
		Options: []wecom.Option{wecom.WithBaseURL(wc.URL)}})
	require.NoError(t, err)
	codes := map[string]string{}
	for _, id := range []string{busy, calm} {
		code, err := wc.Install(wecomtest.InstallRequest{SuiteID: ws.ID, CorpID: id})
		require.NoError(t, err)
		a, err := s.PermanentCode(ctx, code)
		require.NoError(t, err)
		codes[id] = a.PermanentCode
	}
	lim, err := NewLimiter(r.Client(t), wecom.Rate{Calls: 1, Per: time.Hour}, nil, WithPrefix(testPrefix(t)))
	require.NoError(t, err)
	pool, err := provider.NewTenants(s, provider.PermanentCodesFunc(func(_ context.Context, id string) (string, error) { return codes[id], nil }),
		&provider.TenantsOptions{Limiter: lim})
	require.NoError(t, err)
	list := func(ctx context.Context, corp string) error {
		c, err := pool.Client(ctx, corp)
		require.NoError(t, err)
		_, err = externalcontact.New(c).ListFollowUsers(ctx)
		return err
	}
	require.NoError(t, list(ctx, busy))
	// The busy tenant's next call waits for an hour's budget...
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = list(short, busy)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limit")
	// ...while the calm one goes through at once.
	require.NoError(t, list(ctx, calm))
	assert.Len(t, wc.Tenant(busy).RequestsTo("/cgi-bin/externalcontact/get_follow_user_list"), 1)
	assert.Len(t, wc.Tenant(calm).RequestsTo("/cgi-bin/externalcontact/get_follow_user_list"), 1)
}
