package wecomtest

import "net/http"

func registerIDConvert(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/unionid_to_external_userid", s.unionIDToExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/idconvert/unionid_to_external_userid", s.idconvertUnionID)
	s.handle(http.MethodPost, "/cgi-bin/corpgroup/unionid_to_external_userid", s.corpGroupUnionID)
	s.handle(http.MethodPost, "/cgi-bin/corpgroup/unionid_to_pending_id", s.corpGroupUnionIDToPendingID)
	s.handle(http.MethodPost, "/cgi-bin/idconvert/batch/external_userid_to_pending_id", s.batchPendingIDs)
	s.handle(http.MethodPost, "/cgi-bin/corpgroup/batch/external_userid_to_pending_id", s.batchPendingIDs)
	s.handle(http.MethodPost, "/cgi-bin/idconvert/convert_tmp_external_userid", s.convertTmpExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/idconvert/external_tagid", s.convertExternalTagID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/from_service_external_userid", s.fromServiceExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/groupchat/get_new_external_userid", s.groupGetNewExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/convert_to_openid", s.convertToOpenID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/to_service_external_userid", s.toServiceExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_new_external_userid", s.getNewExternalUserID)
}

// idConvertState remembers the ids handed out, so that a conversion
// answers the same every time.
type idConvertState struct {
	openIDs    map[string]string // external_userid → openid
	serviceIDs map[string]string // external_userid → service provider's external_userid
	pendingIDs map[string]string // unionid (or external_userid without one) → pending_id
	tmpIDs     map[string]string // tmp_external_userid → external_userid
	openTagIDs map[string]string // tag or group id → open_external_tagid
}

func (s *Server) idConvert() *idConvertState {
	return areaState(s, "idconvert", func() *idConvertState {
		return &idConvertState{openIDs: map[string]string{}, serviceIDs: map[string]string{}, pendingIDs: map[string]string{},
			tmpIDs: map[string]string{}, openTagIDs: map[string]string{}}
	})
}

func (s *Server) decodeExternalUserID(c *call) (*Customer, error) {
	var req struct {
		ExternalUserID string `json:"external_userid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ExternalUserID == "" {
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	}
	return s.st.customer(req.ExternalUserID)
}

type unionIDBody struct {
	UnionID string `json:"unionid"`
	OpenID  string `json:"openid"`
}

// customerByUnionID returns the first customer with the unionid, or nil.
func (s *Server) customerByUnionID(unionID string) *Customer {
	for _, id := range s.st.customerOrder {
		if cu := s.st.customers[id]; cu.UnionID == unionID {
			return cu
		}
	}
	return nil
}

// pendingID is the stable pending_id of a unionid (or of a customer
// without one).
func (s *Server) pendingID(key string) string {
	st := s.idConvert()
	id, ok := st.pendingIDs[key]
	if !ok {
		id = s.ids.ID("p", 30)
		st.pendingIDs[key] = id
	}
	return id
}

// unionIDToExternalUserID serves the self-built / 代开发 conversion:
// unionid and openid in, external_userid out ("" for a unionid that is no
// customer). It takes no subject_type.
func (s *Server) unionIDToExternalUserID(c *call) (any, error) {
	var req unionIDBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UnionID == "" {
		return nil, errorf(codeInvalidParameter, "missing unionid")
	}
	out := ""
	if cu := s.customerByUnionID(req.UnionID); cu != nil {
		out = cu.ExternalUserID
	}
	return struct {
		ExternalUserID string `json:"external_userid"`
	}{out}, nil
}

// idconvertUnionID serves the third-party conversion: unionid, openid
// (both required) and subject_type (0/1) → external_userid (when a
// customer) and a pending_id.
func (s *Server) idconvertUnionID(c *call) (any, error) {
	var req struct {
		unionIDBody
		SubjectType int `json:"subject_type"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.UnionID == "" || req.OpenID == "":
		return nil, errorf(codeInvalidParameter, "missing unionid or openid")
	case req.SubjectType != 0 && req.SubjectType != 1:
		return nil, errorf(codeInvalidParameter, "invalid subject_type")
	}
	out := struct {
		ExternalUserID string `json:"external_userid,omitempty"`
		PendingID      string `json:"pending_id"`
	}{PendingID: s.pendingID(req.UnionID)}
	if cu := s.customerByUnionID(req.UnionID); cu != nil {
		out.ExternalUserID = cu.ExternalUserID
	}
	return out, nil
}

// corpGroupUnionID serves the upstream/downstream conversion: the
// customer's id in each corp of the chain (here: this corp only).
func (s *Server) corpGroupUnionID(c *call) (any, error) {
	var req struct {
		unionIDBody
		CorpID         string `json:"corpid"`
		MassCallTicket string `json:"mass_call_ticket"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UnionID == "" || req.OpenID == "" {
		return nil, errorf(codeInvalidParameter, "missing unionid or openid")
	}
	type info struct {
		CorpID         string `json:"corpid"`
		ExternalUserID string `json:"external_userid"`
	}
	out := []info{}
	if req.CorpID == "" || req.CorpID == s.CorpID {
		for _, id := range s.st.customerOrder {
			if s.st.customers[id].UnionID == req.UnionID {
				out = append(out, info{s.CorpID, id})
			}
		}
	}
	return struct {
		ExternalUserIDInfo []info `json:"external_userid_info"`
	}{out}, nil
}

func (s *Server) corpGroupUnionIDToPendingID(c *call) (any, error) {
	var req unionIDBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UnionID == "" || req.OpenID == "" {
		return nil, errorf(codeInvalidParameter, "missing unionid or openid")
	}
	return struct {
		PendingID string `json:"pending_id"`
	}{s.pendingID(req.UnionID)}, nil
}

// batchPendingIDs serves both batch/external_userid_to_pending_id: up
// to 100 known customers (only those in chat_id when given) get their
// pending_id; unknown ids are left out.
func (s *Server) batchPendingIDs(c *call) (any, error) {
	var req struct {
		ExternalUserID []string `json:"external_userid"`
		ChatID         string   `json:"chat_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case len(req.ExternalUserID) == 0:
		return nil, errorf(codeInvalidParameter, "missing external_userid")
	case len(req.ExternalUserID) > 100:
		return nil, errorf(codeInvalidParameter, "external_userid exceeds 100")
	}
	var inChat map[string]bool
	if req.ChatID != "" {
		g, ok := s.st.chats[req.ChatID]
		if !ok {
			return nil, errorf(codeInvalidChatID, "invalid chat_id")
		}
		inChat = map[string]bool{}
		for _, m := range g.Members {
			inChat[m.UserID] = true
		}
	}
	type item struct {
		ExternalUserID string `json:"external_userid"`
		PendingID      string `json:"pending_id"`
	}
	out := []item{}
	for _, id := range req.ExternalUserID {
		cu, ok := s.st.customers[id]
		if !ok || (inChat != nil && !inChat[id]) {
			continue
		}
		key := cu.UnionID
		if key == "" {
			key = id
		}
		out = append(out, item{id, s.pendingID(key)})
	}
	return struct {
		Result []item `json:"result"`
	}{out}, nil
}

// AddTmpExternalUserID hands out a temporary external userid for a
// customer, as a meeting or collection form would show it, for
// convert_tmp_external_userid.
func (s *Server) AddTmpExternalUserID(externalUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.st.customer(externalUserID); err != nil {
		return "", err
	}
	id := s.ids.ID("tmp", 28)
	s.idConvert().tmpIDs[id] = externalUserID
	return id, nil
}

// convertTmpExternalUserID converts the temporary ids AddTmpExternalUserID
// handed out (user_type 1, customers); others are invalid.
func (s *Server) convertTmpExternalUserID(c *call) (any, error) {
	var req struct {
		BusinessType int      `json:"business_type"`
		UserType     int      `json:"user_type"`
		TmpList      []string `json:"tmp_external_userid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.BusinessType != 1 && req.BusinessType != 2:
		return nil, errorf(codeInvalidParameter, "invalid business_type")
	case req.UserType < 1 || req.UserType > 4:
		return nil, errorf(codeInvalidParameter, "invalid user_type")
	case len(req.TmpList) == 0:
		return nil, errorf(codeInvalidParameter, "missing tmp_external_userid_list")
	}
	type result struct {
		TmpExternalUserID string `json:"tmp_external_userid"`
		ExternalUserID    string `json:"external_userid"`
	}
	out := struct {
		Results []result `json:"results"`
		Invalid []string `json:"invalid_tmp_external_userid_list"`
	}{Results: []result{}, Invalid: []string{}}
	for _, id := range req.TmpList {
		if ext, ok := s.idConvert().tmpIDs[id]; ok && req.UserType == 1 {
			out.Results = append(out.Results, result{id, ext})
		} else {
			out.Invalid = append(out.Invalid, id)
		}
	}
	return out, nil
}

// convertExternalTagID maps known corp tag and group ids to stable open
// ids; unknown ones are listed as invalid.
func (s *Server) convertExternalTagID(c *call) (any, error) {
	var req struct {
		List []string `json:"external_tagid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case len(req.List) == 0:
		return nil, errorf(codeInvalidParameter, "missing external_tagid_list")
	case len(req.List) > 1000:
		return nil, errorf(codeInvalidParameter, "external_tagid_list exceeds 1000")
	}
	type item struct {
		ExternalTagID     string `json:"external_tagid"`
		OpenExternalTagID string `json:"open_external_tagid"`
	}
	out := struct {
		Items   []item   `json:"items"`
		Invalid []string `json:"invalid_external_tagid_list"`
	}{Items: []item{}, Invalid: []string{}}
	st := s.idConvert()
	for _, id := range req.List {
		if g, ok := s.st.tagIndex[id]; !ok || g.StrategyID != 0 {
			out.Invalid = append(out.Invalid, id)
			continue
		}
		open, ok := st.openTagIDs[id]
		if !ok {
			open = s.ids.ID("et", 30)
			st.openTagIDs[id] = open
		}
		out.Items = append(out.Items, item{id, open})
	}
	return out, nil
}

// fromServiceExternalUserID reverses to_service_external_userid.
func (s *Server) fromServiceExternalUserID(c *call) (any, error) {
	var req struct {
		ExternalUserID string `json:"external_userid"`
		SourceAgentID  int    `json:"source_agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.ExternalUserID == "":
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	case req.SourceAgentID == 0:
		return nil, errorf(codeInvalidParameter, "missing source_agentid")
	}
	if ext, ok := s.oldIDOf(req.ExternalUserID); ok {
		return struct {
			ExternalUserID string `json:"external_userid"`
		}{ext}, nil
	}
	return nil, errorf(codeInvalidExternalID, "invalid external userid")
}

// groupGetNewExternalUserID maps the ids of a group's external members
// (up to 1000). The doc names the group chat_id; chatid, which some SDKs
// send, is accepted too.
func (s *Server) groupGetNewExternalUserID(c *call) (any, error) {
	var req struct {
		ChatID             string   `json:"chat_id"`
		ChatIDAlt          string   `json:"chatid"`
		ExternalUserIDList []string `json:"external_userid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatID == "" {
		req.ChatID = req.ChatIDAlt
	}
	switch {
	case req.ChatID == "":
		return nil, errorf(codeInvalidParameter, "missing chat_id")
	case len(req.ExternalUserIDList) == 0:
		return nil, errorf(codeInvalidParameter, "missing external_userid_list")
	case len(req.ExternalUserIDList) > 1000:
		return nil, errorf(codeInvalidParameter, "external_userid_list exceeds 1000")
	}
	g, ok := s.st.chats[req.ChatID]
	if !ok {
		return nil, errorf(codeInvalidChatID, "invalid chat_id")
	}
	members := map[string]bool{}
	for _, m := range g.Members {
		if m.Type == 2 {
			members[m.UserID] = true
		}
	}
	type item struct {
		ExternalUserID    string `json:"external_userid"`
		NewExternalUserID string `json:"new_external_userid"`
	}
	out := []item{}
	for _, id := range req.ExternalUserIDList {
		if members[id] {
			out = append(out, item{id, s.serviceID(id)})
		} else if old, ok := s.oldIDOf(id); ok && members[old] {
			out = append(out, item{id, id}) // already new: unchanged
		}
	}
	return struct {
		Items []item `json:"items"`
	}{out}, nil
}

// convertToOpenID gives WeChat customers a stable openid; WeCom users
// have none (40096).
func (s *Server) convertToOpenID(c *call) (any, error) {
	cu, err := s.decodeExternalUserID(c)
	if err != nil {
		return nil, err
	}
	if cu.Type != 1 {
		return nil, errorf(codeInvalidExternalID, "external userid is not a wechat user")
	}
	st := s.idConvert()
	id, ok := st.openIDs[cu.ExternalUserID]
	if !ok {
		id = s.ids.ID("o", 27)
		st.openIDs[cu.ExternalUserID] = id
	}
	return struct {
		OpenID string `json:"openid"`
	}{id}, nil
}

func (s *Server) serviceID(ext string) string {
	st := s.idConvert()
	id, ok := st.serviceIDs[ext]
	if !ok {
		id = s.ids.ID("wm", 30)
		st.serviceIDs[ext] = id
	}
	return id
}

// oldIDOf returns the customer whose new (service provider's) id is id.
func (s *Server) oldIDOf(id string) (string, bool) {
	for ext, n := range s.idConvert().serviceIDs {
		if n == id {
			return ext, true
		}
	}
	return "", false
}

func (s *Server) toServiceExternalUserID(c *call) (any, error) {
	cu, err := s.decodeExternalUserID(c)
	if err != nil {
		return nil, err
	}
	return struct {
		ExternalUserID string `json:"external_userid"`
	}{s.serviceID(cu.ExternalUserID)}, nil
}

// getNewExternalUserID maps up to 1000 ids; an id that is already new
// comes back unchanged (the sheet), unknown ids are left out.
func (s *Server) getNewExternalUserID(c *call) (any, error) {
	var req struct {
		ExternalUserIDList []string `json:"external_userid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case len(req.ExternalUserIDList) == 0:
		return nil, errorf(codeInvalidParameter, "missing external_userid_list")
	case len(req.ExternalUserIDList) > 1000:
		return nil, errorf(codeInvalidParameter, "external_userid_list exceeds 1000")
	}
	type item struct {
		ExternalUserID    string `json:"external_userid"`
		NewExternalUserID string `json:"new_external_userid"`
	}
	out := []item{}
	for _, id := range req.ExternalUserIDList {
		if _, ok := s.st.customers[id]; ok {
			out = append(out, item{id, s.serviceID(id)})
		} else if _, ok := s.oldIDOf(id); ok {
			out = append(out, item{id, id}) // already new: unchanged
		}
	}
	return struct {
		Items []item `json:"items"`
	}{out}, nil
}
