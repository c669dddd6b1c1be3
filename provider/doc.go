// Package provider serves a service provider (服务商) whose third-party
// app (第三方应用) or customized app (代开发应用) is installed by many corps:
// the credential chain (suite ticket → suite_access_token → each
// authorized corp's access token, and the provider_access_token), the
// install flow, a bounded pool of tenant clients, the instruction
// callbacks (指令回调) and the 2022 ID-upgrade conversions.
//
// Each credential has its own type, so a token of one kind can never be
// sent to an endpoint that expects another: a *Suite calls only the
// endpoints that take suite_access_token, a *Provider only those that take
// provider_access_token, and an authorized corp is an ordinary
// *wecom.Client (from Tenants) on which externalcontact, groupchat and
// moments work unchanged.
//
//	suite, _ := provider.NewSuite(&provider.SuiteConfig{SuiteID: id, SuiteSecret: secret})
//	tenants := provider.NewTenants(suite, myCodes, nil) // myCodes: your PermanentCodes
//	client, _ := tenants.Client(ctx, corpID)
//	for c, err := range externalcontact.New(client).AllCustomersOf(ctx, ...) { ... }
//
// Permanent codes are the app's data: the SDK hands them over once
// (Authorized) and asks for them through PermanentCodes when it needs a
// corp token; it never stores them.
package provider
