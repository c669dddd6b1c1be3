package wecomtest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"time"
)

// OAuth2 sign-in for web pages: the authorize step happens in the member's
// WeCom client, so tests get their codes from OAuthCode,
// OAuthCodePrivate and OAuthCodeForCustomer instead. A code is single use
// and expires 5 minutes after it was issued (server clock); a user_ticket
// lives 1800 s.

const (
	oauthCodeTTL          = 5 * time.Minute
	userTicketTTL         = 1800 * time.Second
	codeInvalidOAuthCode  = 40029 // invalid, used or expired code
	codeMissingOAuthCode  = 41008 // code missing
	codeInvalidUserTicket = 40058 // invalid or expired user_ticket (WeCom's exact code is not documented)
)

type oauthGrant struct {
	userID         string // a member; empty for a non-member
	private        bool   // snsapi_privateinfo: a user_ticket comes with the member
	openID         string // a non-member
	externalUserID string
	expires        time.Time
}

type userTicketGrant struct {
	userID  string
	expires time.Time
}

// oauthState is the server's sign-in state, guarded by s.mu.
type oauthState struct {
	codes   map[string]oauthGrant
	tickets map[string]userTicketGrant
}

func registerOAuth(s *Server) {
	s.oauth = &oauthState{codes: map[string]oauthGrant{}, tickets: map[string]userTicketGrant{}}
	s.handle(http.MethodGet, "/cgi-bin/auth/getuserinfo", s.authGetUserInfo)
	s.handle(http.MethodPost, "/cgi-bin/auth/getuserdetail", s.authGetUserDetail)
}

// OAuthCode issues a code for member userID signing in with snsapi_base,
// as WeCom does when the member opens the authorize URL.
func (s *Server) OAuthCode(userID string) (string, error) {
	return s.issueMemberCode(userID, false)
}

// OAuthCodePrivate issues a code for member userID signing in with
// snsapi_privateinfo: getuserinfo then answers with a user_ticket for
// getuserdetail.
func (s *Server) OAuthCodePrivate(userID string) (string, error) {
	return s.issueMemberCode(userID, true)
}

func (s *Server) issueMemberCode(userID string, private bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.st.users[userID]
	if !ok {
		return "", fmt.Errorf("wecomtest: OAuth code: no member %q", userID)
	}
	if u.Resigned || u.Inactive {
		return "", fmt.Errorf("wecomtest: OAuth code: member %q cannot sign in", userID)
	}
	return s.newCode(oauthGrant{userID: userID, private: private}), nil
}

// OAuthCodeForCustomer issues a code for a non-member, the customer
// externalUserID, opening a page of the corp in WeChat: getuserinfo
// answers with an openid and the external_userid.
func (s *Server) OAuthCodeForCustomer(externalUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.customers[externalUserID]; !ok {
		return "", fmt.Errorf("wecomtest: OAuth code: no customer %q", externalUserID)
	}
	return s.newCode(oauthGrant{openID: openIDOf(s.CorpID, externalUserID), externalUserID: externalUserID}), nil
}

// newCode stores g under a fresh code. s.mu is held.
func (s *Server) newCode(g oauthGrant) string {
	now := s.clock.Now()
	for c, old := range s.oauth.codes {
		if !now.Before(old.expires) {
			delete(s.oauth.codes, c)
		}
	}
	g.expires = now.Add(oauthCodeTTL)
	code := s.ids.random(43)
	s.oauth.codes[code] = g
	return code
}

// openIDOf is a stable openid for a customer in a corp.
func openIDOf(corpID, externalUserID string) string {
	h := fnv.New64a()
	h.Write([]byte(corpID + "\x00" + externalUserID))
	return fmt.Sprintf("oAAAA%016x", h.Sum64())
}

// authGetUserInfo serves GET /cgi-bin/auth/getuserinfo.
func (s *Server) authGetUserInfo(c *call) (any, error) {
	code := c.Query.Get("code")
	if code == "" {
		return nil, errorf(codeMissingOAuthCode, "missing code")
	}
	g, ok := s.oauth.codes[code]
	if !ok {
		return nil, errorf(codeInvalidOAuthCode, "invalid code")
	}
	delete(s.oauth.codes, code) // single use, even when expired
	if !c.Now.Before(g.expires) {
		return nil, errorf(codeInvalidOAuthCode, "invalid code: expired")
	}
	if g.userID == "" {
		return struct {
			OpenID         string `json:"openid"`
			ExternalUserID string `json:"external_userid,omitempty"`
		}{g.openID, g.externalUserID}, nil
	}
	out := struct {
		UserID     string `json:"userid"`
		UserTicket string `json:"user_ticket,omitempty"`
		ExpiresIn  int64  `json:"expires_in,omitempty"`
	}{UserID: g.userID}
	if g.private {
		out.UserTicket = s.ids.random(64)
		out.ExpiresIn = int64(userTicketTTL / time.Second)
		s.oauth.tickets[out.UserTicket] = userTicketGrant{userID: g.userID, expires: c.Now.Add(userTicketTTL)}
	}
	return out, nil
}

// authGetUserDetail serves POST /cgi-bin/auth/getuserdetail.
func (s *Server) authGetUserDetail(c *call) (any, error) {
	var req struct {
		UserTicket string `json:"user_ticket"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UserTicket == "" {
		return nil, errorf(codeInvalidUserTicket, "missing user_ticket")
	}
	t, ok := s.oauth.tickets[req.UserTicket]
	if !ok || !c.Now.Before(t.expires) {
		return nil, errorf(codeInvalidUserTicket, "invalid user_ticket")
	}
	if _, ok := s.st.users[t.userID]; !ok {
		return nil, errorf(codeUserNotFound, "userid not found")
	}
	return MemberDetail(t.userID), nil
}

// UserDetail is the sensitive profile getuserdetail returns for a member
// who agreed to snsapi_privateinfo. The server makes it up from the userid.
type UserDetail struct {
	UserID  string `json:"userid"`
	Gender  string `json:"gender"` // "0" unknown, "1" male, "2" female: a string, as WeCom sends it
	Avatar  string `json:"avatar"`
	QRCode  string `json:"qr_code"`
	Mobile  string `json:"mobile"`
	Email   string `json:"email"`
	BizMail string `json:"biz_mail"`
	Address string `json:"address"`
}

// MemberDetail returns the UserDetail the server answers for userID.
func MemberDetail(userID string) UserDetail {
	h := fnv.New64a()
	h.Write([]byte(userID))
	n := h.Sum64()
	return UserDetail{
		UserID:  userID,
		Gender:  fmt.Sprint(1 + n%2),
		Avatar:  "https://wework.qpic.cn/wwpic/demo/" + userID + "/0",
		QRCode:  "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vc" + fmt.Sprintf("%016x", n),
		Mobile:  fmt.Sprintf("138%08d", n%100000000),
		Email:   userID + "@example.com",
		BizMail: userID + "@demo.wecom.work",
		Address: "广州市海珠区新港中路 " + fmt.Sprint(n%400+1) + " 号",
	}
}
