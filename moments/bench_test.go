package moments

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wecomkit/wecom"
)

// zeroReader yields n zero bytes without holding them.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// BenchmarkUploadAttachment8MiB measures the memory an 8 MiB upload costs
// through the SDK, against a plain streaming http.Client upload of the
// same multipart body (the floor) in the same run. B/op far above the
// baseline means the body is buffered.
func BenchmarkUploadAttachment8MiB(b *testing.B) {
	const size = 8 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"T","expires_in":7200}`)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","type":"file","media_id":"M","created_at":"1"}`)
	}))
	defer srv.Close()

	b.Run("baseline=http.Client", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			body := io.MultiReader(
				strings.NewReader("--B\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.bin\"\r\n\r\n"),
				&zeroReader{size}, strings.NewReader("\r\n--B--\r\n"))
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/cgi-bin/media/upload_attachment?media_type=file&attachment_type=1", body)
			req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.Run("sdk=UploadAttachment", func(b *testing.B) {
		c, err := wecom.New("wwcorp", "secret", wecom.WithBaseURL(srv.URL), wecom.WithHTTPClient(srv.Client()))
		if err != nil {
			b.Fatal(err)
		}
		svc := New(c)
		ctx := context.Background()
		b.ReportAllocs()
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			if _, err := svc.UploadAttachment(ctx, &UploadAttachmentRequest{MediaType: MediaTypeFile, AttachmentType: AttachmentTypeMoment, FileName: "a.bin", Reader: &zeroReader{size}, Size: size}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
