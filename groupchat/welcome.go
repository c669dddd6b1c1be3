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

// AddWelcomeTemplate creates a group welcome template (WeCom: 添加入群欢迎语
// 素材) and returns its id. A corp keeps at most 100 templates.
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/add
func (s *Service) AddWelcomeTemplate(ctx context.Context, req *AddWelcomeTemplateRequest, opts ...wecom.CallOption) (string, error) {
	r := wire.Deref(req)
	if r.empty() {
		return "", wecom.InvalidArgument("groupchat: add welcome template: neither text nor attachment")
	}
	body := struct {
		WelcomeTemplate
		AgentID int  `json:"agentid,omitempty"`
		Notify  *int `json:"notify,omitempty"`
	}{WelcomeTemplate: r.WelcomeTemplate, AgentID: r.AgentID}
	if r.NoNotify {
		body.Notify = new(int)
	}
	resp, err := wecom.Call[struct {
		TemplateID string `json:"template_id"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/add",
		Body:   body,
	}, opts...)
	if err != nil {
		return "", err
	}
	return resp.TemplateID, nil
}

// EditWelcomeTemplateRequest changes a group welcome template: the text,
// if WelcomeTemplate has one, replaces the text, and the attachment, if it
// has one, replaces the attachment.
type EditWelcomeTemplateRequest struct {
	// TemplateID is the template, required.
	TemplateID string
	WelcomeTemplate
	// AgentID is needed only by legacy third-party multi-app suites.
	AgentID int
}

// EditWelcomeTemplate changes a group welcome template (WeCom: 编辑入群欢迎语
// 素材).
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/edit
func (s *Service) EditWelcomeTemplate(ctx context.Context, req *EditWelcomeTemplateRequest, opts ...wecom.CallOption) error {
	r := wire.Deref(req)
	switch {
	case r.TemplateID == "":
		return wecom.InvalidArgument("groupchat: edit welcome template: template id is empty")
	case r.empty():
		return wecom.InvalidArgument("groupchat: edit welcome template: neither text nor attachment")
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/edit",
		Body: struct {
			TemplateID string `json:"template_id"`
			WelcomeTemplate
			AgentID int `json:"agentid,omitempty"`
		}{r.TemplateID, r.WelcomeTemplate, r.AgentID},
		Idempotent: true, // set semantics: repeating it changes nothing
	}, opts...)
	return err
}

// GetWelcomeTemplate returns a group welcome template.
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/get
func (s *Service) GetWelcomeTemplate(ctx context.Context, templateID string, opts ...wecom.CallOption) (*WelcomeTemplate, error) {
	if templateID == "" {
		return nil, wecom.InvalidArgument("groupchat: get welcome template: template id is empty")
	}
	return wecom.Call[WelcomeTemplate](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/get",
		Body: struct {
			TemplateID string `json:"template_id"`
		}{templateID},
		Idempotent: true,
	}, opts...)
}

// DeleteWelcomeTemplateRequest names the template DeleteWelcomeTemplate
// deletes.
type DeleteWelcomeTemplateRequest struct {
	// TemplateID is the template, required.
	TemplateID string `json:"template_id"`
	// AgentID is needed only by legacy third-party multi-app suites.
	AgentID int `json:"agentid,omitempty"`
}

// DeleteWelcomeTemplate deletes a group welcome template.
//
// WeCom: POST /cgi-bin/externalcontact/group_welcome_template/del
func (s *Service) DeleteWelcomeTemplate(ctx context.Context, req *DeleteWelcomeTemplateRequest, opts ...wecom.CallOption) error {
	r := wire.Deref(req)
	if r.TemplateID == "" {
		return wecom.InvalidArgument("groupchat: delete welcome template: template id is empty")
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/group_welcome_template/del",
		Body:   r,
	}, opts...)
	return err
}
