package externalcontact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestProductAlbumSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	st.handle("/cgi-bin/externalcontact/add_product_album", func([]byte) string { return `{"errcode":0,"errmsg":"ok","product_id":"xxxxxxxxxx"}` })
	st.file(t, "/cgi-bin/externalcontact/get_product_album", "get_product_album.json")
	st.file(t, "/cgi-bin/externalcontact/get_product_album_list", "get_product_album_list.json")
	ok := func([]byte) string { return `{"errcode":0,"errmsg":"ok"}` }
	st.handle("/cgi-bin/externalcontact/update_product_album", ok)
	st.handle("/cgi-bin/externalcontact/delete_product_album", ok)

	id, err := svc.AddProductAlbum(ctx, &AddProductAlbumRequest{Description: "世界上最好的商品", Price: 30000, ProductSN: "xxxxxxxx",
		Attachments: []AlbumAttachment{AlbumImageAttachment("MEDIA_ID")}})
	require.NoError(t, err)
	assert.Equal(t, "xxxxxxxxxx", id)
	assert.Equal(t, jsonOf(t, `{"description":"世界上最好的商品","price":30000,"product_sn":"xxxxxxxx",
		"attachments":[{"type":"image","image":{"media_id":"MEDIA_ID"}}]}`), jsonBody(t, st.requests()[0].Body))

	p, err := svc.GetProductAlbum(ctx, "xxxxxxxxxx")
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"product_id":"xxxxxxxxxx"}`), jsonBody(t, st.requests()[1].Body))
	assert.Equal(t, "xxxxxxxxxx", p.ProductID)
	assert.Equal(t, "世界上最好的商品", p.Description)
	assert.Equal(t, int64(30000), p.Price)
	assert.Equal(t, time.Unix(1600000000, 0), p.CreateAt())
	assert.Equal(t, "xxxxxxxx", p.ProductSN)
	assert.Equal(t, []AlbumAttachment{AlbumImageAttachment("MEDIA_ID")}, p.Attachments)
	assert.Contains(t, string(p.Raw), `"product_sn"`)

	ps, next, err := svc.ListProductAlbums(ctx, &ListProductAlbumsRequest{Cursor: "CURSOR0", Limit: 50})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"limit":50,"cursor":"CURSOR0"}`), jsonBody(t, st.requests()[2].Body))
	assert.Equal(t, "CURSOR", next)
	require.Len(t, ps, 1)
	assert.Equal(t, "MEDIA_ID2", ps[0].Attachments[1].Image.MediaID)

	require.NoError(t, svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{ProductID: "xxxxxxxxxx", Price: 1}))
	assert.Equal(t, jsonOf(t, `{"product_id":"xxxxxxxxxx","price":1}`), jsonBody(t, st.requests()[3].Body))
	require.NoError(t, svc.DeleteProductAlbum(ctx, "xxxxxxxxxx"))
	assert.Equal(t, "/cgi-bin/externalcontact/delete_product_album", st.requests()[4].Path)
	assert.Equal(t, jsonOf(t, `{"product_id":"xxxxxxxxxx"}`), jsonBody(t, st.requests()[4].Body))

	var bad AlbumProduct
	assert.Error(t, json.Unmarshal([]byte(`{"price":"cheap"}`), &bad))
}

func TestProductAlbumValidation(t *testing.T) {
	st, svc := newStub(t)
	ctx := testCtx(t)
	img := []AlbumAttachment{AlbumImageAttachment("m")}
	ten := make([]AlbumAttachment, 10)
	for i := range ten {
		ten[i] = AlbumImageAttachment("m")
	}
	for name, req := range map[string]*AddProductAlbumRequest{
		"nil":        nil,
		"no desc":    {Price: 1, Attachments: img},
		"long desc":  {Description: strings.Repeat("好", 301), Price: 1, Attachments: img},
		"free":       {Description: "d", Attachments: img},
		"too dear":   {Description: "d", Price: MaxAlbumPrice + 1, Attachments: img},
		"long sn":    {Description: "d", Price: 1, ProductSN: strings.Repeat("x", 129), Attachments: img},
		"no images":  {Description: "d", Price: 1},
		"10 images":  {Description: "d", Price: 1, Attachments: ten},
		"not image":  {Description: "d", Price: 1, Attachments: []AlbumAttachment{{Type: "video"}}},
		"no mediaid": {Description: "d", Price: 1, Attachments: []AlbumAttachment{AlbumImageAttachment("")}},
	} {
		_, err := svc.AddProductAlbum(ctx, req)
		assert.Error(t, err, name)
	}
	assert.Error(t, svc.UpdateProductAlbum(ctx, nil))
	assert.Error(t, svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{Price: 1}))
	assert.Error(t, svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{ProductID: "p", Price: -1}))
	assert.Error(t, svc.DeleteProductAlbum(ctx, ""))
	_, err := svc.GetProductAlbum(ctx, "")
	assert.Error(t, err)
	_, _, err = svc.ListProductAlbums(ctx, &ListProductAlbumsRequest{Limit: 101})
	assert.Error(t, err)
	assert.Empty(t, st.requests())

	st.handle("/cgi-bin/externalcontact/add_product_album", func([]byte) string { return `{"errcode":40007,"errmsg":"invalid media_id"}` })
	_, err = svc.AddProductAlbum(ctx, &AddProductAlbumRequest{Description: "d", Price: 1, Attachments: img})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err))
	st.handle("/cgi-bin/externalcontact/get_product_album", func([]byte) string { return `{"errcode":40058,"errmsg":"x"}` })
	_, err = svc.GetProductAlbum(ctx, "p")
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

func TestProductAlbumIterator(t *testing.T) {
	page := func(ids, next string) string {
		var rows []string
		for _, id := range strings.Split(ids, ",") {
			if id != "" {
				rows = append(rows, fmt.Sprintf(`{"product_id":%q,"price":1}`, id))
			}
		}
		return fmt.Sprintf(`{"errcode":0,"errmsg":"ok","product_list":[%s],"next_cursor":%q}`, strings.Join(rows, ","), next)
	}
	path := "/cgi-bin/externalcontact/get_product_album_list"
	for name, tc := range map[string]struct {
		pages map[string]string
		want  int
		err   bool
	}{
		"empty":        {map[string]string{"": page("", "")}, 0, false},
		"one page":     {map[string]string{"": page("a,b", "")}, 2, false},
		"many pages":   {map[string]string{"": page("a", "1"), "1": page("b,c", "2"), "2": page("d", "")}, 4, false},
		"error midway": {map[string]string{"": page("a", "1"), "1": `{"errcode":-1,"errmsg":"busy"}`}, 1, true},
	} {
		t.Run(name, func(t *testing.T) {
			st, svc := newStub(t)
			st.pages(path, tc.pages)
			got, err := collect(svc.AllProductAlbums(testCtx(t), nil))
			assert.Equal(t, tc.err, err != nil)
			assert.Len(t, got, tc.want)
		})
	}
	t.Run("early break", func(t *testing.T) {
		st, svc := newStub(t)
		st.pages(path, map[string]string{"": page("a,b", "1"), "1": page("c", "")})
		for range svc.AllProductAlbums(testCtx(t), nil) {
			break
		}
		assert.Len(t, st.requests(), 1)
	})
}

func TestProductAlbumRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	ctx := testCtx(t)
	var imgs []string
	for i := 0; i < 3; i++ {
		imgs = append(imgs, s.AddMedia(wecomtest.Media{Type: "image", AttachmentType: 2, FileName: fmt.Sprintf("p%d.jpg", i)}).MediaID)
	}
	moment := s.AddMedia(wecomtest.Media{Type: "image", AttachmentType: 1}).MediaID
	_, err := svc.AddProductAlbum(ctx, &AddProductAlbumRequest{Description: "d", Price: 1, Attachments: []AlbumAttachment{AlbumImageAttachment(moment)}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err), "a moment attachment is not a product image")

	var ids []string
	for i := 0; i < 5; i++ {
		id, err := svc.AddProductAlbum(ctx, &AddProductAlbumRequest{Description: fmt.Sprintf("商品%d", i), Price: int64(100 * (i + 1)),
			ProductSN: fmt.Sprintf("SN%03d", i), Attachments: []AlbumAttachment{AlbumImageAttachment(imgs[i%3])}})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	var listed []string
	for p, err := range svc.AllProductAlbums(ctx, &ListProductAlbumsRequest{Limit: 2}) {
		require.NoError(t, err)
		listed = append(listed, p.ProductID)
	}
	assert.Equal(t, ids, listed)
	assert.Len(t, s.RequestsTo("/cgi-bin/externalcontact/get_product_album_list"), 3)

	require.NoError(t, svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{ProductID: ids[0], Price: 999,
		Attachments: []AlbumAttachment{AlbumImageAttachment(imgs[1]), AlbumImageAttachment(imgs[2])}}))
	p, err := svc.GetProductAlbum(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, "商品0", p.Description, "unchanged")
	assert.Equal(t, int64(999), p.Price)
	assert.Equal(t, "SN000", p.ProductSN)
	assert.Equal(t, testStart.Unix(), p.CreateTime)
	assert.Equal(t, []AlbumAttachment{AlbumImageAttachment(imgs[1]), AlbumImageAttachment(imgs[2])}, p.Attachments)
	err = svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{ProductID: ids[0], Attachments: []AlbumAttachment{AlbumImageAttachment("nope")}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err))

	require.NoError(t, svc.DeleteProductAlbum(ctx, ids[0]))
	_, err = svc.GetProductAlbum(ctx, ids[0])
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	assert.Len(t, s.Products(), 4)
	err = svc.UpdateProductAlbum(ctx, &UpdateProductAlbumRequest{ProductID: ids[0], Price: 1})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))

	client, err := s.Client()
	require.NoError(t, err)
	for _, body := range []string{`{"price":1,"attachments":[{"type":"image","image":{"media_id":"` + imgs[0] + `"}}]}`,
		`{"description":"d","price":0,"attachments":[{"type":"image","image":{"media_id":"` + imgs[0] + `"}}]}`,
		`{"description":"d","price":1,"attachments":[]}`,
		`{"description":"d","price":1,"attachments":[{"type":"video"}]}`} {
		err := client.Do(ctx, &wecom.Request{Path: "/cgi-bin/externalcontact/add_product_album", Body: []byte(body)}, nil)
		assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), body)
	}
}
