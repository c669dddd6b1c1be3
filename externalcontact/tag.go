package externalcontact

import (
	"context"
	"errors"
	"net/http"

	"github.com/wecomkit/wecom"
)

// TagGroup is a group of corp tags (企业客户标签), or of strategy tags
// (规则组标签) when StrategyID is set.
type TagGroup struct {
	GroupID    string `json:"group_id"`
	GroupName  string `json:"group_name"`
	CreateTime int64  `json:"create_time"`
	// Order sorts groups: a larger value comes first.
	Order int `json:"order"`
	// Deleted is set in lists that include deleted groups.
	Deleted    bool  `json:"deleted,omitempty"`
	StrategyID int   `json:"strategy_id,omitempty"`
	Tags       []Tag `json:"tag"`
}

// Tag is a corp or strategy tag.
type Tag struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	// Order sorts tags in their group: a larger value comes first.
	Order   int  `json:"order"`
	Deleted bool `json:"deleted,omitempty"`
}

// TagSpec is a tag to create: a name (at most 30 characters) and an
// optional order.
type TagSpec struct {
	Name  string `json:"name"`
	Order int    `json:"order,omitempty"`
}

// tagFilter is the body of the tag list endpoints.
type tagFilter struct {
	StrategyID int      `json:"strategy_id,omitempty"`
	TagIDs     []string `json:"tag_id,omitempty"`
	GroupIDs   []string `json:"group_id,omitempty"`
}

// ListCorpTags returns the corp tag groups and their tags. With no ids it
// returns all of them; with groupIDs, those groups whole; with tagIDs
// only, the groups of those tags with just those tags. WeCom ignores
// tagIDs when groupIDs are given.
//
// WeCom: POST /cgi-bin/externalcontact/get_corp_tag_list
func (s *Service) ListCorpTags(ctx context.Context, tagIDs, groupIDs []string, opts ...wecom.CallOption) ([]TagGroup, error) {
	var resp struct {
		TagGroup []TagGroup `json:"tag_group"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_corp_tag_list",
		Body:       tagFilter{TagIDs: tagIDs, GroupIDs: groupIDs},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.TagGroup, nil
}

// AddCorpTagsRequest adds tags to a group: the group GroupID, or the
// group named GroupName, which is created when it does not exist.
type AddCorpTagsRequest struct {
	GroupID   string `json:"group_id,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	// Order is the order of a new group.
	Order int       `json:"order,omitempty"`
	Tags  []TagSpec `json:"tag"`
	// AgentID is the app making the change, for apps other than the
	// customer-contact secret's; WeCom then attributes the change to it.
	AgentID int `json:"agentid,omitempty"`
}

// AddCorpTags creates corp tags and returns their group with the tags
// created. WeCom emits change_external_tag create events.
//
// WeCom: POST /cgi-bin/externalcontact/add_corp_tag
func (s *Service) AddCorpTags(ctx context.Context, req *AddCorpTagsRequest, opts ...wecom.CallOption) (*TagGroup, error) {
	if req == nil || (req.GroupID == "" && req.GroupName == "") || len(req.Tags) == 0 {
		return nil, errors.New("externalcontact: AddCorpTags: a group id or name and at least one tag are required")
	}
	var resp struct {
		TagGroup TagGroup `json:"tag_group"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_corp_tag",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.TagGroup, nil
}

// EditTagRequest renames or reorders a tag or a tag group (ID is either).
// Empty fields are left as they are.
type EditTagRequest struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Order int    `json:"order,omitempty"`
	// AgentID: see AddCorpTagsRequest (corp tags only).
	AgentID int `json:"agentid,omitempty"`
}

// EditCorpTag renames or reorders a corp tag or tag group.
//
// WeCom: POST /cgi-bin/externalcontact/edit_corp_tag
func (s *Service) EditCorpTag(ctx context.Context, req *EditTagRequest, opts ...wecom.CallOption) error {
	if req == nil || req.ID == "" {
		return errors.New("externalcontact: EditCorpTag: id is required")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/edit_corp_tag",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteTagsRequest deletes tags and whole tag groups. A group whose last
// tag is deleted is deleted too.
type DeleteTagsRequest struct {
	TagIDs   []string `json:"tag_id,omitempty"`
	GroupIDs []string `json:"group_id,omitempty"`
	// AgentID: see AddCorpTagsRequest (corp tags only).
	AgentID int `json:"agentid,omitempty"`
}

// DeleteCorpTags deletes corp tags and tag groups; they disappear from
// every customer.
//
// WeCom: POST /cgi-bin/externalcontact/del_corp_tag
func (s *Service) DeleteCorpTags(ctx context.Context, req *DeleteTagsRequest, opts ...wecom.CallOption) error {
	if req == nil || (len(req.TagIDs) == 0 && len(req.GroupIDs) == 0) {
		return errors.New("externalcontact: DeleteCorpTags: no tag or group ids")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/del_corp_tag",
		Body:   req,
	}, nil, opts...)
}

// MarkTagRequest puts tags on and takes tags off a member's customer.
type MarkTagRequest struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTags        []string `json:"add_tag,omitempty"`
	RemoveTags     []string `json:"remove_tag,omitempty"`
}

// MarkTags puts corp or strategy tags on a customer, and takes others
// off, as one member sees them. Repeating it has no further effect.
//
// WeCom: POST /cgi-bin/externalcontact/mark_tag
func (s *Service) MarkTags(ctx context.Context, req *MarkTagRequest, opts ...wecom.CallOption) error {
	switch {
	case req == nil || req.UserID == "" || req.ExternalUserID == "":
		return errors.New("externalcontact: MarkTags: userid and external_userid are required")
	case len(req.AddTags) == 0 && len(req.RemoveTags) == 0:
		return errors.New("externalcontact: MarkTags: no tags to add or remove")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/mark_tag",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// ListStrategyTagsRequest filters strategy tags like ListCorpTags, within
// one strategy (or all when StrategyID is 0).
type ListStrategyTagsRequest struct {
	StrategyID int      `json:"strategy_id,omitempty"`
	TagIDs     []string `json:"tag_id,omitempty"`
	GroupIDs   []string `json:"group_id,omitempty"`
}

// ListStrategyTags returns strategy tag groups and their tags.
//
// WeCom: POST /cgi-bin/externalcontact/get_strategy_tag_list
func (s *Service) ListStrategyTags(ctx context.Context, req *ListStrategyTagsRequest, opts ...wecom.CallOption) ([]TagGroup, error) {
	if req == nil {
		req = &ListStrategyTagsRequest{}
	}
	var resp struct {
		TagGroup []TagGroup `json:"tag_group"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/get_strategy_tag_list",
		Body:       req,
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.TagGroup, nil
}

// AddStrategyTagsRequest adds tags to a strategy's group, like
// AddCorpTagsRequest.
type AddStrategyTagsRequest struct {
	StrategyID int       `json:"strategy_id"`
	GroupID    string    `json:"group_id,omitempty"`
	GroupName  string    `json:"group_name,omitempty"`
	Order      int       `json:"order,omitempty"`
	Tags       []TagSpec `json:"tag"`
}

// AddStrategyTags creates strategy tags and returns their group with the
// tags created.
//
// WeCom: POST /cgi-bin/externalcontact/add_strategy_tag
func (s *Service) AddStrategyTags(ctx context.Context, req *AddStrategyTagsRequest, opts ...wecom.CallOption) (*TagGroup, error) {
	if req == nil || req.StrategyID == 0 || (req.GroupID == "" && req.GroupName == "") || len(req.Tags) == 0 {
		return nil, errors.New("externalcontact: AddStrategyTags: a strategy, a group id or name and at least one tag are required")
	}
	var resp struct {
		TagGroup TagGroup `json:"tag_group"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_strategy_tag",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.TagGroup, nil
}

// EditStrategyTag renames or reorders a strategy tag or tag group.
//
// WeCom: POST /cgi-bin/externalcontact/edit_strategy_tag
func (s *Service) EditStrategyTag(ctx context.Context, req *EditTagRequest, opts ...wecom.CallOption) error {
	if req == nil || req.ID == "" {
		return errors.New("externalcontact: EditStrategyTag: id is required")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/edit_strategy_tag",
		Body:       req,
		Idempotent: true,
	}, nil, opts...)
}

// DeleteStrategyTags deletes strategy tags and tag groups.
//
// WeCom: POST /cgi-bin/externalcontact/del_strategy_tag
func (s *Service) DeleteStrategyTags(ctx context.Context, req *DeleteTagsRequest, opts ...wecom.CallOption) error {
	if req == nil || (len(req.TagIDs) == 0 && len(req.GroupIDs) == 0) {
		return errors.New("externalcontact: DeleteStrategyTags: no tag or group ids")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/del_strategy_tag",
		Body:   req,
	}, nil, opts...)
}
