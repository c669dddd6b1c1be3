package wecomtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

func registerMediaAttachment(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/media/upload_attachment", s.uploadAttachment)
}

// Errcodes of media uploads.
const (
	codeMediaInvalidType     = 40004 // invalid media type
	codeMediaInvalidFileType = 40005 // invalid file type (extension)
	codeMediaInvalidFileSize = 40006 // invalid file size
	codeMediaInvalidImgSize  = 40009 // invalid image size
	codeMediaInvalidVideoSz  = 40011 // invalid video size
	codeMediaMissing         = 41005 // media data missing
	codeMediaEmpty           = 44001 // empty media data
)

// attachmentLimits are the size limits and extensions of upload_attachment.
var attachmentLimits = map[string]struct {
	max  int64
	code int
	exts []string
}{
	"image": {10 << 20, codeMediaInvalidImgSize, []string{".jpg", ".jpeg", ".png"}},
	"video": {10 << 20, codeMediaInvalidVideoSz, []string{".mp4"}},
	"file":  {20 << 20, codeMediaInvalidFileSize, nil},
}

// uploadAttachment serves POST /cgi-bin/media/upload_attachment.
func (s *Server) uploadAttachment(c *call) (any, error) {
	mt := c.Query.Get("media_type")
	lim, ok := attachmentLimits[mt]
	if !ok {
		return nil, errorf(codeMediaInvalidType, "invalid media type %q", mt)
	}
	at, err := strconv.Atoi(c.Query.Get("attachment_type"))
	if err != nil || (at != 1 && at != 2) {
		return nil, errorf(codeInvalidParameter, "invalid attachment_type")
	}
	if at == 1 && mt != "image" && mt != "video" {
		return nil, errorf(codeMediaInvalidType, "invalid media type: a moment takes images and videos")
	}
	if at == 2 && mt != "image" {
		return nil, errorf(codeMediaInvalidType, "invalid media type: a product album takes images")
	}
	name, size, err := mediaPart(c)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, errorf(codeMediaEmpty, "empty media data")
	}
	if size > lim.max {
		return nil, errorf(lim.code, "invalid %s size %d: at most %d", mt, size, lim.max)
	}
	if lim.exts != nil && !slices.Contains(lim.exts, strings.ToLower(path.Ext(name))) {
		return nil, errorf(codeMediaInvalidFileType, "invalid file type %q for %s", path.Ext(name), mt)
	}
	m := s.addMedia(Media{Type: mt, AttachmentType: at, FileName: name, Size: size})
	return struct {
		Type      string `json:"type"`
		MediaID   string `json:"media_id"`
		CreatedAt string `json:"created_at"` // a string, as WeCom sends it
	}{m.Type, m.MediaID, strconv.FormatInt(m.CreatedAt, 10)}, nil
}

// mediaPart finds the "media" part of a multipart body and returns its
// file name and length. A declared filelength must match the content.
func mediaPart(c *call) (string, int64, error) {
	ct, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return "", 0, errorf(codeMediaMissing, "media data missing: not a multipart/form-data body")
	}
	mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", 0, errorf(codeMediaMissing, "media data missing: no part named media")
		}
		if err != nil {
			return "", 0, errorf(codeMediaMissing, "media data missing: %v", err)
		}
		if p.FormName() != "media" {
			continue
		}
		if p.FileName() == "" {
			return "", 0, errorf(codeMediaMissing, "media data missing: no filename")
		}
		n, err := io.Copy(io.Discard, p)
		if err != nil {
			return "", 0, errorf(codeMediaMissing, "media data missing: %v", err)
		}
		_, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if fl, ok := dp["filelength"]; ok && fl != strconv.FormatInt(n, 10) {
			return "", 0, errorf(codeMediaInvalidFileSize, "invalid file size: filelength %s, got %d bytes", fl, n)
		}
		return p.FileName(), n, nil
	}
}
