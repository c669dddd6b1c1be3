package externalcontact

import (
	"context"
	"net/http"
	"time"

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

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (g TagGroup) CreateAt() time.Time { return wecom.UnixTime(g.CreateTime) }

// Tag is a corp or strategy tag.
type Tag struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	// Order sorts tags in their group: a larger value comes first.
	Order   int  `json:"order"`
	Deleted bool `json:"deleted,omitempty"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (t Tag) CreateAt() time.Time { return wecom.UnixTime(t.CreateTime) }

// TagSpec is a tag to create: a name (at most 30 characters) and an
// optional order.
type TagSpec struct {
	Name  string `json:"name"`
	Order int    `json:"order,omitempty"`
}

// ListCorpTagsRequest filters the corp tags. With no ids it selects all
// of them; with GroupIDs, those groups whole; with TagIDs only, the
// groups of those tags with just those tags. WeCom ignores TagIDs when
// GroupIDs are given.
type ListCorpTagsRequest struct {
	TagIDs   []string `json:"tag_id,omitempty"`
	GroupIDs []string `json:"group_id,omitempty"`
}

type tagGroups struct {
	TagGroup []TagGroup `json:"tag_group"`
}

type tagGroup struct {
	TagGroup TagGroup `json:"tag_group"`
}

// ListCorpTags returns the corp tag groups and their tags that req
// selects (nil: all).
//
// WeCom: POST /cgi-bin/externalcontact/get_corp_tag_list
func (s *Service) ListCorpTags(ctx context.Context, req *ListCorpTagsRequest, opts ...wecom.CallOption) ([]TagGroup, error) {
	r := deref(req)
	resp, err := wecom.Call[tagGroups](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_corp_tag_list", Body: &r, Idempotent: true}, opts...)
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
// created. WeCom sends no change_external_tag callback for a change made
// through the API (only for one made in the admin console).
//
// WeCom: POST /cgi-bin/externalcontact/add_corp_tag
func (s *Service) AddCorpTags(ctx context.Context, req *AddCorpTagsRequest, opts ...wecom.CallOption) (*TagGroup, error) {
	r := deref(req)
	if (r.GroupID == "" && r.GroupName == "") || len(r.Tags) == 0 {
		return nil, wecom.InvalidArgument("externalcontact: add corp tags: a group_id or group_name and at least one tag are required")
	}
	resp, err := wecom.Call[tagGroup](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_corp_tag", Body: &r}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.TagGroup, nil
}

// EditCorpTagRequest renames or reorders a corp tag or a tag group (ID is
// either). Empty fields are left as they are.
type EditCorpTagRequest struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Order int    `json:"order,omitempty"`
	// AgentID: see AddCorpTagsRequest.
	AgentID int `json:"agentid,omitempty"`
}

// EditStrategyTagRequest renames or reorders a strategy tag or a tag
// group (ID is either). Empty fields are left as they are.
type EditStrategyTagRequest struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Order int    `json:"order,omitempty"`
}

// EditCorpTag renames or reorders a corp tag or tag group.
//
// WeCom: POST /cgi-bin/externalcontact/edit_corp_tag
func (s *Service) EditCorpTag(ctx context.Context, req *EditCorpTagRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.ID == "" {
		return wecom.InvalidArgument("externalcontact: edit corp tag: id is required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/edit_corp_tag", Body: &r, Idempotent: true}, nil, opts...)
}

// DeleteCorpTagsRequest deletes corp tags and whole tag groups. A group
// whose last tag is deleted is deleted too.
type DeleteCorpTagsRequest struct {
	TagIDs   []string `json:"tag_id,omitempty"`
	GroupIDs []string `json:"group_id,omitempty"`
	// AgentID: see AddCorpTagsRequest.
	AgentID int `json:"agentid,omitempty"`
}

// DeleteStrategyTagsRequest deletes strategy tags and whole tag groups.
type DeleteStrategyTagsRequest struct {
	TagIDs   []string `json:"tag_id,omitempty"`
	GroupIDs []string `json:"group_id,omitempty"`
}

// DeleteCorpTags deletes corp tags and tag groups; they disappear from
// every customer.
//
// WeCom: POST /cgi-bin/externalcontact/del_corp_tag
func (s *Service) DeleteCorpTags(ctx context.Context, req *DeleteCorpTagsRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if len(r.TagIDs) == 0 && len(r.GroupIDs) == 0 {
		return wecom.InvalidArgument("externalcontact: delete corp tags: no tag_id or group_id given")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/del_corp_tag", Body: &r}, nil, opts...)
}

// MarkTagsRequest puts tags on and takes tags off a member's customer.
type MarkTagsRequest struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTags        []string `json:"add_tag,omitempty"`
	RemoveTags     []string `json:"remove_tag,omitempty"`
}

// MarkTags puts corp or strategy tags on a customer, and takes others
// off, as one member sees them. Repeating it has no further effect.
//
// WeCom: POST /cgi-bin/externalcontact/mark_tag
func (s *Service) MarkTags(ctx context.Context, req *MarkTagsRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	switch {
	case r.UserID == "" || r.ExternalUserID == "":
		return wecom.InvalidArgument("externalcontact: mark tags: userid and external_userid are required")
	case len(r.AddTags) == 0 && len(r.RemoveTags) == 0:
		return wecom.InvalidArgument("externalcontact: mark tags: no tags to add or remove")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/mark_tag", Body: &r, Idempotent: true}, nil, opts...)
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
	r := deref(req)
	resp, err := wecom.Call[tagGroups](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_strategy_tag_list", Body: &r, Idempotent: true}, opts...)
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
	r := deref(req)
	if r.StrategyID == 0 || (r.GroupID == "" && r.GroupName == "") || len(r.Tags) == 0 {
		return nil, wecom.InvalidArgument("externalcontact: add strategy tags: strategy_id, a group_id or group_name and at least one tag are required")
	}
	resp, err := wecom.Call[tagGroup](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_strategy_tag", Body: &r}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.TagGroup, nil
}

// EditStrategyTag renames or reorders a strategy tag or tag group.
//
// WeCom: POST /cgi-bin/externalcontact/edit_strategy_tag
func (s *Service) EditStrategyTag(ctx context.Context, req *EditStrategyTagRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.ID == "" {
		return wecom.InvalidArgument("externalcontact: edit strategy tag: id is required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/edit_strategy_tag", Body: &r, Idempotent: true}, nil, opts...)
}

// DeleteStrategyTags deletes strategy tags and tag groups.
//
// WeCom: POST /cgi-bin/externalcontact/del_strategy_tag
func (s *Service) DeleteStrategyTags(ctx context.Context, req *DeleteStrategyTagsRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if len(r.TagIDs) == 0 && len(r.GroupIDs) == 0 {
		return wecom.InvalidArgument("externalcontact: delete strategy tags: no tag_id or group_id given")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/del_strategy_tag", Body: &r}, nil, opts...)
}
