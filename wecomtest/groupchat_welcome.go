package wecomtest

import (
	"net/http"
)

func registerGroupWelcome(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/group_welcome_template/add", s.addGroupWelcome)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/group_welcome_template/edit", s.editGroupWelcome)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/group_welcome_template/get", s.getGroupWelcome)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/group_welcome_template/del", s.delGroupWelcome)
}

// maxGroupWelcomeTemplates is how many group welcome templates a corp may
// keep.
const maxGroupWelcomeTemplates = 100

type wtText struct {
	Content string `json:"content"`
}

type wtImage struct {
	MediaID string `json:"media_id,omitempty"`
	PicURL  string `json:"pic_url,omitempty"`
}

type wtLink struct {
	Title  string `json:"title"`
	PicURL string `json:"picurl,omitempty"`
	Desc   string `json:"desc,omitempty"`
	URL    string `json:"url"`
}

type wtMiniProgram struct {
	Title      string `json:"title"`
	PicMediaID string `json:"pic_media_id"`
	AppID      string `json:"appid"`
	Page       string `json:"page"`
}

type wtMedia struct {
	MediaID string `json:"media_id"`
}

// groupWelcomeTemplate is a group welcome template (入群欢迎语素材): a text and at
// most one attachment.
type groupWelcomeTemplate struct {
	Text        *wtText        `json:"text,omitempty"`
	Image       *wtImage       `json:"image,omitempty"`
	Link        *wtLink        `json:"link,omitempty"`
	MiniProgram *wtMiniProgram `json:"miniprogram,omitempty"`
	File        *wtMedia       `json:"file,omitempty"`
	Video       *wtMedia       `json:"video,omitempty"`
}

type groupWelcomeRequest struct {
	groupWelcomeTemplate
	TemplateID string `json:"template_id"`
	AgentID    int    `json:"agentid"`
	Notify     *int   `json:"notify"`
}

func (t *groupWelcomeTemplate) attachments() int {
	n := 0
	for _, set := range []bool{t.Image != nil, t.Link != nil, t.MiniProgram != nil, t.File != nil, t.Video != nil} {
		if set {
			n++
		}
	}
	return n
}

// checkGroupWelcome validates a template as WeCom does: text or an attachment, at
// most one attachment, required fields set, media ids uploaded.
func (s *Server) checkGroupWelcome(t *groupWelcomeTemplate) error {
	if t.Text == nil && t.attachments() == 0 {
		return errorf(codeInvalidParameter, "invalid parameter: text and attachment are both empty")
	}
	if t.attachments() > 1 {
		return errorf(codeInvalidParameter, "invalid parameter: at most one of image, link, miniprogram, file, video")
	}
	if t.Text != nil && len(t.Text.Content) > 4000 {
		return errorf(codeInvalidParameter, "invalid text: content longer than 4000 bytes")
	}
	media := func(id, field string) error {
		if err := requireField(field, id); err != nil {
			return err
		}
		if !s.mediaValid(id) { // a media/upload id lasts 3 days
			return errorf(codeInvalidMediaID, "invalid media_id %s", id)
		}
		return nil
	}
	switch {
	case t.Image != nil:
		if t.Image.MediaID == "" && t.Image.PicURL == "" {
			return errorf(codeInvalidParameter, "invalid image: media_id or pic_url required")
		}
		if t.Image.MediaID != "" {
			return media(t.Image.MediaID, "image.media_id")
		}
	case t.Link != nil:
		if err := requireField("link.title", t.Link.Title); err != nil {
			return err
		}
		return requireField("link.url", t.Link.URL)
	case t.MiniProgram != nil:
		for name, v := range map[string]string{"miniprogram.title": t.MiniProgram.Title, "miniprogram.appid": t.MiniProgram.AppID, "miniprogram.page": t.MiniProgram.Page} {
			if err := requireField(name, v); err != nil {
				return err
			}
		}
		return media(t.MiniProgram.PicMediaID, "miniprogram.pic_media_id")
	case t.File != nil:
		return media(t.File.MediaID, "file.media_id")
	case t.Video != nil:
		return media(t.Video.MediaID, "video.media_id")
	}
	return nil
}

func checkGroupWelcomeNotify(n *int) error {
	if n != nil && *n != 0 && *n != 1 {
		return errorf(codeInvalidParameter, "invalid notify %d", *n)
	}
	return nil
}

func (s *Server) groupWelcomeByID(id string) (*groupWelcomeTemplate, error) {
	if err := requireField("template_id", id); err != nil {
		return nil, err
	}
	t, ok := s.groupChats().templates[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid template_id %s", id)
	}
	return t, nil
}

// addGroupWelcome serves group_welcome_template/add.
func (s *Server) addGroupWelcome(c *call) (any, error) {
	var req groupWelcomeRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := checkGroupWelcomeNotify(req.Notify); err != nil {
		return nil, err
	}
	if err := s.checkGroupWelcome(&req.groupWelcomeTemplate); err != nil {
		return nil, err
	}
	gs := s.groupChats()
	if len(gs.templates) >= maxGroupWelcomeTemplates {
		return nil, errorf(codeInvalidParameter, "group welcome template limit %d reached", maxGroupWelcomeTemplates)
	}
	id := s.ids.ID("msg", 22)
	t := req.groupWelcomeTemplate
	gs.templates[id] = &t
	return map[string]any{"template_id": id}, nil
}

// editGroupWelcome serves group_welcome_template/edit: a text given
// replaces the text, an attachment given replaces the attachment.
func (s *Server) editGroupWelcome(c *call) (any, error) {
	var req groupWelcomeRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	t, err := s.groupWelcomeByID(req.TemplateID)
	if err != nil {
		return nil, err
	}
	edited := *t
	if req.Text != nil {
		edited.Text = req.Text
	}
	if req.attachments() > 0 {
		edited.Image, edited.Link, edited.MiniProgram, edited.File, edited.Video =
			req.Image, req.Link, req.MiniProgram, req.File, req.Video
	}
	if err := s.checkGroupWelcome(&edited); err != nil {
		return nil, err
	}
	*t = edited
	return nil, nil
}

// getGroupWelcome serves group_welcome_template/get.
func (s *Server) getGroupWelcome(c *call) (any, error) {
	var req struct {
		TemplateID string `json:"template_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	t, err := s.groupWelcomeByID(req.TemplateID)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// delGroupWelcome serves group_welcome_template/del.
func (s *Server) delGroupWelcome(c *call) (any, error) {
	var req struct {
		TemplateID string `json:"template_id"`
		AgentID    int    `json:"agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := s.groupWelcomeByID(req.TemplateID); err != nil {
		return nil, err
	}
	delete(s.groupChats().templates, req.TemplateID)
	return nil, nil
}
