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
//	for rel, err := range svc.AllCustomersOf(ctx, userIDs) { ... }
package externalcontact

import "github.com/wecomkit/wecom"

// Service calls the customer-contact endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }
