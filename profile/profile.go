// Package profile holds the profile shapes that several WeCom APIs share:
// the external profile (对外属性) a WeCom user shows to customers, which
// externalcontact/get returns for a customer who is a WeCom user and
// user/get for a member, its attributes, which are also the shape of a
// member's custom fields (extattr), and a WeChat Channels (视频号)
// account.
package profile

import "strconv"

// External is the external profile (对外属性) a WeCom user shows.
type External struct {
	ExternalCorpName string          `json:"external_corp_name,omitempty"`
	WechatChannels   *WechatChannels `json:"wechat_channels,omitempty"`
	ExternalAttr     []Attr          `json:"external_attr,omitempty"`
}

// WechatChannels is a WeChat Channels (视频号) account: in a follow
// relation, the account the customer came from (Source); in a profile,
// the account shown (Status).
type WechatChannels struct {
	Nickname string `json:"nickname"`
	// Source is set in follow relations: 0 unknown, 1 from the Channels
	// profile, 2 from a Channels live stream.
	Source int `json:"source,omitempty"`
	// Status is set in profiles: 0 unverified, 1 verified.
	Status int `json:"status,omitempty"`
}

// AttrType says which of an Attr's values is set.
type AttrType int

// Attribute kinds.
const (
	AttrText        AttrType = 0
	AttrWeb         AttrType = 1
	AttrMiniProgram AttrType = 2 // in external profiles only
)

// String returns "text", "web", "miniprogram" or "AttrType(n)".
func (t AttrType) String() string {
	switch t {
	case AttrText:
		return "text"
	case AttrWeb:
		return "web"
	case AttrMiniProgram:
		return "miniprogram"
	}
	return "AttrType(" + strconv.Itoa(int(t)) + ")"
}

// Attr is one attribute of an external profile, or one custom field of a
// member (extattr): Type says which of Text, Web and MiniProgram is set.
type Attr struct {
	Type        AttrType         `json:"type"`
	Name        string           `json:"name"`
	Text        *TextAttr        `json:"text,omitempty"`
	Web         *WebAttr         `json:"web,omitempty"`
	MiniProgram *MiniProgramAttr `json:"miniprogram,omitempty"`
}

// TextAttr is a text attribute.
type TextAttr struct {
	Value string `json:"value"`
}

// WebAttr is a web link attribute.
type WebAttr struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// MiniProgramAttr is a mini program attribute.
type MiniProgramAttr struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
	Title    string `json:"title"`
}
