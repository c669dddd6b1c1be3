package wecomtest

import "net/http"

func registerIDConvert(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/unionid_to_external_userid", s.unionIDToExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/convert_to_openid", s.convertToOpenID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/to_service_external_userid", s.toServiceExternalUserID)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_new_external_userid", s.getNewExternalUserID)
}

// idConvertState remembers the ids handed out, so that a conversion
// answers the same every time.
type idConvertState struct {
	openIDs    map[string]string // external_userid → openid
	serviceIDs map[string]string // external_userid → service provider's external_userid
}

func (s *Server) idConvert() *idConvertState {
	return areaState(s, "idconvert", func() *idConvertState {
		return &idConvertState{openIDs: map[string]string{}, serviceIDs: map[string]string{}}
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

// unionIDToExternalUserID finds the customer with the unionid; an
// unknown unionid gets an empty list.
func (s *Server) unionIDToExternalUserID(c *call) (any, error) {
	var req struct {
		UnionID     string `json:"unionid"`
		OpenID      string `json:"openid"`
		SubjectType int    `json:"subject_type"`
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
	type info struct {
		CorpID         string `json:"corpid"`
		ExternalUserID string `json:"external_userid"`
	}
	out := []info{}
	for _, id := range s.st.customerOrder {
		if cu := s.st.customers[id]; cu.UnionID == req.UnionID {
			out = append(out, info{s.CorpID, id})
		}
	}
	return struct {
		ExternalUserIDInfo []info `json:"external_userid_info"`
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

func (s *Server) toServiceExternalUserID(c *call) (any, error) {
	cu, err := s.decodeExternalUserID(c)
	if err != nil {
		return nil, err
	}
	return struct {
		ExternalUserID string `json:"external_userid"`
	}{s.serviceID(cu.ExternalUserID)}, nil
}

// getNewExternalUserID maps up to 1000 ids; unknown ids are left out.
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
		}
	}
	return struct {
		Items []item `json:"items"`
	}{out}, nil
}
