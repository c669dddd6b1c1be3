package wecomtest

import (
	"encoding/json"
	"net/http"
)

// Welcome messages: send_welcome_msg consumes a welcome code that an
// add_external_contact event issued (AddCustomer, AddFollow), once and
// within 20 seconds of the server clock.

func registerECWelcome(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/send_welcome_msg", s.ecSendWelcomeMsg)
}

// WelcomeMsg is a welcome message the server accepted, for assertions.
type WelcomeMsg struct {
	UserID, ExternalUserID string
	Text                   string
	Attachments            json.RawMessage
	SendTime               int64
}

type ecWelcomeState struct{ sent []WelcomeMsg }

func (s *Server) ecSendWelcomeMsg(c *call) (any, error) {
	var req struct {
		WelcomeCode string         `json:"welcome_code"`
		Text        *ecText        `json:"text"`
		Attachments []ecAttachment `json:"attachments"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := requireField("welcome_code", req.WelcomeCode); err != nil {
		return nil, err
	}
	wc, ok := s.st.welcomeCodes[req.WelcomeCode]
	// WeCom's own code for a bad or used welcome code is not documented
	// (?): answer invalid parameter.
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid welcome_code")
	}
	if !c.Now.Before(wc.expires) {
		delete(s.st.welcomeCodes, req.WelcomeCode)
		return nil, errorf(codeInvalidParameter, "invalid welcome_code: expired")
	}
	if err := s.checkECMessage(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	delete(s.st.welcomeCodes, req.WelcomeCode)
	m := WelcomeMsg{UserID: wc.userID, ExternalUserID: wc.externalUserID, SendTime: c.Now.Unix()}
	if req.Text != nil {
		m.Text = req.Text.Content
	}
	var raw struct {
		Attachments json.RawMessage `json:"attachments"`
	}
	_ = json.Unmarshal(c.Body, &raw)
	m.Attachments = raw.Attachments
	st := areaState(s, "ec.welcome", func() *ecWelcomeState { return &ecWelcomeState{} })
	st.sent = append(st.sent, m)
	return nil, nil
}

// WelcomeMsgs returns the welcome messages sent so far, in order.
func (s *Server) WelcomeMsgs() []WelcomeMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := areaState(s, "ec.welcome", func() *ecWelcomeState { return &ecWelcomeState{} })
	return append([]WelcomeMsg(nil), st.sent...)
}
