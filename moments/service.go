// Package moments calls WeCom's customer Moments (客户朋友圈) endpoints:
// publishing moments (an asynchronous task), reading moments, their
// publish tasks, audiences and comments, moment strategies, and uploading
// the attachments moments and product albums use.
//
// Create a Service from a *wecom.Client:
//
//	svc := moments.New(client)
package moments

import "github.com/wecomkit/wecom"

// Service calls the customer Moments endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }
