// Package wecom is a client for the WeCom (企业微信, WeChat Work) server API,
// focused on the external-contact (客户联系) endpoints that retail CRM and SCRM
// systems build on.
//
// The root package holds what every API area shares: the [Client], access-token
// management, the request pipeline, typed errors, retries and rate limiting.
// The endpoints live in area packages, each created from a *Client:
//
//   - externalcontact: members who serve customers, customers and their
//     follow relations, tags, contact ways, strategies, transfers, mass and
//     welcome messages, statistics, intercept rules, product albums and
//     customer-acquisition links.
//   - groupchat: customer groups, join ways, group transfers, statistics and
//     group welcome templates.
//   - moments: customer Moments, moment strategies and attachment uploads.
//   - callback: the http.Handler for WeCom's encrypted event callbacks.
//   - wecomtest: an in-memory WeCom for tests and demos.
//
// # Getting started
//
//	client, err := wecom.New(corpID, secret) // the customer-contact secret
//	if err != nil { ... }
//	svc := externalcontact.New(client)
//	staff, err := svc.ListFollowUsers(ctx)
//	for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) { ... }
//
// A Client is safe for concurrent use and meant to be shared: it caches the
// access token, refreshes it a few minutes before it expires with one
// gettoken however many goroutines ask, and when WeCom rejects a token
// (40014, 42001, 42009) it drops that token and repeats the call once.
//
// # Errors and retries
//
// Every failure is an [*Error]: WeCom's errcode ([Code]) and message, the
// hint WeCom appends, the endpoint path (never the token) and the HTTP
// status; use [errors.As] or predicates such as [IsRateLimited].
//
// Busy answers (-1), frequency limits (45009, 45033), HTTP 429/502/503/504
// and network errors are retried with exponential backoff and full jitter
// ([RetryPolicy]), bounded by the context. Each endpoint declares whether it
// is safe to repeat: a call that changes data (a mass message, a transfer)
// is repeated only where WeCom certainly did not apply it, and otherwise
// fails with an error for which [IsMaybeApplied] reports true (and
// [IsAppliedUnreadable] too when WeCom answered errcode 0 but the answer
// could not be decoded).
//
// # Reaching other endpoints
//
// [Client.Do] sends any request through the same pipeline, for endpoints
// the area packages do not wrap yet.
//
// # Logging
//
// Pass a *slog.Logger with [WithLogger]: each attempt is logged at Debug
// (method, path, errcode, attempt, duration), retries that give up at Warn.
// The corp secret, access tokens and query strings never appear in logs or
// error strings.
package wecom
