package provider_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

// sharedCache is an in-memory stand-in for the fleet's Redis: a
// TokenCache and a TokenLocker shared by every instance.
type sharedCache struct {
	*wecom.MemoryTokenCache
	mu     sync.Mutex
	leases map[string]bool
}

func newSharedCache() *sharedCache {
	return &sharedCache{MemoryTokenCache: wecom.NewMemoryTokenCache(), leases: map[string]bool{}}
}

func (c *sharedCache) LockToken(_ context.Context, key string, _ time.Duration) (func(), bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.leases[key] {
		return nil, false, nil
	}
	c.leases[key] = true
	return func() { c.mu.Lock(); delete(c.leases, key); c.mu.Unlock() }, true, nil
}

// TestFleetOfFourServesAThousandTenants runs 4 instances (a Suite and a
// Tenants pool each) sharing one token cache and ticket store, all
// calling for 1,000 tenants at once: one suite-token fetch in the fleet,
// one corp-token fetch per tenant, no call with the wrong token kind.
func TestFleetOfFourServesAThousandTenants(t *testing.T) {
	const nTenants, nInstances = 1000, 4
	if testing.Short() {
		t.Skip("1,000 tenants")
	}
	wc := wecomtest.StartProvider(t, wecomtest.WithoutRecording())
	ws, err := wc.AddSuite(wecomtest.Suite{})
	require.NoError(t, err)
	ids := make([]string, nTenants)
	for i := range ids {
		ids[i] = fmt.Sprintf("wwfleet%013d", i)
		_, err := wc.AddTenant(ids[i])
		require.NoError(t, err)
	}
	tk, err := wc.PushTicket(ws.ID) // no instruction URL: we store it ourselves
	require.NoError(t, err)

	ctx := context.Background()
	cache := newSharedCache()
	tickets := provider.NewMemoryTicketStore()
	require.NoError(t, tickets.SetTicket(ctx, &provider.Ticket{SuiteID: ws.ID, Value: tk, TimeStamp: wc.Clock().Now().Unix()}))
	codes := newCodeStore()

	type instance struct {
		suite   *provider.Suite
		tenants *provider.Tenants
	}
	fleet := make([]instance, nInstances)
	for i := range fleet {
		s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: ws.ID, SuiteSecret: ws.Secret, Tickets: tickets, TokenCache: cache,
			Options: []wecom.Option{wecom.WithBaseURL(wc.URL)}})
		require.NoError(t, err)
		tn, err := provider.NewTenants(s, codes, &provider.TenantsOptions{MaxTenants: nTenants})
		require.NoError(t, err)
		fleet[i] = instance{s, tn}
	}
	// Installs, exchanged by whichever instance.
	for i, id := range ids {
		code, err := wc.Install(wecomtest.InstallRequest{SuiteID: ws.ID, CorpID: id})
		require.NoError(t, err)
		a, err := fleet[i%nInstances].suite.PermanentCode(ctx, code)
		require.NoError(t, err)
		codes.put(id, a.PermanentCode)
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
	for _, in := range fleet {
		assert.Equal(t, nTenants, in.tenants.Len())
	}
}
