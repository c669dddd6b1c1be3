// Package externalcontact calls WeCom's customer-contact (客户联系) endpoints:
// the members who serve customers, the customers and their follow
// relations, tags, contact ways (「联系我」), customer strategies, transfers
// of customers between members (在职继承 and 离职继承), mass messages,
// welcome messages, statistics, intercept rules, product albums,
// customer-acquisition links, the list of every external contact served
// (contact_list) and the id conversions (idconvert/*, corpgroup/*).
//
// Since 2023-12-01 a corp that starts using customer contact must call
// these endpoints with the secret of a self-built app placed under
// 「客户联系 可调用接口的应用」; the system customer-contact secret works
// only for corps that used it before.
//
// Changes made through these endpoints never produce a callback: WeCom
// sends change_external_contact and change_external_tag only for what a
// person does in the client or the admin console (and for the
// consequences of a transfer when it settles).
//
// Deprecated endpoints are deliberately not wrapped:
// /cgi-bin/externalcontact/transfer (the old resigned-member assignment;
// use TransferResignedCustomers, resigned/transfer_customer),
// /cgi-bin/externalcontact/get_group_msg_result and
// /cgi-bin/externalcontact/get_groupmsg_list (v1; use the
// get_groupmsg_list_v2, get_groupmsg_task and get_groupmsg_send_result
// wrappers). finish_external_userid_migration takes a provider token and
// lives in package provider.
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
