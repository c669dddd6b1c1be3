package wecomtest

import (
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

func registerTags(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_corp_tag_list", func(c *call) (any, error) { return s.listTags(c, false) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_corp_tag", func(c *call) (any, error) { return s.addTags(c, false, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/edit_corp_tag", func(c *call) (any, error) { return s.editTag(c, false, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/del_corp_tag", func(c *call) (any, error) { return s.delTags(c, false, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_strategy_tag_list", func(c *call) (any, error) { return s.listTags(c, true) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_strategy_tag", func(c *call) (any, error) { return s.addTags(c, true, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/edit_strategy_tag", func(c *call) (any, error) { return s.editTag(c, true, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/del_strategy_tag", func(c *call) (any, error) { return s.delTags(c, true, nil) })
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/mark_tag", func(c *call) (any, error) { return s.markTag(c, false) })
}

// Errcodes of the tag endpoints.
const (
	codeInvalidTagID  = 40068 // invalid tag id (tag or group)
	codeTagNameExists = 40071 // tag name exists in the group
	maxTagNameLen     = 30
)

type tagJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	Order      int    `json:"order"`
}

type tagGroupJSON struct {
	GroupID    string    `json:"group_id"`
	GroupName  string    `json:"group_name"`
	CreateTime int64     `json:"create_time"`
	Order      int       `json:"order"`
	StrategyID int       `json:"strategy_id,omitempty"`
	Tag        []tagJSON `json:"tag"`
}

func renderTagGroup(g *TagGroup, only func(Tag) bool) tagGroupJSON {
	out := tagGroupJSON{GroupID: g.GroupID, GroupName: g.GroupName, CreateTime: g.CreateTime, Order: g.Order,
		StrategyID: g.StrategyID, Tag: []tagJSON{}}
	for _, t := range g.Tags {
		if only == nil || only(t) {
			out.Tag = append(out.Tag, tagJSON{t.ID, t.Name, t.CreateTime, t.Order})
		}
	}
	return out
}

// tagKind says whether g belongs to the corp (strategy false) or to a
// strategy.
func tagKind(g *TagGroup, strategy bool) bool { return (g.StrategyID != 0) == strategy }

// tagNotify receives the change_external_tag a tag change causes. The API
// handlers pass nil: WeCom sends no callback for a change made through
// the API, only for one made in the admin console (the Admin* methods).
type tagNotify func(changeType, id, tagType string, strategyID int)

func (n tagNotify) emit(changeType, id, tagType string, strategyID int) {
	if n != nil {
		n(changeType, id, tagType, strategyID)
	}
}

// emitTagChange emits change_external_tag.
func (s *Server) emitTagChange(changeType, id, tagType string, strategyID int) {
	fields := []Field{{Name: "Id", Value: id}, {Name: "TagType", Value: tagType}}
	if strategyID != 0 {
		fields = append(fields, Field{Name: "StrategyId", Value: strconv.Itoa(strategyID), Number: true})
	}
	s.emit(Event{Event: "change_external_tag", ChangeType: changeType, Fields: fields})
}

// removeTagGroup drops g from the state. Customers keep the ids, which
// no longer resolve, so reads leave them out.
func (s *Server) removeTagGroup(g *TagGroup) {
	s.st.tagGroups = slices.DeleteFunc(s.st.tagGroups, func(x *TagGroup) bool { return x == g })
	delete(s.st.tagIndex, g.GroupID)
	for _, t := range g.Tags {
		delete(s.st.tagIndex, t.ID)
	}
}

// listTags serves get_corp_tag_list and get_strategy_tag_list: groups by
// order, largest first; group_id wins over tag_id.
func (s *Server) listTags(c *call, strategy bool) (any, error) {
	var req struct {
		StrategyID int      `json:"strategy_id"`
		TagID      []string `json:"tag_id"`
		GroupID    []string `json:"group_id"`
	}
	if len(c.Body) > 0 {
		if err := c.decode(&req); err != nil {
			return nil, err
		}
	}
	if strategy && req.StrategyID != 0 {
		if _, err := s.customerStrategy(req.StrategyID); err != nil {
			return nil, err
		}
	}
	groups := make([]*TagGroup, 0, len(s.st.tagGroups))
	for _, g := range s.st.tagGroups {
		if tagKind(g, strategy) && (req.StrategyID == 0 || g.StrategyID == req.StrategyID) {
			groups = append(groups, g)
		}
	}
	slices.SortStableFunc(groups, func(a, b *TagGroup) int { return b.Order - a.Order })
	out := []tagGroupJSON{}
	for _, g := range groups {
		switch {
		case len(req.GroupID) > 0:
			if slices.Contains(req.GroupID, g.GroupID) {
				out = append(out, renderTagGroup(g, nil))
			}
		case len(req.TagID) > 0:
			r := renderTagGroup(g, func(t Tag) bool { return slices.Contains(req.TagID, t.ID) })
			if len(r.Tag) > 0 {
				out = append(out, r)
			}
		default:
			out = append(out, renderTagGroup(g, nil))
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Tag, func(a, b tagJSON) int { return b.Order - a.Order })
	}
	return struct {
		TagGroup []tagGroupJSON `json:"tag_group"`
	}{out}, nil
}

// addTags serves add_corp_tag and add_strategy_tag. A group_name that
// exists adds to that group, as WeCom does.
func (s *Server) addTags(c *call, strategy bool, notify tagNotify) (any, error) {
	var req struct {
		StrategyID int    `json:"strategy_id"`
		GroupID    string `json:"group_id"`
		GroupName  string `json:"group_name"`
		Order      int    `json:"order"`
		Tag        []struct {
			Name  string `json:"name"`
			Order int    `json:"order"`
		} `json:"tag"`
		AgentID int `json:"agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if strategy {
		if _, err := s.customerStrategy(req.StrategyID); err != nil {
			return nil, err
		}
	}
	if len(req.Tag) == 0 {
		return nil, errorf(codeInvalidParameter, "missing tag")
	}
	if req.AgentID != 0 && req.AgentID != s.AgentID {
		return nil, errorf(codeInvalidParameter, "invalid agentid")
	}
	var g *TagGroup
	switch {
	case req.GroupID != "":
		g = s.st.tagIndex[req.GroupID]
		if g == nil || g.GroupID != req.GroupID || !tagKind(g, strategy) || (strategy && g.StrategyID != req.StrategyID) {
			return nil, errorf(codeInvalidTagID, "invalid tag group id")
		}
	case req.GroupName != "":
		if utf8.RuneCountInString(req.GroupName) > maxTagNameLen {
			return nil, errorf(codeInvalidParameter, "group_name exceeds %d characters", maxTagNameLen)
		}
		for _, x := range s.st.tagGroups {
			if x.GroupName == req.GroupName && tagKind(x, strategy) && x.StrategyID == req.StrategyID {
				g = x
			}
		}
	default:
		return nil, errorf(codeInvalidParameter, "missing group_id or group_name")
	}
	seen := map[string]bool{}
	for _, t := range req.Tag {
		switch {
		case t.Name == "" || utf8.RuneCountInString(t.Name) > maxTagNameLen:
			return nil, errorf(codeInvalidParameter, "invalid tag name %q", t.Name)
		case seen[t.Name]:
			return nil, errorf(codeTagNameExists, "tag name %s exists", t.Name)
		}
		seen[t.Name] = true
		if g != nil {
			for _, x := range g.Tags {
				if x.Name == t.Name {
					return nil, errorf(codeTagNameExists, "tag name %s exists", t.Name)
				}
			}
		}
	}
	now := c.Now.Unix()
	newGroup := g == nil
	if newGroup {
		g = &TagGroup{GroupID: s.ids.tagID(), GroupName: req.GroupName, CreateTime: now, Order: req.Order}
		if strategy {
			g.StrategyID = req.StrategyID
		}
		s.st.addTagGroup(g)
	}
	created := make([]Tag, 0, len(req.Tag))
	for _, t := range req.Tag {
		tag := Tag{ID: s.ids.tagID(), Name: t.Name, CreateTime: now, Order: t.Order}
		g.Tags = append(g.Tags, tag)
		s.st.tagIndex[tag.ID] = g
		created = append(created, tag)
	}
	if newGroup {
		notify.emit("create", g.GroupID, "tag_group", g.StrategyID)
	} else {
		for _, t := range created {
			notify.emit("create", t.ID, "tag", g.StrategyID)
		}
	}
	out := renderTagGroup(g, func(t Tag) bool { return slices.ContainsFunc(created, func(x Tag) bool { return x.ID == t.ID }) })
	return struct {
		TagGroup tagGroupJSON `json:"tag_group"`
	}{out}, nil
}

// editTag serves edit_corp_tag and edit_strategy_tag.
func (s *Server) editTag(c *call, strategy bool, notify tagNotify) (any, error) {
	var req struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Order   *int   `json:"order"`
		AgentID int    `json:"agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ID == "" {
		return nil, errorf(codeInvalidParameter, "missing id")
	}
	if utf8.RuneCountInString(req.Name) > maxTagNameLen {
		return nil, errorf(codeInvalidParameter, "name exceeds %d characters", maxTagNameLen)
	}
	g, ok := s.st.tagIndex[req.ID]
	if !ok || !tagKind(g, strategy) {
		return nil, errorf(codeInvalidTagID, "invalid tag id")
	}
	if g.GroupID == req.ID {
		if req.Name != "" {
			g.GroupName = req.Name
		}
		if req.Order != nil {
			g.Order = *req.Order
		}
		notify.emit("update", g.GroupID, "tag_group", g.StrategyID)
		return nil, nil
	}
	t, _, _ := s.st.tag(req.ID)
	if req.Name != "" && req.Name != t.Name {
		for _, x := range g.Tags {
			if x.Name == req.Name {
				return nil, errorf(codeTagNameExists, "tag name %s exists", req.Name)
			}
		}
		t.Name = req.Name
	}
	if req.Order != nil {
		t.Order = *req.Order
	}
	notify.emit("update", t.ID, "tag", g.StrategyID)
	return nil, nil
}

// delTags serves del_corp_tag and del_strategy_tag. A group left without
// tags is deleted too.
func (s *Server) delTags(c *call, strategy bool, notify tagNotify) (any, error) {
	var req struct {
		TagID   []string `json:"tag_id"`
		GroupID []string `json:"group_id"`
		AgentID int      `json:"agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.TagID) == 0 && len(req.GroupID) == 0 {
		return nil, errorf(codeInvalidParameter, "missing tag_id or group_id")
	}
	for _, id := range req.GroupID {
		if g, ok := s.st.tagIndex[id]; !ok || g.GroupID != id || !tagKind(g, strategy) {
			return nil, errorf(codeInvalidTagID, "invalid tag group id %s", id)
		}
	}
	for _, id := range req.TagID {
		if _, g, ok := s.st.tag(id); !ok || !tagKind(g, strategy) {
			return nil, errorf(codeInvalidTagID, "invalid tag id %s", id)
		}
	}
	for _, id := range req.GroupID {
		if g, ok := s.st.tagIndex[id]; ok {
			s.removeTagGroup(g)
			notify.emit("delete", g.GroupID, "tag_group", g.StrategyID)
		}
	}
	for _, id := range req.TagID {
		_, g, ok := s.st.tag(id)
		if !ok {
			continue // its group went above
		}
		g.Tags = slices.DeleteFunc(g.Tags, func(t Tag) bool { return t.ID == id })
		delete(s.st.tagIndex, id)
		notify.emit("delete", id, "tag", g.StrategyID)
		if len(g.Tags) == 0 {
			s.removeTagGroup(g)
			notify.emit("delete", g.GroupID, "tag_group", g.StrategyID)
		}
	}
	return nil, nil
}

// markTag serves mark_tag: it adds and removes corp or strategy tags on a
// relation. Only when notify is set (MemberMarksTags: a member tagging in
// the client) does it emit edit_external_contact; WeCom sends none for
// mark_tag itself.
func (s *Server) markTag(c *call, notify bool) (any, error) {
	var req struct {
		UserID         string   `json:"userid"`
		ExternalUserID string   `json:"external_userid"`
		AddTag         []string `json:"add_tag"`
		RemoveTag      []string `json:"remove_tag"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.UserID == "":
		return nil, errorf(codeMissingUserID, "missing userid")
	case req.ExternalUserID == "":
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	case len(req.AddTag) == 0 && len(req.RemoveTag) == 0:
		return nil, errorf(codeInvalidParameter, "add_tag and remove_tag are both empty")
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
	for _, id := range append(slices.Clone(req.AddTag), req.RemoveTag...) {
		if _, _, ok := s.st.tag(id); !ok {
			return nil, errorf(codeInvalidTagID, "invalid tag id %s", id)
		}
	}
	for _, id := range req.AddTag {
		if !slices.Contains(f.TagIDs, id) {
			f.TagIDs = append(f.TagIDs, id)
		}
	}
	f.TagIDs = slices.DeleteFunc(f.TagIDs, func(id string) bool { return slices.Contains(req.RemoveTag, id) })
	if notify {
		s.emitContactChange("edit_external_contact", req.UserID, req.ExternalUserID, "")
	}
	return nil, nil
}
