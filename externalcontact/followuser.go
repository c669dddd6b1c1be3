package externalcontact

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
)

// ListFollowUsers returns the userids of the members who have the
// customer-contact feature (配置了客户联系功能的成员): the staff who can have
// customers. Pass them to AllCustomersOf or ExportCustomers.
//
// WeCom: GET /cgi-bin/externalcontact/get_follow_user_list
func (s *Service) ListFollowUsers(ctx context.Context, opts ...wecom.CallOption) ([]string, error) {
	resp, err := wecom.Call[struct {
		FollowUser []string `json:"follow_user"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodGet, Path: "/cgi-bin/externalcontact/get_follow_user_list", Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.FollowUser, nil
}
