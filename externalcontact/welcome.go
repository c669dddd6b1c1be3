package externalcontact

import (
	"context"
	"errors"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
)

// WelcomeMsgRequest is a welcome message for a customer who just added a
// member. Text, attachments (at most 9) or both must be set.
type WelcomeMsgRequest struct {
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
func (s *Service) SendWelcomeMsg(ctx context.Context, req *WelcomeMsgRequest, opts ...wecom.CallOption) error {
	if req == nil {
		return errors.New("externalcontact: nil WelcomeMsgRequest")
	}
	if req.WelcomeCode == "" {
		return errors.New("externalcontact: welcome_code is empty")
	}
	if err := checkMsgContent(req.Text, req.Attachments); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/send_welcome_msg",
		Body:   req,
	}, nil, opts...)
}
