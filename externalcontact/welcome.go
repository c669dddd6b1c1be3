package externalcontact

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
)

// SendWelcomeMsgRequest is a welcome message for a customer who just added a
// member. Text, attachments (at most 9) or both must be set.
type SendWelcomeMsgRequest struct {
	// WelcomeCode comes from the add_external_contact (or
	// add_half_external_contact) callback and is valid for 20 seconds,
	// once.
	WelcomeCode string               `json:"welcome_code"`
	Text        *message.Text        `json:"text,omitempty"`
	Attachments []message.Attachment `json:"attachments,omitempty"`
}

// SendWelcomeMsg sends a welcome message with the code of an
// add_external_contact callback. Call it from the callback handler: the
// code expires 20 seconds after the event. It is a send and is not
// repeated on an ambiguous failure.
//
// WeCom: POST /cgi-bin/externalcontact/send_welcome_msg
func (s *Service) SendWelcomeMsg(ctx context.Context, req *SendWelcomeMsgRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.WelcomeCode == "" {
		return wecom.InvalidArgument("externalcontact: send welcome msg: welcome_code is required")
	}
	if err := checkMsgContent("send welcome msg", r.Text, r.Attachments); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/send_welcome_msg", Body: &r}, nil, opts...)
}
