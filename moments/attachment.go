package moments

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/internal/wire"
)

// MediaType is the kind of file an attachment upload carries.
type MediaType string

// Media types of upload_attachment.
const (
	MediaTypeImage MediaType = "image" // JPG or PNG, up to MaxImageSize
	MediaTypeVideo MediaType = "video" // MP4, up to MaxVideoSize
	MediaTypeFile  MediaType = "file"  // any file, up to MaxFileSize
)

// String returns the media type as WeCom spells it.
func (m MediaType) String() string { return string(m) }

// Size limits of upload_attachment.
const (
	MaxImageSize = 10 << 20
	MaxVideoSize = 10 << 20
	MaxFileSize  = 20 << 20
)

func (m MediaType) maxSize() (int64, bool) {
	switch m {
	case MediaTypeImage:
		return MaxImageSize, true
	case MediaTypeVideo:
		return MaxVideoSize, true
	case MediaTypeFile:
		return MaxFileSize, true
	}
	return 0, false
}

// AttachmentType says what an uploaded attachment is for.
type AttachmentType int

// Attachment types.
const (
	AttachmentTypeMoment       AttachmentType = 1 // a moment (add_moment_task)
	AttachmentTypeProductAlbum AttachmentType = 2 // a product album (add_product_album)
)

// String returns "moment", "product_album", or "AttachmentType(n)".
func (a AttachmentType) String() string {
	switch a {
	case AttachmentTypeMoment:
		return "moment"
	case AttachmentTypeProductAlbum:
		return "product_album"
	}
	return "AttachmentType(" + strconv.Itoa(int(a)) + ")"
}

// UploadedAttachment is an uploaded attachment. Its MediaID does not
// expire, unlike a temporary media id.
type UploadedAttachment struct {
	Type    MediaType `json:"type"`
	MediaID string    `json:"media_id"`
	// CreateTime is WeCom's created_at, Unix seconds (WeCom sends it as a
	// string; both forms are accepted). It is named like every other
	// timestamp of the SDK, so its helper is CreateAt.
	CreateTime int64 `json:"created_at"`
}

// CreateAt returns CreateTime as a time.Time (the zero time when unset).
func (u *UploadedAttachment) CreateAt() time.Time { return wecom.UnixTime(u.CreateTime) }

// UnmarshalJSON accepts created_at as a number or a numeric string.
func (u *UploadedAttachment) UnmarshalJSON(b []byte) error {
	type plain UploadedAttachment
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

// UploadAttachmentRequest is a file to upload for moments or product
// albums.
type UploadAttachmentRequest struct {
	// MediaType is the kind of file, required.
	MediaType MediaType
	// AttachmentType is what the file is for, required.
	AttachmentType AttachmentType
	// FileName is the file's name, required.
	FileName string
	// Reader is the content, required. A seekable Reader lets the call be
	// repeated after a token refresh or a frequency limit.
	Reader io.Reader
	// Size is the content's length. Pass it when you know it: a larger
	// file than the media type allows is then refused before anything is
	// sent. With Size 0 the length is found by seeking when Reader is an
	// io.Seeker, and the body is sent chunked otherwise.
	Size int64
}

// UploadAttachment uploads a file for moments or product albums (WeCom:
// 上传附件资源) and returns its permanent media id. The content is streamed
// from req.Reader as multipart/form-data (field "media"), never held in
// memory. An upload whose outcome is unknown is not repeated.
//
// WeCom: POST /cgi-bin/media/upload_attachment
func (s *Service) UploadAttachment(ctx context.Context, req *UploadAttachmentRequest, opts ...wecom.CallOption) (*UploadedAttachment, error) {
	const op = "moments: upload attachment"
	r := wire.Deref(req)
	max, ok := r.MediaType.maxSize()
	switch {
	case !ok:
		return nil, wecom.InvalidArgument("%s: unknown media type %q", op, string(r.MediaType))
	case r.AttachmentType != AttachmentTypeMoment && r.AttachmentType != AttachmentTypeProductAlbum:
		return nil, wecom.InvalidArgument("%s: unknown attachment type %d", op, int(r.AttachmentType))
	case r.FileName == "":
		return nil, wecom.InvalidArgument("%s: file name is empty", op)
	case r.Reader == nil:
		return nil, wecom.InvalidArgument("%s: nil reader", op)
	case r.Size < 0:
		return nil, wecom.InvalidArgument("%s: negative size %d", op, r.Size)
	case r.Size > max:
		return nil, wecom.InvalidArgument("%s: %s of %d bytes exceeds the %d-byte limit", op, r.MediaType, r.Size, max)
	}
	return wecom.Call[UploadedAttachment](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/media/upload_attachment",
		Query: struct {
			MediaType      string `url:"media_type"`
			AttachmentType int    `url:"attachment_type"`
		}{string(r.MediaType), int(r.AttachmentType)},
		Upload: &wecom.Upload{FieldName: "media", FileName: r.FileName, Reader: r.Reader, Size: r.Size},
	}, opts...)
}
