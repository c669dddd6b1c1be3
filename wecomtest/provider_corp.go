package wecomtest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// registerProviderCorp serves, on every Server, the corp-token endpoints
// of the service-provider world (the ID upgrade, the app's admins) and
// answers the suite- and provider-token endpoints as a corp's own WeCom
// would not serve them: those need a Provider (NewProvider), which routes
// each corp's calls to its tenant Server.
func registerProviderCorp(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/batch/userid_to_openuserid", s.userIDToOpenUserID)
	s.handle(http.MethodPost, "/cgi-bin/batch/openuserid_to_userid", s.openUserIDToUserID)
	s.handle(http.MethodPost, "/cgi-bin/agent/get_admin_list", s.agentAdminList)
	for path, rt := range providerRoutes {
		s.handle(rt.method, path, needsProvider)
	}
}

func needsProvider(*call) (any, error) {
	return nil, errorf(codeInvalidSuiteToken, "invalid suite_access_token or provider_access_token (wecomtest: service endpoints are served by NewProvider)")
}

// providerOf is the corp id of the service provider whose open IDs a
// tenant hands out: set by Provider.AddTenant, the corp itself otherwise.
type providerOf struct{ corpID string }

func (s *Server) providerCorp() string {
	return areaState(s, "provider", func() *providerOf { return &providerOf{corpID: s.CorpID} }).corpID
}

// openIDOf is the stable encrypted form of id as providerCorpID sees it.
func providerOpenID(providerCorpID, prefix, id string) string {
	sum := sha256.Sum256([]byte(providerCorpID + "\x00" + id))
	return prefix + hex.EncodeToString(sum[:])[:30]
}

func (s *Server) openUserID(userID string) string {
	return providerOpenID(s.providerCorp(), "wo", s.CorpID+"/"+userID)
}

func (s *Server) userIDToOpenUserID(c *call) (any, error) {
	var b struct {
		UserIDList []string `json:"userid_list"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if len(b.UserIDList) == 0 || len(b.UserIDList) > 1000 {
		return nil, errorf(codeInvalidParameter, "invalid userid_list size")
	}
	pairs, invalid := []map[string]any{}, []string{}
	for _, id := range b.UserIDList {
		if s.st.users[id] == nil {
			invalid = append(invalid, id)
			continue
		}
		pairs = append(pairs, map[string]any{"userid": id, "open_userid": s.openUserID(id)})
	}
	return map[string]any{"open_userid_list": pairs, "invalid_userid_list": invalid}, nil
}

func (s *Server) openUserIDToUserID(c *call) (any, error) {
	var b struct {
		OpenUserIDList []string `json:"open_userid_list"`
		SourceAgentID  int      `json:"source_agentid"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if len(b.OpenUserIDList) == 0 || len(b.OpenUserIDList) > 1000 {
		return nil, errorf(codeInvalidParameter, "invalid open_userid_list size")
	}
	if b.SourceAgentID == 0 {
		return nil, errorf(codeInvalidParameter, "invalid source_agentid")
	}
	byOpen := map[string]string{}
	for id := range s.st.users {
		byOpen[s.openUserID(id)] = id
	}
	pairs, invalid := []map[string]any{}, []string{}
	for _, o := range b.OpenUserIDList {
		if id, ok := byOpen[o]; ok && strings.HasPrefix(o, "wo") {
			pairs = append(pairs, map[string]any{"open_userid": o, "userid": id})
		} else {
			invalid = append(invalid, o)
		}
	}
	return map[string]any{"userid_list": pairs, "invalid_open_userid_list": invalid}, nil
}

// agentAdminList answers the app's admins: the first member, with the
// right to manage it.
func (s *Server) agentAdminList(*call) (any, error) {
	admins := []map[string]any{}
	if len(s.st.userOrder) > 0 {
		admins = append(admins, map[string]any{"userid": s.st.userOrder[0], "auth_type": 1})
	}
	return map[string]any{"admin": admins}, nil
}
