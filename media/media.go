// Package media uploads temporary media and images: the media_id that
// welcome messages, mass messages, group welcome templates and contact-way
// conclusions carry (image.media_id, miniprogram.pic_media_id, video and
// file media_id), and the lasting image URL for pic_url / picurl fields.
//
// Uploads stream from an io.Reader as multipart/form-data; the SDK never
// holds the content in memory. Moment and product-album attachments use
// moments.UploadAttachment instead (media/upload_attachment).
package media

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
)

// Service uploads media. Create it with New(client).
type Service struct{ c *wecom.Client }

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// Type is the kind of a temporary media file.
type Type string

// Media types of media/upload.
const (
	TypeImage Type = "image" // JPG or PNG, up to MaxImageSize
	TypeVoice Type = "voice" // AMR, up to MaxVoiceSize and 60 s
	TypeVideo Type = "video" // MP4, up to MaxVideoSize
	TypeFile  Type = "file"  // any file, up to MaxFileSize
)

// String returns the type as WeCom spells it.
func (t Type) String() string { return string(t) }

// Size limits of media/upload and media/uploadimg. Every file must be
// larger than MinSize. Older copies of WeCom's documentation give 2 MB for
// images on media/upload; the SDK does not enforce that stricter figure.
const (
	MinSize          = 5
	MaxImageSize     = 10 << 20
	MaxVoiceSize     = 2 << 20
	MaxVideoSize     = 10 << 20
	MaxFileSize      = 20 << 20
	MaxUploadImgSize = 2 << 20
)

// Lifetime is how long a temporary media_id stays valid: 3 days from
// upload. It is shared by the apps of one corp.
const Lifetime = 72 * time.Hour

func (t Type) maxSize() (int64, bool) {
	switch t {
	case TypeImage:
		return MaxImageSize, true
	case TypeVoice:
		return MaxVoiceSize, true
	case TypeVideo:
		return MaxVideoSize, true
	case TypeFile:
		return MaxFileSize, true
	}
	return 0, false
}

// UploadRequest is a file to upload as temporary media.
type UploadRequest struct {
	// Type is the media type (required).
	Type Type
	// FileName is the file's name as WeCom records it (required).
	FileName string
	// ContentType is the file part's type (e.g. image/png); the default is
	// application/octet-stream.
	ContentType string
	// Reader supplies the content (required). A reader that is also an
	// io.Seeker lets the call be repeated after a token refresh or a
	// frequency limit.
	Reader io.Reader
	// Size is the content's length. When it is known a file over the type's
	// limit is refused before anything is sent; 0 means unknown (found by
	// seeking when Reader is an io.Seeker).
	Size int64
}

// Uploaded is an uploaded temporary media file.
type Uploaded struct {
	Type    Type   `json:"type"`
	MediaID string `json:"media_id"`
	// CreateTime is when the file was uploaded, Unix seconds (WeCom's
	// created_at, sent as a string; both forms are accepted). The media_id
	// is valid for Lifetime from then.
	CreateTime int64 `json:"created_at"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (u *Uploaded) CreateAt() time.Time { return wecom.UnixTime(u.CreateTime) }

// UnmarshalJSON accepts created_at as a number or a numeric string.
func (u *Uploaded) UnmarshalJSON(b []byte) error {
	type plain Uploaded
	aux := struct {
		*plain
		CreateTime flex.Int `json:"created_at"`
	}{plain: (*plain)(u)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	u.CreateTime = int64(aux.CreateTime)
	return nil
}

func checkFile(op string, name string, r io.Reader, size, max int64) error {
	switch {
	case name == "":
		return wecom.InvalidArgument("media: %s: empty file name", op)
	case r == nil:
		return wecom.InvalidArgument("media: %s: nil reader", op)
	case size < 0:
		return wecom.InvalidArgument("media: %s: negative size %d", op, size)
	case size > 0 && size <= MinSize:
		return wecom.InvalidArgument("media: %s: %d bytes: a file must be larger than %d bytes", op, size, MinSize)
	case size > max:
		return wecom.InvalidArgument("media: %s: %d bytes exceeds the %d-byte limit", op, size, max)
	}
	return nil
}

// Upload uploads a temporary media file and returns its media_id, valid
// for 3 days (Lifetime). The content is streamed from req.Reader, never
// held in memory. An upload whose outcome is unknown is not repeated.
//
// WeCom: POST /cgi-bin/media/upload
func (s *Service) Upload(ctx context.Context, req *UploadRequest, opts ...wecom.CallOption) (*Uploaded, error) {
	if req == nil {
		req = &UploadRequest{}
	}
	max, ok := req.Type.maxSize()
	if !ok {
		return nil, wecom.InvalidArgument("media: upload: unknown media type %q", string(req.Type))
	}
	if err := checkFile("upload", req.FileName, req.Reader, req.Size, max); err != nil {
		return nil, err
	}
	return wecom.Call[Uploaded](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/media/upload",
		Query: struct {
			Type string `url:"type"`
		}{string(req.Type)},
		Upload: &wecom.Upload{FieldName: "media", FileName: req.FileName, ContentType: req.ContentType, Reader: req.Reader, Size: req.Size},
	}, opts...)
}

// UploadImageRequest is an image to upload for a lasting URL.
type UploadImageRequest struct {
	// FileName is the image's name, ending .jpg, .jpeg or .png (required).
	FileName string
	// ContentType is the file part's type, such as image/png.
	ContentType string
	// Reader supplies the content (required).
	Reader io.Reader
	// Size is the content's length (0: unknown); up to MaxUploadImgSize.
	Size int64
}

// UploadImage uploads an image and returns its lasting URL, for the pic_url
// and picurl fields of messages. The URL displays only inside WeCom. WeCom
// allows at most 1,000 such uploads a day and 3,000 a month per corp.
//
// WeCom: POST /cgi-bin/media/uploadimg
func (s *Service) UploadImage(ctx context.Context, req *UploadImageRequest, opts ...wecom.CallOption) (string, error) {
	if req == nil {
		req = &UploadImageRequest{}
	}
	if err := checkFile("upload image", req.FileName, req.Reader, req.Size, MaxUploadImgSize); err != nil {
		return "", err
	}
	resp, err := wecom.Call[struct {
		URL string `json:"url"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/media/uploadimg",
		Upload: &wecom.Upload{FieldName: "media", FileName: req.FileName, ContentType: req.ContentType, Reader: req.Reader, Size: req.Size},
	}, opts...)
	if err != nil {
		return "", err
	}
	return resp.URL, nil
}
