package moments

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

const pathUpload = "/cgi-bin/media/upload_attachment"

// boundaryOf returns the multipart boundary a body starts with.
func boundaryOf(t *testing.T, body []byte) string {
	t.Helper()
	line, _, ok := bytes.Cut(body, []byte("\r\n"))
	require.True(t, ok)
	require.True(t, bytes.HasPrefix(line, []byte("--")))
	return string(line[2:])
}

func TestUploadAttachmentSendsExactMultipart(t *testing.T) {
	s, svc := newServer(t)
	content := "\x89PNG\r\n\x1a\nfake image bytes"
	up, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeImage, AttachmentType: AttachmentTypeMoment, FileName: "新品.png", Reader: strings.NewReader(content)})
	require.NoError(t, err)

	reqs := s.RequestsTo(pathUpload)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "attachment_type=1&media_type=image", reqs[0].Query.Encode())
	b := boundaryOf(t, reqs[0].Body)
	want := "--" + b + "\r\n" +
		`Content-Disposition: form-data; name="media"; filename="新品.png"; filelength=` + fmt.Sprint(len(content)) + "\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n" +
		content + "\r\n--" + b + "--\r\n"
	assert.Equal(t, want, string(reqs[0].Body))

	assert.Equal(t, MediaTypeImage, up.Type)
	assert.Equal(t, t0.Unix(), up.CreateTime)
	assert.Equal(t, t0, up.CreateAt())
	m, ok := s.MediaByID(up.MediaID)
	require.True(t, ok, "the media id is stored")
	assert.Equal(t, wecomtest.Media{MediaID: up.MediaID, Type: "image", AttachmentType: 1, FileName: "新品.png", Size: int64(len(content)), CreatedAt: t0.Unix()}, m)

	// The media id feeds a moment.
	seed(t, s)
	_, err = svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Attachments: []Attachment{ImageAttachment(up.MediaID)}})
	require.NoError(t, err)
}

func TestUploadAttachmentKinds(t *testing.T) {
	s, svc := newServer(t)
	for _, tc := range []struct {
		mt   MediaType
		at   AttachmentType
		name string
		q    string
	}{
		{MediaTypeVideo, AttachmentTypeMoment, "clip.mp4", "attachment_type=1&media_type=video"},
		{MediaTypeFile, AttachmentTypeMoment, "说明.pdf", "attachment_type=1&media_type=file"},
		{MediaTypeImage, AttachmentTypeProductAlbum, "sku.JPG", "attachment_type=2&media_type=image"},
	} {
		s.ResetRequests()
		// A reader that cannot seek, with its size given: sent with a
		// Content-Length, once.
		up, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: tc.mt, AttachmentType: tc.at, FileName: tc.name, Reader: io.LimitReader(strings.NewReader("0123456789"), 10), Size: 10})
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.mt, up.Type)
		reqs := s.RequestsTo(pathUpload)
		require.Len(t, reqs, 1)
		assert.Equal(t, tc.q, reqs[0].Query.Encode())
		m, ok := s.MediaByID(up.MediaID)
		require.True(t, ok)
		assert.Equal(t, int(tc.at), m.AttachmentType)
		assert.Equal(t, int64(10), m.Size)
	}
}

func TestUploadAttachmentDecodes(t *testing.T) {
	_, svc := newFake(t, pathUpload, testdata(t, "upload_attachment.json"))
	up, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeImage, AttachmentType: AttachmentTypeMoment, FileName: "a.png", Reader: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	assert.Equal(t, &UploadedAttachment{Type: MediaTypeImage, MediaID: "1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0", CreateTime: 1380000000}, up)

	_, svc = newFake(t, pathUpload, `{"errcode":0,"errmsg":"ok","type":"video","media_id":"m","created_at":1380000001}`)
	up, err = svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeVideo, AttachmentType: AttachmentTypeMoment, FileName: "a.mp4", Reader: strings.NewReader("x"), Size: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(1380000001), up.CreateTime, "created_at as a number")

	_, svc = newFake(t, pathUpload, `{"errcode":0,"errmsg":"ok","type":"video","media_id":"m","created_at":"later"}`)
	_, err = svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeVideo, AttachmentType: AttachmentTypeMoment, FileName: "a.mp4", Reader: strings.NewReader("x"), Size: 1})
	assert.ErrorContains(t, err, "decode response")
	_, svc = newFake(t, pathUpload, `{"errcode":0,"errmsg":"ok","type":1}`)
	_, err = svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeVideo, AttachmentType: AttachmentTypeMoment, FileName: "a.mp4", Reader: strings.NewReader("x"), Size: 1})
	assert.ErrorContains(t, err, "decode response")
}

func TestUploadAttachmentValidation(t *testing.T) {
	s, svc := newServer(t)
	r := strings.NewReader("x")
	for _, tc := range []struct {
		mt   MediaType
		at   AttachmentType
		name string
		r    io.Reader
		size int64
		want string
	}{
		{"voice", 1, "a.amr", r, 1, `unknown media type "voice"`},
		{MediaTypeImage, 3, "a.png", r, 1, "unknown attachment type 3"},
		{MediaTypeImage, 1, "", r, 1, "file name is empty"},
		{MediaTypeImage, 1, "a.png", nil, 1, "nil reader"},
		{MediaTypeImage, 1, "a.png", r, -1, "negative size"},
		{MediaTypeImage, 1, "a.png", r, MaxImageSize + 1, "image of 10485761 bytes exceeds the 10485760-byte limit"},
		{MediaTypeVideo, 1, "a.mp4", r, MaxVideoSize + 1, "exceeds the 10485760-byte limit"},
		{MediaTypeFile, 1, "a.pdf", r, MaxFileSize + 1, "exceeds the 20971520-byte limit"},
	} {
		_, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: tc.mt, AttachmentType: tc.at, FileName: tc.name, Reader: tc.r, Size: tc.size})
		assert.ErrorContains(t, err, tc.want)
	}
	assert.Empty(t, s.Requests())
}

// chunkReader hides the Seeker of its source, so the size stays unknown.
type chunkReader struct{ r io.Reader }

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestUploadAttachmentServerErrors(t *testing.T) {
	s, svc := newServer(t)
	for _, tc := range []struct {
		mt   MediaType
		at   AttachmentType
		name string
		r    io.Reader
		code wecom.Code
	}{
		{MediaTypeImage, AttachmentTypeMoment, "a.gif", strings.NewReader("x"), 40005},
		{MediaTypeVideo, AttachmentTypeMoment, "a.mov", strings.NewReader("x"), 40005},
		{MediaTypeVideo, AttachmentTypeProductAlbum, "a.mp4", strings.NewReader("x"), 40004},
		{MediaTypeImage, AttachmentTypeMoment, "a.png", strings.NewReader(""), 44001},
		// Sizes the SDK could not check (unknown length, sent chunked).
		{MediaTypeImage, AttachmentTypeMoment, "a.png", chunkReader{bytes.NewReader(make([]byte, MaxImageSize+1))}, 40009},
		{MediaTypeVideo, AttachmentTypeMoment, "a.mp4", chunkReader{bytes.NewReader(make([]byte, MaxVideoSize+1))}, 40011},
	} {
		_, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: tc.mt, AttachmentType: tc.at, FileName: tc.name, Reader: tc.r})
		assert.Equal(t, tc.code, wecom.ErrorCode(err), "%s %s", tc.mt, tc.name)
	}
	// A chunked upload within the limits is accepted.
	up, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeFile, AttachmentType: AttachmentTypeMoment, FileName: "a.bin", Reader: chunkReader{strings.NewReader("abc")}})
	require.NoError(t, err)
	m, _ := s.MediaByID(up.MediaID)
	assert.Equal(t, int64(3), m.Size)
}

func TestUploadAttachmentRetries(t *testing.T) {
	s, svc := newServer(t)
	// A frequency limit means nothing was stored: a seekable upload is
	// sent again, whole.
	s.FailNext(pathUpload, 1, wecomtest.FaultRateLimited)
	_, err := svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeImage, AttachmentType: AttachmentTypeMoment, FileName: "a.png", Reader: strings.NewReader("image")})
	require.NoError(t, err)
	reqs := s.RequestsTo(pathUpload)
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Contains(t, string(r.Body), "\r\n\r\nimage\r\n--")
	}

	// A reader that cannot be rewound is sent once.
	s.ResetRequests()
	s.FailNext(pathUpload, 1, wecomtest.FaultRateLimited)
	_, err = svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeImage, AttachmentType: AttachmentTypeMoment, FileName: "a.png", Reader: chunkReader{strings.NewReader("image")}, Size: 5})
	assert.True(t, wecom.IsRateLimited(err))
	assert.Len(t, s.RequestsTo(pathUpload), 1)

	// An upload that may have been stored is not repeated.
	s.ResetRequests()
	s.FailNext(pathUpload, 1, wecomtest.FaultBusy)
	_, err = svc.UploadAttachment(ctx(t), &UploadAttachmentRequest{MediaType: MediaTypeImage, AttachmentType: AttachmentTypeMoment, FileName: "a.png", Reader: strings.NewReader("image")})
	assert.True(t, wecom.IsMaybeApplied(err))
	assert.Len(t, s.RequestsTo(pathUpload), 1)
}

// gatedReader produces size bytes of a pattern. After gate bytes it waits
// until release is closed: if the SDK read the whole file before sending,
// the server would never see the first bytes and the wait would time out.
type gatedReader struct {
	size, gate, off int64
	release         <-chan struct{}
	timeout         time.Duration
}

func pattern(i int64) byte { return byte(i*7 + i>>11) }

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.off >= g.size {
		return 0, io.EOF
	}
	if g.off >= g.gate {
		select {
		case <-g.release:
		case <-time.After(g.timeout):
			return 0, errors.New("gatedReader: the server saw nothing after the first bytes were read: the upload is buffered, not streamed")
		}
	}
	n := int64(len(p))
	if rest := g.size - g.off; n > rest {
		n = rest
	}
	if g.off < g.gate && g.off+n > g.gate {
		n = g.gate - g.off
	}
	for i := range n {
		p[i] = pattern(g.off + i)
	}
	g.off += n
	return int(n), nil
}

func TestUploadAttachmentStreams(t *testing.T) {
	const size = 9 << 20
	release := make(chan struct{})
	var once sync.Once
	var (
		mu                  sync.Mutex
		got                 int64
		bad                 int64 = -1
		contentLength       int64
		filename, fieldName string
	)
	_, svc := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p, err := mr.NextPart()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		buf := make([]byte, 32<<10)
		var n int64
		for {
			k, err := p.Read(buf)
			for i := 0; i < k; i++ {
				if buf[i] != pattern(n+int64(i)) && bad < 0 {
					bad = n + int64(i)
				}
			}
			n += int64(k)
			if n >= 64<<10 {
				once.Do(func() { close(release) })
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		mu.Lock()
		got, contentLength, filename, fieldName = n, r.ContentLength, p.FileName(), p.FormName()
		mu.Unlock()
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","type":"file","media_id":"M","created_at":"1"}`)
	})

	g := &gatedReader{size: size, gate: 1 << 20, release: release, timeout: 2 * time.Second}
	cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	up, err := svc.UploadAttachment(cctx, &UploadAttachmentRequest{MediaType: MediaTypeFile, AttachmentType: AttachmentTypeMoment, FileName: "big.bin", Reader: g, Size: size})
	require.NoError(t, err)
	assert.Equal(t, "M", up.MediaID)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, int64(size), got, "every byte arrived")
	assert.Equal(t, int64(-1), bad, "in order")
	assert.Equal(t, "big.bin", filename)
	assert.Equal(t, "media", fieldName)
	assert.Greater(t, contentLength, int64(size), "sent with a Content-Length, not chunked")
}

func TestAttachmentEnumStrings(t *testing.T) {
	assert.Equal(t, "image", MediaTypeImage.String())
	assert.Equal(t, "video", MediaTypeVideo.String())
	assert.Equal(t, "file", MediaTypeFile.String())
	assert.Equal(t, "moment", AttachmentTypeMoment.String())
	assert.Equal(t, "product_album", AttachmentTypeProductAlbum.String())
	assert.Equal(t, "AttachmentType(0)", AttachmentType(0).String())
}
