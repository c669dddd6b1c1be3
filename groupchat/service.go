// Package groupchat calls WeCom's customer-group (客户群) endpoints: listing
// groups and reading their members, join ways (「加入群聊」), transfers of
// groups to new owners, group statistics and group welcome templates.
//
// Create a Service from a *wecom.Client:
//
//	svc := groupchat.New(client)
package groupchat

import (
	"errors"
	"fmt"

	"github.com/wecomkit/wecom"
)

// Service calls the customer-group endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// ErrInvalidArgument is wrapped by the errors a method returns, before
// calling WeCom, for input WeCom would refuse (an empty id, a list over
// its limit, a page size out of range).
var ErrInvalidArgument = errors.New("groupchat: invalid argument")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}
