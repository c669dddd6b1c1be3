// Package appmessage sends app messages (应用消息) to the corp's members:
// notices from the app whose secret the Client holds, such as "a mass
// message is waiting for you to confirm" or a card with buttons. It also
// recalls them and updates the template cards members answered.
//
//	svc := appmessage.New(client) // client made with wecom.WithAgentID(agentID)
//	res, err := svc.Send(ctx, &appmessage.SendRequest{
//		ToUser: []string{"zhangsan"},
//		Text:   &message.Text{Content: "您有一条群发任务待确认"},
//	})
//
// Limits: per app, 200 × the corp's account limit person-times a day (one
// message to 1000 members counts 1000); per member, 30 messages a minute
// and 1000 an hour from one app. WeCom drops the excess silently: the
// call succeeds and the member never sees it.
//
// A send, a recall and a card update are changes: the Client never
// repeats them where WeCom may have applied them (the error then reports
// wecom.IsMaybeApplied). Turn on duplicate checking
// (EnableDuplicateCheck) to make a deliberate resend of the same request
// harmless.
package appmessage

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
)

// Service sends app messages. Create it with New; it is safe for
// concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c. Messages go out as the
// app of c.AgentID() (set with wecom.WithAgentID) unless a request names
// another agentid.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// All is the touser value WeCom reads as "every member in the app's
// visibility range". Set SendRequest.ToAll rather than writing it.
const All = "@all"

// Recipient limits of one send.
const (
	MaxUsers   = 1000 // userids in ToUser
	MaxParties = 100  // department ids in ToParty
	MaxTags    = 100  // tag ids in ToTag
)

// Duplicate checking: WeCom's default interval, and the most it accepts.
const (
	DefaultDuplicateCheckInterval = 1800 * time.Second
	MaxDuplicateCheckInterval     = 4 * time.Hour
)

// RecallWindow is how long after sending a message can be recalled.
const RecallWindow = 24 * time.Hour

// ResponseCodeValidity is how long the response_code of an interactive
// template card may be used with UpdateTemplateCard (once).
const ResponseCodeValidity = 72 * time.Hour

// CodeAllRecipientsInvalid (81013) is the errcode of a send whose every
// recipient is invalid (unknown, or outside the app's visibility range):
// nothing was sent. When only some are invalid the send succeeds and
// SendResult lists them.
const CodeAllRecipientsInvalid wecom.Code = 81013

// MsgType is the msgtype of an app message.
type MsgType string

// The message types this package sends.
const (
	MsgTypeText         MsgType = "text"
	MsgTypeMarkdown     MsgType = "markdown"
	MsgTypeTextCard     MsgType = "textcard"
	MsgTypeNews         MsgType = "news"
	MsgTypeTemplateCard MsgType = "template_card"
)

// String implements fmt.Stringer.
func (t MsgType) String() string { return string(t) }

// SendRequest is one app message: its recipients, exactly one body (Text,
// Markdown, TextCard, News or TemplateCard) and its options.
type SendRequest struct {
	// ToUser lists member userids (at most MaxUsers).
	ToUser []string
	// ToParty lists department ids (at most MaxParties): their members
	// and those of their sub-departments.
	ToParty []int
	// ToTag lists address-book tag ids (at most MaxTags).
	ToTag []int
	// ToAll sends to every member in the app's visibility range (touser
	// "@all"); ToUser, ToParty and ToTag must then be empty.
	ToAll bool
	// AgentID is the sending app; 0 means the Client's AgentID().
	AgentID int

	Text         *message.Text
	Markdown     *Markdown
	TextCard     *TextCard
	News         *News
	TemplateCard *TemplateCard

	// Safe marks the message confidential (保密消息: watermarked, not
	// forwardable); text, textcard and file messages only.
	Safe bool
	// EnableIDTrans turns on id translation ($userName=ID$ and the like);
	// third-party apps only.
	EnableIDTrans bool
	// EnableDuplicateCheck makes WeCom deliver a request identical to one
	// sent within DuplicateCheckInterval only once.
	EnableDuplicateCheck bool
	// DuplicateCheckInterval is the window of the duplicate check, whole
	// seconds up to MaxDuplicateCheckInterval; 0 means WeCom's default
	// (DefaultDuplicateCheckInterval). It needs EnableDuplicateCheck.
	DuplicateCheckInterval time.Duration
}

// Markdown is a markdown message (the subset WeCom renders; members on
// WeChat see it as plain text). Content is at most 2048 bytes.
type Markdown struct {
	Content string `json:"content"`
}

// TextCard is a text card: a title, a description (which may use WeCom's
// <div class="gray|normal|highlight"> markup) and a link.
type TextCard struct {
	Title       string `json:"title"`            // at most 128 bytes
	Description string `json:"description"`      // at most 512 bytes
	URL         string `json:"url"`              // opened on tap; required
	BtnTxt      string `json:"btntxt,omitempty"` // at most 4 characters; default "详情"
}

// News is a news message of 1 to MaxArticles articles.
type News struct {
	Articles []Article `json:"articles"`
}

// MaxArticles is the most articles of a News message.
const MaxArticles = 8

// Article is one article of a News message: it opens URL, or the mini
// program AppID at PagePath.
type Article struct {
	Title       string `json:"title"`                 // at most 128 bytes
	Description string `json:"description,omitempty"` // at most 512 bytes
	URL         string `json:"url,omitempty"`
	PicURL      string `json:"picurl,omitempty"`
	AppID       string `json:"appid,omitempty"`
	PagePath    string `json:"pagepath,omitempty"`
}

// SendResult is WeCom's answer to a send that succeeded, possibly for only
// some of the recipients.
type SendResult struct {
	// InvalidUsers are the userids that were not reached (unknown, or
	// outside the app's visibility range), lower-cased by WeCom.
	InvalidUsers []string
	// InvalidParties are the department ids that were not reached.
	InvalidParties []string
	// InvalidTags are the tag ids that were not reached.
	InvalidTags []string
	// UnlicensedUsers are members without the interface licence (接口许可)
	// the app needs to message them.
	UnlicensedUsers []string
	// MsgID identifies the message: the only handle to Recall it.
	MsgID string
	// ResponseCode is set for button_interaction, vote_interaction and
	// multiple_interaction template cards: pass it to UpdateTemplateCard,
	// once, within ResponseCodeValidity.
	ResponseCode string
}

// Partial reports whether some recipients were not reached.
func (r *SendResult) Partial() bool {
	return len(r.InvalidUsers)+len(r.InvalidParties)+len(r.InvalidTags)+len(r.UnlicensedUsers) > 0
}

// sendBody is message/send's request as WeCom reads it.
type sendBody struct {
	ToUser                 string        `json:"touser,omitempty"`
	ToParty                string        `json:"toparty,omitempty"`
	ToTag                  string        `json:"totag,omitempty"`
	MsgType                MsgType       `json:"msgtype"`
	AgentID                int           `json:"agentid"`
	Text                   *message.Text `json:"text,omitempty"`
	Markdown               *Markdown     `json:"markdown,omitempty"`
	TextCard               *TextCard     `json:"textcard,omitempty"`
	News                   *News         `json:"news,omitempty"`
	TemplateCard           *TemplateCard `json:"template_card,omitempty"`
	Safe                   int           `json:"safe,omitempty"`
	EnableIDTrans          int           `json:"enable_id_trans,omitempty"`
	EnableDuplicateCheck   int           `json:"enable_duplicate_check,omitempty"`
	DuplicateCheckInterval int64         `json:"duplicate_check_interval,omitempty"`
}

// Send sends an app message. A result with invalid or unlicensed
// recipients is still a success (see SendResult.Partial); a send where
// every recipient is invalid fails with CodeAllRecipientsInvalid. Members
// over the per-member limit (30 a minute, 1000 an hour from one app) do
// not get it, and WeCom does not say so.
//
// Not idempotent: the Client never repeats it where WeCom may have
// applied it; such an error reports wecom.IsMaybeApplied.
//
// WeCom: POST /cgi-bin/message/send
func (s *Service) Send(ctx context.Context, req *SendRequest, opts ...wecom.CallOption) (*SendResult, error) {
	if req == nil {
		req = &SendRequest{}
	}
	body, err := s.sendBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := wecom.Call[struct {
		InvalidUser    idList `json:"invaliduser"`
		InvalidParty   idList `json:"invalidparty"`
		InvalidTag     idList `json:"invalidtag"`
		UnlicensedUser idList `json:"unlicenseduser"`
		MsgID          string `json:"msgid"`
		ResponseCode   string `json:"response_code"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/message/send",
		Body:   body,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &SendResult{
		InvalidUsers:    resp.InvalidUser,
		InvalidParties:  resp.InvalidParty,
		InvalidTags:     resp.InvalidTag,
		UnlicensedUsers: resp.UnlicensedUser,
		MsgID:           resp.MsgID,
		ResponseCode:    resp.ResponseCode,
	}, nil
}

func (s *Service) sendBody(req *SendRequest) (*sendBody, error) {
	const op = "appmessage: send"
	b := &sendBody{AgentID: req.AgentID}
	if b.AgentID == 0 {
		b.AgentID = s.c.AgentID()
	}
	if b.AgentID <= 0 {
		return nil, wecom.InvalidArgument("%s: no agentid: create the Client with wecom.WithAgentID or set SendRequest.AgentID", op)
	}
	var err error
	if b.ToUser, b.ToParty, b.ToTag, err = recipients(op, req.ToUser, req.ToParty, req.ToTag, req.ToAll); err != nil {
		return nil, err
	}
	n := 0
	if req.Text != nil {
		n++
		b.MsgType, b.Text = MsgTypeText, req.Text
		if req.Text.Content == "" {
			return nil, wecom.InvalidArgument("%s: text content is required", op)
		}
	}
	if req.Markdown != nil {
		n++
		b.MsgType, b.Markdown = MsgTypeMarkdown, req.Markdown
		if req.Markdown.Content == "" {
			return nil, wecom.InvalidArgument("%s: markdown content is required", op)
		}
	}
	if req.TextCard != nil {
		n++
		b.MsgType, b.TextCard = MsgTypeTextCard, req.TextCard
		if err := req.TextCard.check(op); err != nil {
			return nil, err
		}
	}
	if req.News != nil {
		n++
		b.MsgType, b.News = MsgTypeNews, req.News
		if err := req.News.check(op); err != nil {
			return nil, err
		}
	}
	if req.TemplateCard != nil {
		n++
		b.MsgType, b.TemplateCard = MsgTypeTemplateCard, req.TemplateCard
		if err := req.TemplateCard.check(op); err != nil {
			return nil, err
		}
	}
	switch {
	case n == 0:
		return nil, wecom.InvalidArgument("%s: no body: set one of Text, Markdown, TextCard, News or TemplateCard", op)
	case n > 1:
		return nil, wecom.InvalidArgument("%s: %d bodies: set only one of Text, Markdown, TextCard, News or TemplateCard", op, n)
	}
	b.Safe = boolInt(req.Safe)
	b.EnableIDTrans = boolInt(req.EnableIDTrans)
	b.EnableDuplicateCheck = boolInt(req.EnableDuplicateCheck)
	if d := req.DuplicateCheckInterval; d != 0 {
		switch {
		case !req.EnableDuplicateCheck:
			return nil, wecom.InvalidArgument("%s: DuplicateCheckInterval needs EnableDuplicateCheck", op)
		case d < time.Second || d > MaxDuplicateCheckInterval || d%time.Second != 0:
			return nil, wecom.InvalidArgument("%s: duplicate check interval %s is not whole seconds in 1s..%s", op, d, MaxDuplicateCheckInterval)
		}
		b.DuplicateCheckInterval = int64(d / time.Second)
	}
	return b, nil
}

// recipients checks and joins the recipient lists as WeCom reads them.
func recipients(op string, users []string, parties, tags []int, all bool) (touser, toparty, totag string, err error) {
	if all {
		if len(users)+len(parties)+len(tags) > 0 {
			return "", "", "", wecom.InvalidArgument("%s: ToAll sends to everyone: leave ToUser, ToParty and ToTag empty", op)
		}
		return All, "", "", nil
	}
	if len(users)+len(parties)+len(tags) == 0 {
		return "", "", "", wecom.InvalidArgument("%s: no recipient: set ToUser, ToParty, ToTag or ToAll", op)
	}
	if len(users) > MaxUsers {
		return "", "", "", wecom.InvalidArgument("%s: %d users: at most %d", op, len(users), MaxUsers)
	}
	if len(parties) > MaxParties {
		return "", "", "", wecom.InvalidArgument("%s: %d parties: at most %d", op, len(parties), MaxParties)
	}
	if len(tags) > MaxTags {
		return "", "", "", wecom.InvalidArgument("%s: %d tags: at most %d", op, len(tags), MaxTags)
	}
	for i, u := range users {
		switch {
		case u == "":
			return "", "", "", wecom.InvalidArgument("%s: userid %d is empty", op, i)
		case u == All:
			return "", "", "", wecom.InvalidArgument("%s: userid %d is %q: set ToAll instead", op, i, All)
		case strings.ContainsRune(u, '|'):
			return "", "", "", wecom.InvalidArgument("%s: userid %d contains '|', WeCom's separator", op, i)
		}
	}
	for i, p := range parties {
		if p <= 0 {
			return "", "", "", wecom.InvalidArgument("%s: party id %d is %d, not positive", op, i, p)
		}
	}
	for i, t := range tags {
		if t <= 0 {
			return "", "", "", wecom.InvalidArgument("%s: tag id %d is %d, not positive", op, i, t)
		}
	}
	return strings.Join(users, "|"), joinInts(parties), joinInts(tags), nil
}

func joinInts(ids []int) string {
	var sb strings.Builder
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(strconv.Itoa(id))
	}
	return sb.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *TextCard) check(op string) error {
	switch {
	case c.Title == "":
		return wecom.InvalidArgument("%s: textcard title is required", op)
	case c.Description == "":
		return wecom.InvalidArgument("%s: textcard description is required", op)
	case c.URL == "":
		return wecom.InvalidArgument("%s: textcard url is required", op)
	}
	return nil
}

func (n *News) check(op string) error {
	if len(n.Articles) == 0 || len(n.Articles) > MaxArticles {
		return wecom.InvalidArgument("%s: %d news articles: need 1..%d", op, len(n.Articles), MaxArticles)
	}
	for i, a := range n.Articles {
		if a.Title == "" {
			return wecom.InvalidArgument("%s: news article %d: title is required", op, i)
		}
		if a.URL == "" && a.AppID == "" {
			return wecom.InvalidArgument("%s: news article %d: url or appid is required", op, i)
		}
	}
	return nil
}

// Recall withdraws a message sent within the last RecallWindow (24 hours)
// from every recipient. msgID is SendResult.MsgID.
//
// Not idempotent: a repeat after a recall that went through fails.
//
// WeCom: POST /cgi-bin/message/recall
func (s *Service) Recall(ctx context.Context, msgID string, opts ...wecom.CallOption) error {
	if msgID == "" {
		return wecom.InvalidArgument("appmessage: recall: msgid is required")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/message/recall",
		Body: struct {
			MsgID string `json:"msgid"`
		}{msgID},
	}, nil, opts...)
}

// UpdateTemplateCardRequest changes an interactive template card members
// received, after one of them answered it (the template_card_event
// callback carries the response code).
type UpdateTemplateCardRequest struct {
	// ResponseCode is SendResult.ResponseCode or the one of the
	// template_card_event callback; single use, valid
	// ResponseCodeValidity. Required.
	ResponseCode string
	// UserIDs, PartyIDs and TagIDs name the recipients whose card changes
	// (at most MaxUsers, MaxParties and MaxTags); AtAll changes it for
	// every recipient of the message. WeCom marks each optional: set the
	// ones you mean.
	UserIDs  []string
	PartyIDs []int
	TagIDs   []int
	AtAll    bool
	// AgentID is the app that sent the card; 0 means the Client's
	// AgentID().
	AgentID int
	// EnableIDTrans turns on id translation (third-party apps only).
	EnableIDTrans bool

	// ReplaceName turns the card's buttons into one grey, disabled button
	// with this text. Set it or TemplateCard, not both.
	ReplaceName string
	// TemplateCard replaces the whole card.
	TemplateCard *TemplateCard
}

// UpdateTemplateCardResult is WeCom's answer to a card update.
type UpdateTemplateCardResult struct {
	// InvalidUsers are the userids whose card could not be updated.
	InvalidUsers []string
}

// UpdateTemplateCard replaces an interactive template card (or only its
// buttons) for its recipients.
//
// Not idempotent: the response code is single use.
//
// WeCom: POST /cgi-bin/message/update_template_card
func (s *Service) UpdateTemplateCard(ctx context.Context, req *UpdateTemplateCardRequest, opts ...wecom.CallOption) (*UpdateTemplateCardResult, error) {
	const op = "appmessage: update template card"
	if req == nil {
		req = &UpdateTemplateCardRequest{}
	}
	agentID := req.AgentID
	if agentID == 0 {
		agentID = s.c.AgentID()
	}
	switch {
	case agentID <= 0:
		return nil, wecom.InvalidArgument("%s: no agentid: create the Client with wecom.WithAgentID or set UpdateTemplateCardRequest.AgentID", op)
	case req.ResponseCode == "":
		return nil, wecom.InvalidArgument("%s: response code is required", op)
	case req.ReplaceName == "" && req.TemplateCard == nil:
		return nil, wecom.InvalidArgument("%s: set ReplaceName or TemplateCard", op)
	case req.ReplaceName != "" && req.TemplateCard != nil:
		return nil, wecom.InvalidArgument("%s: set ReplaceName or TemplateCard, not both", op)
	case req.AtAll && len(req.UserIDs)+len(req.PartyIDs)+len(req.TagIDs) > 0:
		return nil, wecom.InvalidArgument("%s: AtAll updates every recipient: leave UserIDs, PartyIDs and TagIDs empty", op)
	case len(req.UserIDs) > MaxUsers:
		return nil, wecom.InvalidArgument("%s: %d users: at most %d", op, len(req.UserIDs), MaxUsers)
	case len(req.PartyIDs) > MaxParties:
		return nil, wecom.InvalidArgument("%s: %d parties: at most %d", op, len(req.PartyIDs), MaxParties)
	case len(req.TagIDs) > MaxTags:
		return nil, wecom.InvalidArgument("%s: %d tags: at most %d", op, len(req.TagIDs), MaxTags)
	}
	if req.TemplateCard != nil {
		if err := req.TemplateCard.checkType(op); err != nil {
			return nil, err
		}
	}
	body := struct {
		UserIDs       []string      `json:"userids,omitempty"`
		PartyIDs      []int         `json:"partyids,omitempty"`
		TagIDs        []int         `json:"tagids,omitempty"`
		AtAll         int           `json:"atall,omitempty"`
		AgentID       int           `json:"agentid"`
		ResponseCode  string        `json:"response_code"`
		EnableIDTrans int           `json:"enable_id_trans,omitempty"`
		Button        *replaceName  `json:"button,omitempty"`
		TemplateCard  *TemplateCard `json:"template_card,omitempty"`
	}{
		UserIDs: req.UserIDs, PartyIDs: req.PartyIDs, TagIDs: req.TagIDs, AtAll: boolInt(req.AtAll),
		AgentID: agentID, ResponseCode: req.ResponseCode, EnableIDTrans: boolInt(req.EnableIDTrans),
		TemplateCard: req.TemplateCard,
	}
	if req.ReplaceName != "" {
		body.Button = &replaceName{req.ReplaceName}
	}
	resp, err := wecom.Call[struct {
		InvalidUser idList `json:"invaliduser"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/message/update_template_card",
		Body:   body,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &UpdateTemplateCardResult{InvalidUsers: resp.InvalidUser}, nil
}

type replaceName struct {
	ReplaceName string `json:"replace_name"`
}

// idList decodes WeCom's lists of ids: "a|b" (message/send), or a JSON
// array of strings or numbers (update_template_card answers an array).
// Empty gives nil.
type idList []string

func (l *idList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*l = nil
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = splitBar(s)
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			// A number: keep its text.
			s = string(bytes.TrimSpace(r))
		}
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	*l = out
	return nil
}

func splitBar(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
