package wecomtest

import (
	"encoding/json"
	"fmt"
)

// Changes made through the API never produce a callback on WeCom; only
// what a person does in the WeCom client or the admin console does. The
// methods here are those person-made changes: each changes the state as
// the equivalent API call would and emits the callback WeCom sends for
// it. Tests that need an edit_external_contact or change_external_tag
// event call them instead of the API.

// CustomerEdit is what a member changes on a customer's profile in the
// client. Nil fields are left alone; a non-nil empty RemarkMobiles
// clears the mobiles.
type CustomerEdit struct {
	Remark         *string
	Description    *string
	RemarkCorpName *string
	RemarkMobiles  []string
	// RemarkPicMediaID is a media id (AddMedia or media/upload) of the
	// picture attached to the remark.
	RemarkPicMediaID *string
}

// MemberEditsCustomer applies edit to the relation of userID and
// externalUserID, as if the member edited the customer's remark in the
// WeCom client, and emits change_external_contact/edit_external_contact.
// The same edit through the remark API emits nothing, as on WeCom.
func (s *Server) MemberEditsCustomer(userID, externalUserID string, edit CustomerEdit) error {
	body := map[string]any{"userid": userID, "external_userid": externalUserID}
	if edit.Remark != nil {
		body["remark"] = *edit.Remark
	}
	if edit.Description != nil {
		body["description"] = *edit.Description
	}
	if edit.RemarkCorpName != nil {
		body["remark_company"] = *edit.RemarkCorpName
	}
	if edit.RemarkMobiles != nil {
		m := edit.RemarkMobiles
		if len(m) == 0 {
			m = []string{""}
		}
		body["remark_mobiles"] = m
	}
	if edit.RemarkPicMediaID != nil {
		body["remark_pic_mediaid"] = *edit.RemarkPicMediaID
	}
	return s.simulate("member edits customer", body, func(c *call) (any, error) { return s.remark(c, true) })
}

// MemberMarksTags adds and removes corp or strategy tags on the relation
// of userID and externalUserID, as if the member tagged the customer in
// the WeCom client, and emits change_external_contact/
// edit_external_contact. mark_tag through the API emits nothing.
func (s *Server) MemberMarksTags(userID, externalUserID string, add, remove []string) error {
	body := map[string]any{"userid": userID, "external_userid": externalUserID, "add_tag": add, "remove_tag": remove}
	return s.simulate("member marks tags", body, func(c *call) (any, error) { return s.markTag(c, true) })
}

// AdminAddsCorpTags creates corp tags named names in the group
// groupName (created when no corp group has that name), as if an admin
// did it in the admin console, and emits change_external_tag create: one
// for the group when it is new (WeCom reports the group, not its tags),
// else one per tag. It returns the group with the tags just created.
func (s *Server) AdminAddsCorpTags(groupName string, names ...string) (TagGroup, error) {
	return s.adminAddsTags(0, groupName, names)
}

// AdminAddsStrategyTags is AdminAddsCorpTags for the tags of a customer
// strategy (rule group); the events carry its StrategyId.
func (s *Server) AdminAddsStrategyTags(strategyID int, groupName string, names ...string) (TagGroup, error) {
	return s.adminAddsTags(strategyID, groupName, names)
}

func (s *Server) adminAddsTags(strategyID int, groupName string, names []string) (TagGroup, error) {
	tags := make([]map[string]any, len(names))
	for i, n := range names {
		tags[i] = map[string]any{"name": n}
	}
	body := map[string]any{"group_name": groupName, "tag": tags}
	if strategyID != 0 {
		body["strategy_id"] = strategyID
	}
	var out any
	err := s.simulate("admin adds tags", body, func(c *call) (any, error) {
		v, err := s.addTags(c, strategyID != 0, s.emitTagChange)
		out = v
		return v, err
	})
	if err != nil {
		return TagGroup{}, err
	}
	g := out.(struct {
		TagGroup tagGroupJSON `json:"tag_group"`
	}).TagGroup
	tg := TagGroup{GroupID: g.GroupID, GroupName: g.GroupName, CreateTime: g.CreateTime, Order: g.Order, StrategyID: g.StrategyID}
	for _, t := range g.Tag {
		tg.Tags = append(tg.Tags, Tag{ID: t.ID, Name: t.Name, CreateTime: t.CreateTime, Order: t.Order})
	}
	return tg, nil
}

// AdminEditsCorpTag renames a tag or tag group (id is either; a strategy
// tag works too), as if an admin did it in the admin console, and emits
// change_external_tag update.
func (s *Server) AdminEditsCorpTag(id, name string) error {
	strategy := s.isStrategyTag(id)
	return s.simulate("admin edits tag", map[string]any{"id": id, "name": name}, func(c *call) (any, error) {
		return s.editTag(c, strategy, s.emitTagChange)
	})
}

func (s *Server) isStrategyTag(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.tagIndex[id]
	return ok && g.StrategyID != 0
}

// AdminDeletesCorpTags deletes tags and tag groups (ids may name either;
// all corp tags, or all of strategies), as if an admin did it in the
// admin console, and emits change_external_tag delete for each (and for
// a group left empty).
func (s *Server) AdminDeletesCorpTags(ids ...string) error {
	strategy := len(ids) > 0 && s.isStrategyTag(ids[0])
	s.mu.Lock()
	var tags, groups []string
	for _, id := range ids {
		if g, ok := s.st.tagIndex[id]; ok && g.GroupID == id {
			groups = append(groups, id)
		} else {
			tags = append(tags, id)
		}
	}
	s.mu.Unlock()
	return s.simulate("admin deletes corp tags", map[string]any{"tag_id": tags, "group_id": groups}, func(c *call) (any, error) {
		return s.delTags(c, strategy, s.emitTagChange)
	})
}

// simulate runs fn, an API handler, on body under the server's lock, as
// a person's action rather than an API call; a WeCom error comes back as
// a Go error naming op.
func (s *Server) simulate(op string, body map[string]any, fn func(*call) (any, error)) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wecomtest: %s: %w", op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.runTickers(now)
	if _, err := fn(&call{s: s, Body: b, Now: now}); err != nil {
		return fmt.Errorf("wecomtest: %s: %w", op, err)
	}
	return nil
}
