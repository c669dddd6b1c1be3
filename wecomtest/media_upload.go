package wecomtest

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

func registerMedia(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/media/upload", s.uploadMedia)
	s.handle(http.MethodPost, "/cgi-bin/media/uploadimg", s.uploadImg)
}

// Errcodes of media/upload beyond those of upload_attachment.
const (
	codeMediaInvalidVoiceSz = 40007 // invalid voice size
)

// mediaLimits are the size limits and extensions of media/upload. Every
// file must be larger than 5 bytes.
var mediaLimits = map[string]struct {
	max  int64
	code int
	exts []string
}{
	"image": {10 << 20, codeMediaInvalidImgSize, []string{".jpg", ".jpeg", ".png"}},
	"voice": {2 << 20, codeMediaInvalidVoiceSz, []string{".amr"}},
	"video": {10 << 20, codeMediaInvalidVideoSz, []string{".mp4"}},
	"file":  {20 << 20, codeMediaInvalidFileSize, nil},
}

// uploadMedia serves POST /cgi-bin/media/upload: temporary media, valid
// for 3 days (see MediaValid).
func (s *Server) uploadMedia(c *call) (any, error) {
	mt := c.Query.Get("type")
	lim, ok := mediaLimits[mt]
	if !ok {
		return nil, errorf(codeMediaInvalidType, "invalid media type %q", mt)
	}
	name, size, err := mediaPart(c)
	if err != nil {
		return nil, err
	}
	if size <= 5 {
		return nil, errorf(codeMediaEmpty, "empty media data: a file must be larger than 5 bytes")
	}
	if size > lim.max {
		return nil, errorf(lim.code, "invalid %s size %d: at most %d", mt, size, lim.max)
	}
	if lim.exts != nil && !slices.Contains(lim.exts, strings.ToLower(path.Ext(name))) {
		return nil, errorf(codeMediaInvalidFileType, "invalid file type %q for %s", path.Ext(name), mt)
	}
	m := s.addMedia(Media{Type: mt, FileName: name, Size: size})
	return struct {
		Type      string `json:"type"`
		MediaID   string `json:"media_id"`
		CreatedAt string `json:"created_at"` // a string, as WeCom sends it
	}{m.Type, m.MediaID, strconv.FormatInt(m.CreatedAt, 10)}, nil
}

// uploadImg serves POST /cgi-bin/media/uploadimg: a JPG or PNG image of
// 5 B to 2 MB, answered with a lasting URL.
func (s *Server) uploadImg(c *call) (any, error) {
	name, size, err := mediaPart(c)
	if err != nil {
		return nil, err
	}
	if size <= 5 {
		return nil, errorf(codeMediaEmpty, "empty media data: a file must be larger than 5 bytes")
	}
	if size > 2<<20 {
		return nil, errorf(codeMediaInvalidImgSize, "invalid image size %d: at most 2 MB", size)
	}
	if ext := strings.ToLower(path.Ext(name)); ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
		return nil, errorf(codeMediaInvalidFileType, "invalid file type %q: jpg or png", ext)
	}
	m := s.addMedia(Media{Type: "image", FileName: name, Size: size, Permanent: true})
	return struct {
		URL string `json:"url"`
	}{"https://wework.qpic.cn/wwpic/" + m.MediaID + "/0"}, nil
}
