package wecom

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// Upload is a file sent as multipart/form-data, as WeCom's media endpoints
// expect (one part, field "media", with filename and filelength). The
// content is streamed from Reader, never held in memory by the SDK.
type Upload struct {
	// FieldName is the form field; WeCom's media endpoints use "media".
	FieldName string
	// FileName is the file's name as WeCom will record it.
	FileName string
	// ContentType is the file part's type; the default is
	// application/octet-stream.
	ContentType string
	// Reader supplies the content. When it is also an io.Seeker the call
	// can be repeated (after a token refresh or a frequency limit); when it
	// is not, the upload is sent once.
	Reader io.Reader
	// Size is the content's length in bytes. When it is 0 and Reader is an
	// io.Seeker, the size is found by seeking; when it stays unknown the
	// body is sent chunked and WeCom may reject it.
	Size int64
}

// preparedUpload is an Upload turned into a multipart body that can be sent
// (and, for seekable readers, re-sent) without buffering the content.
type preparedUpload struct {
	head, tail  []byte
	r           io.Reader
	seeker      io.Seeker
	start       int64
	size        int64 // content size, -1 when unknown
	length      int64 // whole body, -1 when unknown
	contentType string
}

func (u *Upload) prepare() (*preparedUpload, error) {
	if u.Reader == nil {
		return nil, errors.New("upload has no Reader")
	}
	field := u.FieldName
	if field == "" {
		field = "media"
	}
	name := u.FileName
	if name == "" {
		return nil, errors.New("upload has no FileName")
	}
	p := &preparedUpload{r: u.Reader, size: -1, length: -1}
	if s, ok := u.Reader.(io.Seeker); ok {
		start, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			p.seeker, p.start = s, start
			if u.Size <= 0 {
				end, err := s.Seek(0, io.SeekEnd)
				if err != nil {
					return nil, err
				}
				if _, err := s.Seek(start, io.SeekStart); err != nil {
					return nil, err
				}
				p.size = end - start
			}
		}
	}
	if u.Size > 0 {
		p.size = u.Size
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	boundary := "wecom" + hex.EncodeToString(rnd[:])
	ct := u.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"", boundary, escapeQuotes(field), escapeQuotes(name))
	if p.size >= 0 {
		fmt.Fprintf(&head, "; filelength=%d", p.size)
	}
	fmt.Fprintf(&head, "\r\nContent-Type: %s\r\n\r\n", ct)
	p.head = head.Bytes()
	p.tail = []byte("\r\n--" + boundary + "--\r\n")
	if p.size >= 0 {
		p.length = int64(len(p.head)) + p.size + int64(len(p.tail))
	}
	p.contentType = mime.FormatMediaType("multipart/form-data", map[string]string{"boundary": boundary})
	return p, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

func (p *preparedUpload) reader() io.Reader {
	body := p.r
	if p.size >= 0 {
		body = io.LimitReader(p.r, p.size)
	}
	return io.MultiReader(bytes.NewReader(p.head), body, bytes.NewReader(p.tail))
}

func (p *preparedUpload) rewindable() bool { return p.seeker != nil }

func (p *preparedUpload) rewind() error {
	if p.seeker == nil {
		return errors.New("upload reader cannot be rewound")
	}
	_, err := p.seeker.Seek(p.start, io.SeekStart)
	return err
}
