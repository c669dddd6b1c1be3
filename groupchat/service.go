// Package groupchat calls WeCom's customer-group (客户群) endpoints: listing
// groups and reading their members, join ways (「加入群聊」), transfers of
// groups to new owners, group statistics and group welcome templates.
//
// Create a Service from a *wecom.Client:
//
//	svc := groupchat.New(client)
//
// Every argument error wraps wecom.ErrInvalidArgument; a nil request means
// the zero request.
package groupchat

import "github.com/wecomkit/wecom"

// Service calls the customer-group endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }
