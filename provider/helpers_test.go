package provider_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

// codeStore is the app's own store of permanent codes.
type codeStore struct {
	mu    sync.Mutex
	codes map[string]string
	asks  map[string]int
}

func newCodeStore() *codeStore { return &codeStore{codes: map[string]string{}, asks: map[string]int{}} }

func (s *codeStore) PermanentCode(_ context.Context, corpID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asks[corpID]++
	c, ok := s.codes[corpID]
	if !ok {
		return "", fmt.Errorf("code store: %s: %w", corpID, provider.ErrUnknownTenant)
	}
	return c, nil
}

func (s *codeStore) put(corpID, code string) {
	s.mu.Lock()
	s.codes[corpID] = code
	s.mu.Unlock()
}

func (s *codeStore) drop(corpID string) {
	s.mu.Lock()
	delete(s.codes, corpID)
	s.mu.Unlock()
}

func (s *codeStore) get(corpID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codes[corpID]
}

// world is a fake WeCom with one suite and some tenants, and an app:
// a Suite, its Tenants and its instruction handler on a loopback URL.
type world struct {
	t       *testing.T
	wc      *wecomtest.Provider
	ws      wecomtest.Suite
	suite   *provider.Suite
	tenants *provider.Tenants
	codes   *codeStore
	handler *provider.InstructionHandler
	url     string
	tickets *watchedTickets

	mu        sync.Mutex
	events    []string // what the app's callbacks saw
	authed    chan *provider.Authorized
	cancelled chan string
}

type worldOptions struct {
	tenants    []string
	demo       wecomtest.Demo
	customized bool
	config     func(*provider.InstructionConfig)
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	wc := wecomtest.StartProvider(t, wecomtest.WithClock(wecomtest.NewManualClock(time.Now())))
	ws, err := wc.AddSuite(wecomtest.Suite{Customized: o.customized})
	require.NoError(t, err)
	for _, id := range o.tenants {
		opts := []wecomtest.Option{}
		if o.demo.Users > 0 {
			opts = append(opts, wecomtest.WithDemo(o.demo))
		}
		_, err := wc.AddTenant(id, opts...)
		require.NoError(t, err)
	}
	w := &world{t: t, wc: wc, ws: ws, codes: newCodeStore(),
		authed: make(chan *provider.Authorized, 16), cancelled: make(chan string, 16)}
	w.tickets = &watchedTickets{TicketStore: provider.NewMemoryTicketStore()}
	w.suite, err = provider.NewSuite(&provider.SuiteConfig{SuiteID: ws.ID, SuiteSecret: ws.Secret, Tickets: w.tickets,
		Options: []wecom.Option{wecom.WithBaseURL(wc.URL)}})
	require.NoError(t, err)
	if o.customized {
		w.tenants, err = provider.NewCustomizedTenants(w.codes, nil, wecom.WithBaseURL(wc.URL))
	} else {
		w.tenants, err = provider.NewTenants(w.suite, w.codes, nil)
	}
	require.NoError(t, err)
	cfg := &provider.InstructionConfig{
		Token: ws.CallbackToken, EncodingAESKey: ws.EncodingAESKey, Tenants: w.tenants, Clock: wc.Clock().Now,
		OnAuthorized: func(_ context.Context, a *provider.Authorized) error {
			w.codes.put(a.CorpID, a.Authorization.PermanentCode)
			w.authed <- a
			return nil
		},
		OnCancelAuth: func(_ context.Context, c *provider.AuthCancel) error {
			w.codes.drop(c.AuthCorpID)
			w.cancelled <- c.AuthCorpID
			return nil
		},
	}
	if o.config != nil {
		o.config(cfg)
	}
	w.handler, err = provider.NewInstructionHandler(w.suite, cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(w.handler)
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = w.handler.Shutdown(ctx)
	})
	w.url = hs.URL
	require.NoError(t, wc.SetInstructionURL(ws.ID, hs.URL))
	return w
}

// pushTicket pushes a ticket and waits until the app stored it.
func (w *world) pushTicket() string {
	w.t.Helper()
	tk, err := w.wc.PushTicket(w.ws.ID)
	require.NoError(w.t, err)
	w.wait()
	return tk
}

// wait waits until every instruction was delivered and the newest
// pushed ticket is stored (the handler's workers store it after the
// answer).
func (w *world) wait() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(w.t, w.wc.WaitForInstructions(ctx))
	for want := w.wc.Ticket(w.ws.ID); want != "" && w.tickets.last() != want; {
		select {
		case <-ctx.Done():
			w.t.Fatal("the pushed ticket was not stored")
		case <-time.After(time.Millisecond):
		}
	}
}

// watchedTickets is a TicketStore that remembers the last ticket set.
type watchedTickets struct {
	provider.TicketStore
	mu  sync.Mutex
	val string
}

func (s *watchedTickets) SetTicket(ctx context.Context, t *provider.Ticket) error {
	err := s.TicketStore.SetTicket(ctx, t)
	s.mu.Lock()
	s.val = t.Value
	s.mu.Unlock()
	return err
}

func (s *watchedTickets) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.val
}

// install installs the suite in corpID and waits until the app has the
// permanent code.
func (w *world) install(corpID string) *provider.Authorized {
	w.t.Helper()
	_, err := w.wc.Install(wecomtest.InstallRequest{SuiteID: w.ws.ID, CorpID: corpID, State: "s" + corpID[len(corpID)-2:]})
	require.NoError(w.t, err)
	select {
	case a := <-w.authed:
		require.Equal(w.t, corpID, a.CorpID)
		return a
	case <-time.After(10 * time.Second):
		w.t.Fatalf("no authorization of %s", corpID)
		return nil
	}
}

func (w *world) client(corpID string) *wecom.Client {
	w.t.Helper()
	c, err := w.tenants.Client(context.Background(), corpID)
	require.NoError(w.t, err)
	return c
}

func nowUnix() int64 { return time.Now().Unix() }
