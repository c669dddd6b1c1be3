package provider_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

// A SaaS app on a fake WeCom: the instruction URL receives the suite
// ticket and an install, the app stores the permanent code, and the
// tenant's ordinary client lists its customer-contact members.
func Example() {
	wc, _ := wecomtest.NewProvider()
	defer wc.Close()
	ws, _ := wc.AddSuite(wecomtest.Suite{})
	tenant, _ := wc.AddTenant("wwexampletenant00001")
	_ = tenant.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true})

	ctx := context.Background()
	suite, _ := provider.NewSuite(&provider.SuiteConfig{SuiteID: ws.ID, SuiteSecret: ws.Secret,
		Options: []wecom.Option{wecom.WithBaseURL(wc.URL)}})

	// The app's own store of permanent codes.
	var mu sync.Mutex
	codes := map[string]string{}
	store := provider.PermanentCodesFunc(func(_ context.Context, corpID string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := codes[corpID]; ok {
			return c, nil
		}
		return "", provider.ErrUnknownTenant
	})
	tenants, _ := provider.NewTenants(suite, store, nil)
	done := make(chan string, 1)
	h, _ := provider.NewInstructionHandler(suite, &provider.InstructionConfig{
		Token: ws.CallbackToken, EncodingAESKey: ws.EncodingAESKey, Tenants: tenants,
		OnAuthorized: func(_ context.Context, a *provider.Authorized) error {
			mu.Lock()
			codes[a.CorpID] = a.Authorization.PermanentCode
			mu.Unlock()
			done <- a.CorpID
			return nil
		},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(ctx)

	_ = wc.SetInstructionURL(ws.ID, srv.URL)
	_, _ = wc.PushTicket(ws.ID)
	_, _ = wc.Install(wecomtest.InstallRequest{SuiteID: ws.ID, CorpID: "wwexampletenant00001"})
	corpID := <-done
	fmt.Println("installed:", corpID)

	client, _ := tenants.Client(ctx, corpID)
	users, err := externalcontact.New(client).ListFollowUsers(ctx)
	fmt.Println(users, err)
	// Output:
	// installed: wwexampletenant00001
	// [zhangsan] <nil>
}
