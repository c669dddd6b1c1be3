// Package wecom is a client for the WeCom (企业微信, WeChat Work) server API,
// focused on the external-contact (客户联系) endpoints that retail CRM and SCRM
// systems build on.
//
// The root package holds what every API area shares: the [Client], access-token
// management, the request pipeline, typed errors, retries and rate limiting.
// The endpoints live in area packages (externalcontact, groupchat, moments),
// each created from a *Client.
package wecom
