package wecomtest

import (
	"net/http"
	"time"
)

// providerRoutes are the endpoints the Provider serves itself, with the
// token kind each takes. Paths are written whole.
var providerRoutes = map[string]provRoute{
	"/cgi-bin/service/get_suite_token":    {http.MethodPost, "", provSuiteToken},
	"/cgi-bin/service/get_provider_token": {http.MethodPost, "", provProviderToken},

	"/cgi-bin/service/get_pre_auth_code":                              {http.MethodGet, kindSuite, provPreAuthCode},
	"/cgi-bin/service/set_session_info":                               {http.MethodPost, kindSuite, provSetSessionInfo},
	"/cgi-bin/service/v2/get_permanent_code":                          {http.MethodPost, kindSuite, provPermanentCodeV2},
	"/cgi-bin/service/get_permanent_code":                             {http.MethodPost, kindSuite, provPermanentCodeLegacy},
	"/cgi-bin/service/v2/get_auth_info":                               {http.MethodPost, kindSuite, provAuthInfo},
	"/cgi-bin/service/get_corp_token":                                 {http.MethodPost, kindSuite, provCorpToken},
	"/cgi-bin/service/get_admin_list":                                 {http.MethodPost, kindSuite, provAdminList},
	"/cgi-bin/service/auth/getuserinfo3rd":                            {http.MethodGet, kindSuite, provUserInfo3rd},
	"/cgi-bin/service/auth/getuserdetail3rd":                          {http.MethodPost, kindSuite, provUserDetail3rd},
	"/cgi-bin/service/externalcontact/unionid_to_external_userid_3rd": {http.MethodPost, kindSuite, provUnionIDToExternalUserID},

	"/cgi-bin/service/corpid_to_opencorpid":                             {http.MethodPost, kindProvider, provOpenCorpID},
	"/cgi-bin/service/finish_openid_migration":                          {http.MethodPost, kindProvider, provFinishOpenIDMigration},
	"/cgi-bin/service/externalcontact/finish_external_userid_migration": {http.MethodPost, kindProvider, provFinishExternalUserIDMigration},
}

func provSuiteToken(c *provCall) (any, error) {
	var b struct {
		SuiteID     string `json:"suite_id"`
		SuiteSecret string `json:"suite_secret"`
		SuiteTicket string `json:"suite_ticket"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	s := c.p.suites[b.SuiteID]
	if s == nil {
		return nil, errorf(codeInvalidSuiteID, "invalid suite_id")
	}
	if b.SuiteSecret != s.Secret {
		return nil, errorf(codeInvalidSecret, "invalid suite_secret")
	}
	valid := false
	for _, t := range s.tickets {
		if t.value == b.SuiteTicket && c.Now.Before(t.issued.Add(suiteTicketTTL)) {
			valid = true
		}
	}
	if !valid {
		return nil, errorf(codeInvalidSuiteTicket, "invalid suite ticket")
	}
	s.issued++
	tok := c.p.issue(kindSuite, s.ID, "", c.Now)
	return map[string]any{"suite_access_token": tok, "expires_in": int64(c.p.tokenTTL / time.Second)}, nil
}

func provProviderToken(c *provCall) (any, error) {
	var b struct {
		CorpID         string `json:"corpid"`
		ProviderSecret string `json:"provider_secret"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.CorpID != c.p.CorpID {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	if b.ProviderSecret != c.p.Secret {
		return nil, errorf(codeInvalidSecret, "invalid provider_secret")
	}
	c.p.providerIssued++
	tok := c.p.issue(kindProvider, c.p.CorpID, "", c.Now)
	return map[string]any{"provider_access_token": tok, "expires_in": int64(c.p.tokenTTL / time.Second)}, nil
}

func provPreAuthCode(c *provCall) (any, error) {
	code := c.p.ids.random(64)
	c.p.preAuth[code] = preAuthCode{suiteID: c.suite.ID, expires: c.Now.Add(preAuthCodeTTL)}
	return map[string]any{"pre_auth_code": code, "expires_in": int64(preAuthCodeTTL / time.Second)}, nil
}

func provSetSessionInfo(c *provCall) (any, error) {
	var b struct {
		PreAuthCode string `json:"pre_auth_code"`
		SessionInfo struct {
			AppID    []int `json:"appid"`
			AuthType int   `json:"auth_type"`
		} `json:"session_info"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	pa, ok := c.p.preAuth[b.PreAuthCode]
	if !ok || pa.suiteID != c.suite.ID || !c.Now.Before(pa.expires) {
		return nil, errorf(codeInvalidParameter, "invalid pre_auth_code")
	}
	if b.SessionInfo.AuthType != 0 && b.SessionInfo.AuthType != 1 {
		return nil, errorf(codeInvalidParameter, "invalid auth_type")
	}
	pa.test = b.SessionInfo.AuthType == 1
	c.p.preAuth[b.PreAuthCode] = pa
	return nil, nil
}

// takeAuthCode consumes an auth code of c's suite and grants the install.
func takeAuthCode(c *provCall) (*grant, string, error) {
	var b struct {
		AuthCode string `json:"auth_code"`
	}
	if err := c.decode(&b); err != nil {
		return nil, "", err
	}
	ac, ok := c.p.authCodes[b.AuthCode]
	if !ok || ac.suiteID != c.suite.ID || !c.Now.Before(ac.expires) {
		return nil, "", errorf(codeInvalidAuthCode, "invalid auth_code")
	}
	delete(c.p.authCodes, b.AuthCode) // single use
	g := &grant{code: c.p.ids.random(43), state: ac.state, test: ac.test}
	if old := c.p.grants[grantKey{ac.suiteID, ac.corpID}]; old != nil {
		g.corpTokens = old.corpTokens
	}
	c.p.grants[grantKey{ac.suiteID, ac.corpID}] = g
	c.p.refreshRoutesLocked(ac.corpID)
	if c.suite.Customized {
		t := c.p.tenants[ac.corpID]
		t.mu.Lock()
		t.Secret = g.code // the permanent code is the app secret
		t.mu.Unlock()
	}
	return g, ac.corpID, nil
}

func (p *Provider) corpInfo(corpID string, full bool) map[string]any {
	m := map[string]any{"corpid": corpID, "corp_name": "Corp " + corpID}
	if full {
		m["corp_type"] = "verified"
		m["corp_square_logo_url"] = "https://p.qlogo.cn/bizmail/" + corpID + "/0"
		m["corp_user_max"] = 200
		m["corp_full_name"] = "Corp " + corpID + " Co., Ltd."
		m["subject_type"] = 1
		m["verified_end_time"] = int64(1893456000)
		m["corp_scale"] = "1-50人"
		m["corp_industry"] = "IT服务"
		m["corp_sub_industry"] = "计算机软件/硬件/信息服务"
	}
	return m
}

func (p *Provider) installer(corpID string) map[string]any {
	t := p.tenants[corpID]
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range t.st.userOrder {
		u := t.st.users[id]
		return map[string]any{"userid": u.UserID, "open_userid": p.openID("wo", corpID+"/"+u.UserID), "name": u.Name,
			"avatar": "https://wework.qpic.cn/wwhead/" + u.UserID}
	}
	return nil
}

func (p *Provider) authInfo(s *provSuite) map[string]any {
	return map[string]any{"agent": []map[string]any{{
		"agentid": s.AgentID, "name": s.Name, "square_logo_url": "https://p.qlogo.cn/bizmail/" + s.ID + "/0",
		"auth_mode": 0, "is_customized_app": s.Customized,
		"privilege": map[string]any{"level": 1, "allow_party": []int{1}, "allow_user": []string{}, "allow_tag": []int{},
			"extra_party": []int{}, "extra_user": []string{}, "extra_tag": []int{}},
	}}}
}

func provPermanentCodeV2(c *provCall) (any, error) {
	g, corpID, err := takeAuthCode(c)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"permanent_code": g.code, "auth_corp_info": c.p.corpInfo(corpID, false)}
	if u := c.p.installer(corpID); u != nil {
		out["auth_user_info"] = u
	}
	if g.state != "" {
		out["state"] = g.state
	}
	return out, nil
}

func provPermanentCodeLegacy(c *provCall) (any, error) {
	g, corpID, err := takeAuthCode(c)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"permanent_code": g.code, "auth_corp_info": c.p.corpInfo(corpID, true),
		"auth_info": c.p.authInfo(c.suite), "dealer_corp_info": map[string]any{"corpid": "wwdealer01", "corp_name": "Dealer"}}
	if !c.suite.Customized {
		out["access_token"] = c.p.corpToken(c.suite.ID, corpID, g, c.Now)
		out["expires_in"] = int64(c.p.tokenTTL / time.Second)
	}
	if u := c.p.installer(corpID); u != nil {
		out["auth_user_info"] = u
	}
	if g.state != "" {
		out["state"] = g.state
	}
	return out, nil
}

// checkGrant finds the install of c's suite in auth_corpid with its code.
func checkGrant(c *provCall) (*grant, string, error) {
	var b struct {
		AuthCorpID    string `json:"auth_corpid"`
		PermanentCode string `json:"permanent_code"`
	}
	if err := c.decode(&b); err != nil {
		return nil, "", err
	}
	g := c.p.grants[grantKey{c.suite.ID, b.AuthCorpID}]
	if g == nil || g.code != b.PermanentCode || b.PermanentCode == "" {
		return nil, "", errorf(codeInvalidPermanentCode, "invalid permanent_code")
	}
	return g, b.AuthCorpID, nil
}

func provAuthInfo(c *provCall) (any, error) {
	_, corpID, err := checkGrant(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"auth_corp_info": c.p.corpInfo(corpID, true), "auth_info": c.p.authInfo(c.suite),
		"dealer_corp_info": map[string]any{"corpid": "wwdealer01", "corp_name": "Dealer"},
		"edition_info": map[string]any{"agent": []map[string]any{{"agentid": c.suite.AgentID, "edition_id": "RLS65535",
			"edition_name": "Trial", "app_status": 1, "user_limit": 200, "expired_time": int64(1893456000)}}}}, nil
}

// corpToken issues a corp token for the install and lets the tenant
// accept it. Call with p.mu held.
func (p *Provider) corpToken(suiteID, corpID string, g *grant, now time.Time) string {
	tok := p.issue(kindCorp, corpID, suiteID, now)
	t := p.tenants[corpID]
	t.mu.Lock()
	t.tokens[tok] = now.Add(p.tokenTTL)
	t.mu.Unlock()
	g.corpTokens++
	return tok
}

func provCorpToken(c *provCall) (any, error) {
	if c.suite.Customized {
		return nil, errorf(codeAPIForbidden, "api forbidden: a customized app gets its token with gettoken")
	}
	g, corpID, err := checkGrant(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"access_token": c.p.corpToken(c.suite.ID, corpID, g, c.Now), "expires_in": int64(c.p.tokenTTL / time.Second)}, nil
}

func provAdminList(c *provCall) (any, error) {
	var b struct {
		AuthCorpID string `json:"auth_corpid"`
		AgentID    int    `json:"agentid"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.p.grants[grantKey{c.suite.ID, b.AuthCorpID}] == nil {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	if b.AgentID != c.suite.AgentID {
		return nil, errorf(codeInvalidParameter, "invalid agentid")
	}
	u := c.p.installer(b.AuthCorpID)
	admins := []map[string]any{}
	if u != nil {
		admins = append(admins, map[string]any{"userid": u["userid"], "open_userid": u["open_userid"], "auth_type": 1})
	}
	return map[string]any{"admin": admins}, nil
}

func provUserInfo3rd(c *provCall) (any, error) {
	code := c.Query.Get("code")
	oc, ok := c.p.oauth[code]
	if !ok || oc.suiteID != c.suite.ID || !c.Now.Before(oc.expires) {
		return nil, errorf(40029, "invalid code")
	}
	delete(c.p.oauth, code)
	if oc.corpID == "" {
		return map[string]any{"openid": c.p.openID("o", oc.userID)}, nil
	}
	ticket := c.p.ids.random(64)
	c.p.tickets3[ticket] = oauthCode{suiteID: oc.suiteID, corpID: oc.corpID, userID: oc.userID, expires: c.Now.Add(30 * time.Minute)}
	return map[string]any{"corpid": oc.corpID, "userid": oc.userID, "open_userid": c.p.openID("wo", oc.corpID+"/"+oc.userID),
		"user_ticket": ticket, "expires_in": 1800}, nil
}

func provUserDetail3rd(c *provCall) (any, error) {
	var b struct {
		UserTicket string `json:"user_ticket"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	t, ok := c.p.tickets3[b.UserTicket]
	if !ok || t.suiteID != c.suite.ID || !c.Now.Before(t.expires) {
		return nil, errorf(codeInvalidParameter, "invalid user_ticket")
	}
	name := t.userID
	if s := c.p.tenants[t.corpID]; s != nil {
		s.mu.Lock()
		if u := s.st.users[t.userID]; u != nil {
			name = u.Name
		}
		s.mu.Unlock()
	}
	return map[string]any{"corpid": t.corpID, "userid": t.userID, "open_userid": c.p.openID("wo", t.corpID+"/"+t.userID),
		"name": name, "gender": "0", "avatar": "https://wework.qpic.cn/wwhead/" + t.userID, "qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=" + t.userID}, nil
}

func provUnionIDToExternalUserID(c *provCall) (any, error) {
	var b struct {
		UnionID string `json:"unionid"`
		OpenID  string `json:"openid"`
		CorpID  string `json:"corpid"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := requireField("unionid", b.UnionID); err != nil {
		return nil, err
	}
	if err := requireField("openid", b.OpenID); err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, id := range c.p.tenantIDs {
		if (b.CorpID != "" && id != b.CorpID) || c.p.grants[grantKey{c.suite.ID, id}] == nil {
			continue
		}
		t := c.p.tenants[id]
		t.mu.Lock()
		for _, ext := range t.st.customerOrder {
			if cu := t.st.customers[ext]; cu != nil && cu.UnionID == b.UnionID {
				out = append(out, map[string]any{"corpid": id, "external_userid": ext})
			}
		}
		t.mu.Unlock()
	}
	return map[string]any{"external_userid_info": out}, nil
}

func provOpenCorpID(c *provCall) (any, error) {
	var b struct {
		CorpID string `json:"corpid"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.p.tenants[b.CorpID] == nil {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	return map[string]any{"open_corpid": c.p.openID("wp", b.CorpID)}, nil
}

func provFinishOpenIDMigration(c *provCall) (any, error) {
	var b struct {
		CorpID     string `json:"corpid"`
		AgentID    int    `json:"agentid"`
		OpenIDType []int  `json:"openid_type"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.p.tenants[b.CorpID] == nil {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	for _, t := range b.OpenIDType {
		if t != 1 && t != 3 {
			return nil, errorf(codeInvalidParameter, "invalid openid_type")
		}
	}
	c.p.migrated[b.CorpID] = append(c.p.migrated[b.CorpID], b.OpenIDType...)
	return nil, nil
}

func provFinishExternalUserIDMigration(c *provCall) (any, error) {
	var b struct {
		CorpID string `json:"corpid"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.p.tenants[b.CorpID] == nil {
		return nil, errorf(codeInvalidCorpID, "invalid corpid")
	}
	c.p.migrated[b.CorpID] = append(c.p.migrated[b.CorpID], 3)
	return nil, nil
}

// Migrated returns the openid_types finished for corpID, in order.
func (p *Provider) Migrated(corpID string) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.migrated[corpID]...)
}
