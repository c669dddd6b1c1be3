// Package message holds the message shapes several WeCom endpoints share:
// the text and attachments of mass messages (add_msg_template), welcome
// messages (send_welcome_msg), group welcome templates and the conclusions
// of contact ways. It has no calls of its own.
package message

import "strconv"

// Type is an attachment's msgtype.
type Type string

// Attachment types.
const (
	TypeImage       Type = "image"
	TypeLink        Type = "link"
	TypeMiniProgram Type = "miniprogram"
	TypeVideo       Type = "video"
	TypeFile        Type = "file"
)

// Text is a text message body.
type Text struct {
	Content string `json:"content"`
}

// Image is an image, by uploaded media id or (where the endpoint accepts it)
// by picture URL.
type Image struct {
	MediaID string `json:"media_id,omitempty"`
	PicURL  string `json:"pic_url,omitempty"`
}

// Link is a link card.
type Link struct {
	Title  string `json:"title"`
	PicURL string `json:"picurl,omitempty"`
	Desc   string `json:"desc,omitempty"`
	URL    string `json:"url"`
}

// MiniProgram is a mini program card. PicMediaID is an uploaded cover image.
type MiniProgram struct {
	Title      string `json:"title"`
	PicMediaID string `json:"pic_media_id"`
	AppID      string `json:"appid"`
	Page       string `json:"page"`
}

// Video is an uploaded video.
type Video struct {
	MediaID string `json:"media_id"`
}

// File is an uploaded file.
type File struct {
	MediaID string `json:"media_id"`
}

// Attachment is one entry of an attachments list: MsgType says which of
// the other fields is set. Build one with the constructors below.
type Attachment struct {
	MsgType     Type         `json:"msgtype"`
	Image       *Image       `json:"image,omitempty"`
	Link        *Link        `json:"link,omitempty"`
	MiniProgram *MiniProgram `json:"miniprogram,omitempty"`
	Video       *Video       `json:"video,omitempty"`
	File        *File        `json:"file,omitempty"`
}

// ImageAttachment returns an image attachment of an uploaded media id.
func ImageAttachment(mediaID string) Attachment {
	return Attachment{MsgType: TypeImage, Image: &Image{MediaID: mediaID}}
}

// ImageURLAttachment returns an image attachment of a picture URL.
func ImageURLAttachment(picURL string) Attachment {
	return Attachment{MsgType: TypeImage, Image: &Image{PicURL: picURL}}
}

// LinkAttachment returns a link attachment.
func LinkAttachment(l Link) Attachment { return Attachment{MsgType: TypeLink, Link: &l} }

// MiniProgramAttachment returns a mini program attachment.
func MiniProgramAttachment(m MiniProgram) Attachment {
	return Attachment{MsgType: TypeMiniProgram, MiniProgram: &m}
}

// VideoAttachment returns a video attachment of an uploaded media id.
func VideoAttachment(mediaID string) Attachment {
	return Attachment{MsgType: TypeVideo, Video: &Video{MediaID: mediaID}}
}

// FileAttachment returns a file attachment of an uploaded media id.
func FileAttachment(mediaID string) Attachment {
	return Attachment{MsgType: TypeFile, File: &File{MediaID: mediaID}}
}

// Valid reports whether exactly the field MsgType names is set.
func (a Attachment) Valid() bool {
	n := 0
	for _, set := range []bool{a.Image != nil, a.Link != nil, a.MiniProgram != nil, a.Video != nil, a.File != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return false
	}
	switch a.MsgType {
	case TypeImage:
		return a.Image != nil
	case TypeLink:
		return a.Link != nil
	case TypeMiniProgram:
		return a.MiniProgram != nil
	case TypeVideo:
		return a.Video != nil
	case TypeFile:
		return a.File != nil
	}
	return false
}

// FilterType selects mass messages (get_groupmsg_list_v2) or moments
// (get_moment_list) by who created them.
type FilterType int

// Filter types.
const (
	FilterCorp     FilterType = 0 // created by the corp (the API or the admin console)
	FilterPersonal FilterType = 1 // created by members themselves
	FilterAll      FilterType = 2 // both; WeCom's default
)

// String returns "corp", "personal", "all", or "FilterType(n)".
func (f FilterType) String() string {
	switch f {
	case FilterCorp:
		return "corp"
	case FilterPersonal:
		return "personal"
	case FilterAll:
		return "all"
	}
	return "FilterType(" + strconv.Itoa(int(f)) + ")"
}

// Ptr returns a pointer to f, for the optional FilterType of a list
// request (nil there means WeCom's default, all).
func (f FilterType) Ptr() *FilterType { return &f }

// CreateType says who created a mass message or a moment.
type CreateType int

// Create types.
const (
	CreateCorp     CreateType = 0
	CreatePersonal CreateType = 1
)

// String returns "corp", "personal", or "CreateType(n)".
func (c CreateType) String() string {
	switch c {
	case CreateCorp:
		return "corp"
	case CreatePersonal:
		return "personal"
	}
	return "CreateType(" + strconv.Itoa(int(c)) + ")"
}
