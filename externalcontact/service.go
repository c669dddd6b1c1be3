// Package externalcontact calls WeCom's customer-contact (客户联系) endpoints:
// the members who serve customers, the customers and their follow
// relations, tags, contact ways (「联系我」), customer strategies, transfers
// of customers between members (在职继承 and 离职继承), mass messages,
// welcome messages, statistics, intercept rules, product albums and
// customer-acquisition links.
//
// Create a Service from a *wecom.Client:
//
//	svc := externalcontact.New(client)
//	for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: userIDs}) { ... }
package externalcontact

import (
	"encoding/json"

	"github.com/wecomkit/wecom"
)

// Service calls the customer-contact endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// deref returns a copy of *req, or the zero request when req is nil: a
// nil request means the zero request everywhere in this package, and a
// method never writes to the caller's request.
func deref[R any](req *R) R {
	if req == nil {
		var zero R
		return zero
	}
	return *req
}

// withRaw appends wecom.RawResponse(dst) to opts without writing into the
// caller's backing array.
func withRaw(opts []wecom.CallOption, dst *json.RawMessage) []wecom.CallOption {
	return append(opts[:len(opts):len(opts)], wecom.RawResponse(dst))
}

// checkLimit reports a page size outside 0..max (0: WeCom's default).
func checkLimit(op string, limit, max int) error {
	if limit < 0 || limit > max {
		return wecom.InvalidArgument("externalcontact: %s: limit %d is not in 0..%d", op, limit, max)
	}
	return nil
}
