package moments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
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
	// CreatedAt is Unix seconds (WeCom sends it as a string; both forms
	// are accepted).
	CreatedAt int64 `json:"created_at"`
}

// Time returns CreatedAt as a time.Time.
func (u *UploadedAttachment) Time() time.Time { return time.Unix(u.CreatedAt, 0) }

// UnmarshalJSON accepts created_at as a number or a numeric string.
func (u *UploadedAttachment) UnmarshalJSON(b []byte) error {
	type plain UploadedAttachment
	aux := struct {
		*plain
		CreatedAt flex.Int `json:"created_at"`
	}{plain: (*plain)(u)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	u.CreatedAt = int64(aux.CreatedAt)
	return nil
}

// UploadAttachment uploads a file for moments or product albums and
// returns its permanent media id. The content is streamed from r as
// multipart/form-data (field "media"), never held in memory.
//
// size is the content's length. Pass it when you know it: a larger file
// than the media type allows is then refused before anything is sent.
// With size 0 the length is found by seeking when r is an io.Seeker, and
// the body is sent chunked otherwise. A seekable r also lets the call be
// repeated after a token refresh or a frequency limit; an upload whose
// outcome is unknown is not repeated.
//
// WeCom: POST /cgi-bin/media/upload_attachment
func (s *Service) UploadAttachment(ctx context.Context, mediaType MediaType, attachmentType AttachmentType, filename string, r io.Reader, size int64, opts ...wecom.CallOption) (*UploadedAttachment, error) {
	max, ok := mediaType.maxSize()
	switch {
	case !ok:
		return nil, fmt.Errorf("moments: upload attachment: unknown media type %q", string(mediaType))
	case attachmentType != AttachmentTypeMoment && attachmentType != AttachmentTypeProductAlbum:
		return nil, fmt.Errorf("moments: upload attachment: unknown attachment type %d", int(attachmentType))
	case filename == "":
		return nil, errors.New("moments: upload attachment: empty file name")
	case r == nil:
		return nil, errors.New("moments: upload attachment: nil reader")
	case size < 0:
		return nil, fmt.Errorf("moments: upload attachment: negative size %d", size)
	case size > max:
		return nil, fmt.Errorf("moments: upload attachment: %s of %d bytes exceeds the %d-byte limit", mediaType, size, max)
	}
	var resp UploadedAttachment
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/media/upload_attachment",
		Query: struct {
			MediaType      string `url:"media_type"`
			AttachmentType int    `url:"attachment_type"`
		}{string(mediaType), int(attachmentType)},
		Upload: &wecom.Upload{FieldName: "media", FileName: filename, Reader: r, Size: size},
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp, nil
}
