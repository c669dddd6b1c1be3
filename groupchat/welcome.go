package groupchat

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
	"github.com/wecomkit/wecom/message"
)

// WelcomeTemplate is a group welcome message (入群欢迎语素材): a text and
// at most one attachment (image, link, mini program, file or video). The
// text may hold %NICKNAME%, which WeCom replaces with the customer's
// name. Media ids come from an upload; an image may give a picture URL
// instead.
type WelcomeTemplate struct {
	Text        *message.Text        `json:"text,omitempty"`
	Image       *message.Image       `json:"image,omitempty"`
	Link        *message.Link        `json:"link,omitempty"`
	MiniProgram *message.MiniProgram `json:"miniprogram,omitempty"`
	File        *message.File        `json:"file,omitempty"`
	Video       *message.Video       `json:"video,omitempty"`
}

func (t WelcomeTemplate) empty() bool {
	return t.Text == nil && t.Image == nil && t.Link == nil && t.MiniProgram == nil && t.File == nil && t.Video == nil
}

// AddWelcomeTemplateRequest is a new group welcome template.
type AddWelcomeTemplateRequest struct {
	WelcomeTemplate
	// AgentID is needed only by legacy third-party multi-app suites.
	AgentID int
	// NoNotify stops WeCom from telling members that the template can be
	// applied to their groups (WeCom notifies by default).
	NoNotify bool
}

// AddWelcomeTemplate creates a group welcome template and returns its id.
// A corp keeps at most 100 templates.
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/add
func (s *Service) AddWelcomeTemplate(ctx context.Context, in *AddWelcomeTemplateRequest, opts ...wecom.CallOption) (string, error) {
	req := wire.Deref(in)
	if req.empty() {
		return "", invalid("welcome template has neither text nor attachment")
	}
	body := struct {
		WelcomeTemplate
		AgentID int  `json:"agentid,omitempty"`
		Notify  *int `json:"notify,omitempty"`
	}{WelcomeTemplate: req.WelcomeTemplate, AgentID: req.AgentID}
	if req.NoNotify {
		body.Notify = new(int)
	}
	var resp struct {
		TemplateID string `json:"template_id"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/add",
		Body:   body,
	}, &resp, opts...)
	if err != nil {
		return "", err
	}
	return resp.TemplateID, nil
}

// EditWelcomeTemplate changes a group welcome template: the text, if t has
// one, replaces the text, and the attachment, if t has one, replaces the
// attachment. agentID is needed only by legacy third-party multi-app
// suites (pass 0).
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/edit
func (s *Service) EditWelcomeTemplate(ctx context.Context, templateID string, t WelcomeTemplate, agentID int, opts ...wecom.CallOption) error {
	if templateID == "" {
		return invalid("template id is empty")
	}
	if t.empty() {
		return invalid("welcome template edit has neither text nor attachment")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/edit",
		Body: struct {
			TemplateID string `json:"template_id"`
			WelcomeTemplate
			AgentID int `json:"agentid,omitempty"`
		}{templateID, t, agentID},
		Idempotent: true, // set semantics: repeating it changes nothing
	}, nil, opts...)
}

// GetWelcomeTemplate returns a group welcome template.
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/get
func (s *Service) GetWelcomeTemplate(ctx context.Context, templateID string, opts ...wecom.CallOption) (*WelcomeTemplate, error) {
	if templateID == "" {
		return nil, invalid("template id is empty")
	}
	var t WelcomeTemplate
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/get",
		Body: struct {
			TemplateID string `json:"template_id"`
		}{templateID},
		Idempotent: true,
	}, &t, opts...)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// DeleteWelcomeTemplate deletes a group welcome template. agentID is
// needed only by legacy third-party multi-app suites (pass 0).
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/del
func (s *Service) DeleteWelcomeTemplate(ctx context.Context, templateID string, agentID int, opts ...wecom.CallOption) error {
	if templateID == "" {
		return invalid("template id is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/del",
		Body: struct {
			TemplateID string `json:"template_id"`
			AgentID    int    `json:"agentid,omitempty"`
		}{templateID, agentID},
	}, nil, opts...)
}
