package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/media"
	"github.com/wecomkit/wecom/wecomtest"
)

func newServer(t *testing.T) (*wecomtest.Server, *media.Service) {
	t.Helper()
	srv := wecomtest.Start(t)
	c, err := srv.Client(wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	return srv, media.New(c)
}

// part reads the one multipart part of a recorded upload.
func part(t *testing.T, r wecomtest.Request, ct string) (name, disp, typ string, content []byte) {
	t.Helper()
	_, params, err := mime.ParseMediaType(ct)
	require.NoError(t, err)
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	p, err := mr.NextPart()
	require.NoError(t, err)
	content, err = io.ReadAll(p)
	require.NoError(t, err)
	_, err = mr.NextPart()
	require.ErrorIs(t, err, io.EOF, "one part only")
	return p.FormName(), p.Header.Get("Content-Disposition"), p.Header.Get("Content-Type"), content
}

func TestUploadSendsMultipartAndDecodes(t *testing.T) {
	var got struct {
		path, query, ct string
		body            []byte
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cgi-bin/gettoken" {
			io.WriteString(w, `{"errcode":0,"access_token":"TOK","expires_in":7200}`)
			return
		}
		got.path, got.query, got.ct = r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type")
		got.body, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"errcode":0,"errmsg":"ok","type":"image","media_id":"3a8asd892asd8asd","created_at":"1380000000"}`)
	}))
	defer hs.Close()
	c, err := wecom.New("corp", "secret", wecom.WithBaseURL(hs.URL))
	require.NoError(t, err)
	content := "\x89PNG\r\n\x1a\nwelcome image"
	up, err := media.New(c).Upload(context.Background(), &media.UploadRequest{
		Type: media.TypeImage, FileName: "welcome.png", ContentType: "image/png", Reader: strings.NewReader(content),
	})
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/media/upload", got.path)
	assert.Equal(t, "access_token=TOK&type=image", got.query)
	assert.Equal(t, &media.Uploaded{Type: media.TypeImage, MediaID: "3a8asd892asd8asd", CreateTime: 1380000000}, up)
	assert.Equal(t, time.Unix(1380000000, 0), up.CreateAt())

	name, disp, typ, body := part(t, wecomtest.Request{Body: got.body}, got.ct)
	assert.Equal(t, "media", name)
	assert.Contains(t, disp, `filename="welcome.png"`)
	assert.Contains(t, disp, `filelength=`+strconv.Itoa(len(content)))
	assert.Equal(t, "image/png", typ)
	assert.Equal(t, content, string(body))
}

func TestUploadRoundTrip(t *testing.T) {
	srv, svc := newServer(t)
	for _, tc := range []struct {
		typ  media.Type
		name string
	}{
		{media.TypeImage, "a.jpg"}, {media.TypeVoice, "a.amr"}, {media.TypeVideo, "a.mp4"}, {media.TypeFile, "a.pdf"},
	} {
		up, err := svc.Upload(context.Background(), &media.UploadRequest{Type: tc.typ, FileName: tc.name, Reader: strings.NewReader("0123456789")})
		require.NoError(t, err, tc.typ)
		assert.Equal(t, tc.typ, up.Type)
		m, ok := srv.MediaByID(up.MediaID)
		require.True(t, ok)
		assert.Equal(t, tc.name, m.FileName)
		assert.EqualValues(t, 10, m.Size)
		assert.Equal(t, srv.Clock().Now().Unix(), up.CreateTime)
		reqs := srv.RequestsTo("/cgi-bin/media/upload")
		require.Len(t, reqs, 1)
		assert.Equal(t, string(tc.typ), reqs[0].Query.Get("type"))
		srv.ResetRequests()
	}
}

func TestUploadImageReturnsURL(t *testing.T) {
	srv, svc := newServer(t)
	u, err := svc.UploadImage(context.Background(), &media.UploadImageRequest{FileName: "logo.png", Reader: strings.NewReader("\x89PNG-bytes")})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, "https://wework.qpic.cn/wwpic/"), u)
	require.Len(t, srv.RequestsTo("/cgi-bin/media/uploadimg"), 1)
}

func TestUploadRefusesBadArgumentsBeforeSending(t *testing.T) {
	srv, svc := newServer(t)
	ctx := context.Background()
	r := strings.NewReader("0123456789")
	for name, req := range map[string]*media.UploadRequest{
		"nil":       nil,
		"no type":   {FileName: "a.png", Reader: r},
		"bad type":  {Type: "gif", FileName: "a.gif", Reader: r},
		"no name":   {Type: media.TypeImage, Reader: r},
		"no reader": {Type: media.TypeImage, FileName: "a.png"},
		"negative":  {Type: media.TypeImage, FileName: "a.png", Reader: r, Size: -1},
		"tiny":      {Type: media.TypeImage, FileName: "a.png", Reader: r, Size: 5},
		"big image": {Type: media.TypeImage, FileName: "a.png", Reader: r, Size: media.MaxImageSize + 1},
		"big voice": {Type: media.TypeVoice, FileName: "a.amr", Reader: r, Size: media.MaxVoiceSize + 1},
		"big video": {Type: media.TypeVideo, FileName: "a.mp4", Reader: r, Size: media.MaxVideoSize + 1},
		"big file":  {Type: media.TypeFile, FileName: "a.zip", Reader: r, Size: media.MaxFileSize + 1},
	} {
		_, err := svc.Upload(ctx, req)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
	}
	_, err := svc.UploadImage(ctx, nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	_, err = svc.UploadImage(ctx, &media.UploadImageRequest{FileName: "a.png", Reader: r, Size: media.MaxUploadImgSize + 1})
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func TestUploadServerErrors(t *testing.T) {
	_, svc := newServer(t)
	ctx := context.Background()
	_, err := svc.Upload(ctx, &media.UploadRequest{Type: media.TypeImage, FileName: "a.gif", Reader: strings.NewReader("0123456789")})
	assert.Equal(t, wecom.Code(40005), wecom.ErrorCode(err), "%v", err)
	_, err = svc.Upload(ctx, &media.UploadRequest{Type: media.TypeVoice, FileName: "a.amr", Reader: strings.NewReader("tiny")})
	assert.Equal(t, wecom.Code(44001), wecom.ErrorCode(err), "%v", err)
	_, err = svc.UploadImage(ctx, &media.UploadImageRequest{FileName: "a.bmp", Reader: strings.NewReader("0123456789")})
	assert.Equal(t, wecom.Code(40005), wecom.ErrorCode(err), "%v", err)
	var werr *wecom.Error
	require.True(t, errors.As(err, &werr))
	assert.Equal(t, "/cgi-bin/media/uploadimg", werr.Path)
}
