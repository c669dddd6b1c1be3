package wecomtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"
)

func registerCustomers(s *Server) {
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/list", s.listCustomers)
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/get", s.getCustomer)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/batch/get_by_user", s.batchGetByUser)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/remark", s.remarkCustomer)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/contact_list", s.contactList)
}

// Errcodes of the customer endpoints.
const (
	codeMissingUserID  = 41009 // missing userid
	codeInvalidMediaID = 40007 // invalid media_id (shared by every area that takes media)
	codeRemarkTooLong  = 40058 // WeCom reports over-long remark fields as invalid parameter
	// getCustomerPageSize is how many follow_user entries get returns a page.
	getCustomerPageSize = 500
	batchMaxUsers       = 100
	batchDefaultLimit   = 50
	batchMaxLimit       = 100
)

// customerJSON is external_contact as WeCom renders it.
type customerJSON struct {
	ExternalUserID  string          `json:"external_userid"`
	Name            string          `json:"name"`
	Position        string          `json:"position,omitempty"`
	Avatar          string          `json:"avatar,omitempty"`
	CorpName        string          `json:"corp_name,omitempty"`
	CorpFullName    string          `json:"corp_full_name,omitempty"`
	Type            int             `json:"type"`
	Gender          int             `json:"gender"`
	UnionID         string          `json:"unionid,omitempty"`
	ExternalProfile json.RawMessage `json:"external_profile,omitempty"`
}

func renderCustomer(c *Customer) customerJSON {
	return customerJSON{
		ExternalUserID: c.ExternalUserID, Name: c.Name, Position: c.Position, Avatar: c.Avatar,
		CorpName: c.CorpName, CorpFullName: c.CorpFullName, Type: c.Type, Gender: c.Gender,
		UnionID: c.UnionID, ExternalProfile: c.ExternalProfile,
	}
}

type wechatChannelsJSON struct {
	Nickname string `json:"nickname"`
	Source   int    `json:"source"`
}

// followBaseJSON holds what follow_user (get) and follow_info (batch)
// share.
type followBaseJSON struct {
	UserID         string              `json:"userid"`
	Remark         string              `json:"remark"`
	Description    string              `json:"description"`
	CreateTime     int64               `json:"createtime"`
	RemarkCorpName string              `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string            `json:"remark_mobiles,omitempty"`
	OperUserID     string              `json:"oper_userid"`
	AddWay         int                 `json:"add_way"`
	WechatChannels *wechatChannelsJSON `json:"wechat_channels,omitempty"`
	State          string              `json:"state,omitempty"`
}

type followTagJSON struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id"`
	Type      int    `json:"type"`
}

type followUserJSON struct {
	followBaseJSON
	Tags []followTagJSON `json:"tags"`
}

type followInfoJSON struct {
	followBaseJSON
	TagID []string `json:"tag_id"`
}

func renderFollowBase(f *Follow) followBaseJSON {
	b := followBaseJSON{
		UserID: f.UserID, Remark: f.Remark, Description: f.Description, CreateTime: f.CreateTime,
		RemarkCorpName: f.RemarkCorpName, RemarkMobiles: f.RemarkMobiles, OperUserID: f.OperUserID,
		AddWay: f.AddWay, State: f.State,
	}
	if f.WechatChannelsNickname != "" || f.WechatChannelsSource != 0 {
		b.WechatChannels = &wechatChannelsJSON{Nickname: f.WechatChannelsNickname, Source: f.WechatChannelsSource}
	}
	return b
}

// liveTagIDs returns the follow's tags that still exist (deleting a tag
// takes it off every customer, as in WeCom).
func (st *state) liveTagIDs(f *Follow) []string {
	out := make([]string, 0, len(f.TagIDs))
	for _, id := range f.TagIDs {
		if _, _, ok := st.tag(id); ok {
			out = append(out, id)
		}
	}
	return out
}

func (st *state) renderFollowUser(f *Follow) followUserJSON {
	out := followUserJSON{followBaseJSON: renderFollowBase(f), Tags: []followTagJSON{}}
	for _, id := range f.TagIDs {
		t, g, ok := st.tag(id)
		if !ok {
			continue
		}
		typ := 1
		if g.StrategyID != 0 {
			typ = 3
		}
		out.Tags = append(out.Tags, followTagJSON{GroupName: g.GroupName, TagName: t.Name, TagID: t.ID, Type: typ})
	}
	return out
}

// listCustomers serves GET /cgi-bin/externalcontact/list.
func (s *Server) listCustomers(c *call) (any, error) {
	userID := c.Query.Get("userid")
	if userID == "" {
		return nil, errorf(codeMissingUserID, "missing userid")
	}
	if _, err := s.st.user(userID); err != nil {
		return nil, err
	}
	fs := s.st.byUser[userID]
	if len(fs) == 0 {
		// WeCom answers a member without customers this way.
		return nil, errorf(codeNoRelationship, "not external contact")
	}
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ExternalUserID
	}
	return struct {
		ExternalUserID []string `json:"external_userid"`
	}{ids}, nil
}

// getCustomer serves GET /cgi-bin/externalcontact/get: the customer and
// their follow_user, 500 a page.
func (s *Server) getCustomer(c *call) (any, error) {
	id := c.Query.Get("external_userid")
	if id == "" {
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	}
	cust, err := s.st.customer(id)
	if err != nil {
		return nil, err
	}
	fs, next, err := page("get_"+id, s.st.follows[id], c.Query.Get("cursor"), getCustomerPageSize)
	if err != nil {
		return nil, err
	}
	users := make([]followUserJSON, 0, len(fs))
	for _, f := range fs {
		users = append(users, s.st.renderFollowUser(f))
	}
	return struct {
		ExternalContact customerJSON     `json:"external_contact"`
		FollowUser      []followUserJSON `json:"follow_user"`
		NextCursor      string           `json:"next_cursor"`
	}{renderCustomer(cust), users, next}, nil
}

type batchRelationJSON struct {
	ExternalContact customerJSON   `json:"external_contact"`
	FollowInfo      followInfoJSON `json:"follow_info"`
}

// batchGetByUser serves POST /cgi-bin/externalcontact/batch/get_by_user:
// the relations of up to 100 members, in the order of userid_list and,
// per member, the order added; cursor-paged (limit 1..100, default 50).
func (s *Server) batchGetByUser(c *call) (any, error) {
	var req struct {
		UserIDList []string `json:"userid_list"`
		Cursor     string   `json:"cursor"`
		Limit      int      `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.UserIDList) == 0 {
		return nil, errorf(codeMissingUserID, "missing userid_list")
	}
	if len(req.UserIDList) > batchMaxUsers {
		return nil, errorf(codeInvalidParameter, "userid_list exceeds %d", batchMaxUsers)
	}
	// WeCom clamps a limit over 100 to 100 instead of refusing it.
	limit, err := checkLimit(min(req.Limit, batchMaxLimit), batchDefaultLimit, batchMaxLimit)
	if err != nil {
		return nil, err
	}
	for _, id := range req.UserIDList {
		if _, err := s.st.user(id); err != nil {
			return nil, err
		}
	}
	off, err := decodeCursor("batch_get_by_user", req.Cursor)
	if err != nil {
		return nil, err
	}
	// Walk the members' lists without building their concatenation: a
	// page costs O(members + limit), not O(relations).
	out := make([]batchRelationJSON, 0, limit)
	pos, total := 0, 0
	for _, id := range req.UserIDList {
		fs := s.st.byUser[id]
		total += len(fs)
		for i := max(0, off-pos); i < len(fs) && len(out) < limit && pos+i >= off; i++ {
			f := fs[i]
			out = append(out, batchRelationJSON{
				ExternalContact: renderCustomer(s.st.customers[f.ExternalUserID]),
				FollowInfo:      followInfoJSON{followBaseJSON: renderFollowBase(f), TagID: s.st.liveTagIDs(f)},
			})
		}
		pos += len(fs)
	}
	if off > total {
		return nil, errorf(codeInvalidParameter, "invalid cursor")
	}
	next := ""
	if end := off + len(out); end < total {
		next = encodeCursor("batch_get_by_user", end)
	}
	return struct {
		ExternalContactList []batchRelationJSON `json:"external_contact_list"`
		NextCursor          string              `json:"next_cursor"`
	}{out, next}, nil
}

// remarkCustomer serves POST /cgi-bin/externalcontact/remark. Fields left
// out keep their value; remark_mobiles [""] clears the mobiles. It emits
// no callback (WeCom sends none for an API change); MemberEditsCustomer
// runs the same edit with notify set, as a member editing in the client,
// and emits change_external_contact/edit_external_contact.
func (s *Server) remarkCustomer(c *call) (any, error) { return s.remark(c, false) }

func (s *Server) remark(c *call, notify bool) (any, error) {
	var req struct {
		UserID           string   `json:"userid"`
		ExternalUserID   string   `json:"external_userid"`
		Remark           *string  `json:"remark"`
		Description      *string  `json:"description"`
		RemarkCompany    *string  `json:"remark_company"`
		RemarkMobiles    []string `json:"remark_mobiles"`
		RemarkPicMediaID *string  `json:"remark_pic_mediaid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UserID == "" {
		return nil, errorf(codeMissingUserID, "missing userid")
	}
	if req.ExternalUserID == "" {
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	}
	if _, err := s.st.user(req.UserID); err != nil {
		return nil, err
	}
	if _, err := s.st.customer(req.ExternalUserID); err != nil {
		return nil, err
	}
	f, err := s.st.follow(req.UserID, req.ExternalUserID)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Remark != nil && utf8.RuneCountInString(*req.Remark) > 20:
		return nil, errorf(codeRemarkTooLong, "remark exceeds 20 characters")
	case req.Description != nil && utf8.RuneCountInString(*req.Description) > 150:
		return nil, errorf(codeRemarkTooLong, "description exceeds 150 characters")
	case len(req.RemarkMobiles) > 5:
		return nil, errorf(codeRemarkTooLong, "remark_mobiles exceeds 5")
	}
	if req.RemarkPicMediaID != nil && *req.RemarkPicMediaID != "" {
		if !s.mediaValid(*req.RemarkPicMediaID) {
			return nil, errorf(codeInvalidMediaID, "invalid media_id")
		}
	}
	if req.Remark != nil {
		f.Remark = *req.Remark
	}
	if req.Description != nil {
		f.Description = *req.Description
	}
	if req.RemarkCompany != nil {
		f.RemarkCorpName = *req.RemarkCompany
	}
	if req.RemarkMobiles != nil {
		f.RemarkMobiles = slices.DeleteFunc(slices.Clone(req.RemarkMobiles), func(m string) bool { return m == "" })
	}
	if notify {
		s.emitContactChange("edit_external_contact", req.UserID, req.ExternalUserID, "")
	}
	return nil, nil
}
