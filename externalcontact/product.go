package externalcontact

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
)

// Limits of product albums (商品图册), checked before any call.
const (
	MaxAlbumDescriptionLength = 300     // characters of a description
	MaxAlbumPrice             = 5000000 // fen (50,000 yuan)
	MaxAlbumProductSNLength   = 128     // characters of a product number
	MaxAlbumAttachments       = 9       // images of a product
	MaxAlbumListLimit         = 100     // page size of get_product_album_list
)

// AlbumImage is an image uploaded with upload_attachment for product
// albums (attachment_type 2).
type AlbumImage struct {
	MediaID string `json:"media_id"`
}

// AlbumAttachment is a product image; WeCom accepts type "image" only.
type AlbumAttachment struct {
	Type  string      `json:"type"`
	Image *AlbumImage `json:"image,omitempty"`
}

// AlbumImageAttachment returns a product image of an uploaded media id.
func AlbumImageAttachment(mediaID string) AlbumAttachment {
	return AlbumAttachment{Type: "image", Image: &AlbumImage{MediaID: mediaID}}
}

// AlbumProduct is a product of the corp's product album.
type AlbumProduct struct {
	ProductID   string            `json:"product_id"`
	Description string            `json:"description"`
	Price       int64             `json:"price"` // fen
	CreateTime  int64             `json:"create_time"`
	ProductSN   string            `json:"product_sn"`
	Attachments []AlbumAttachment `json:"attachments"`
	// Raw is the product as WeCom sent it, for fields the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// CreateAt returns CreateTime as a time.Time (zero when unset).
func (p AlbumProduct) CreateAt() time.Time { return wecom.UnixTime(p.CreateTime) }

// UnmarshalJSON decodes the product and keeps the raw entry.
func (p *AlbumProduct) UnmarshalJSON(b []byte) error {
	type plain AlbumProduct
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = AlbumProduct(v)
	p.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// AddProductAlbumRequest adds a product to the album.
type AddProductAlbumRequest struct {
	Description string            `json:"description"` // at most 300 characters
	Price       int64             `json:"price"`       // fen, 1..5,000,000
	ProductSN   string            `json:"product_sn,omitempty"`
	Attachments []AlbumAttachment `json:"attachments"` // 1..9 images
}

// UpdateProductAlbumRequest changes a product; empty fields stay as they are and
// Attachments, when set, replaces the images.
type UpdateProductAlbumRequest struct {
	ProductID   string            `json:"product_id"`
	Description string            `json:"description,omitempty"`
	Price       int64             `json:"price,omitempty"`
	ProductSN   string            `json:"product_sn,omitempty"`
	Attachments []AlbumAttachment `json:"attachments,omitempty"`
}

func checkAlbumFields(op, desc string, price int64, sn string, atts []AlbumAttachment, create bool) error {
	if create && desc == "" {
		return wecom.InvalidArgument("externalcontact: %s: description is required", op)
	}
	if n := utf8.RuneCountInString(desc); n > MaxAlbumDescriptionLength {
		return wecom.InvalidArgument("externalcontact: %s: description has %d characters, at most %d", op, n, MaxAlbumDescriptionLength)
	}
	if (create || price != 0) && (price <= 0 || price > MaxAlbumPrice) {
		return wecom.InvalidArgument("externalcontact: %s: price %d fen is not in 1..%d", op, price, MaxAlbumPrice)
	}
	if n := utf8.RuneCountInString(sn); n > MaxAlbumProductSNLength {
		return wecom.InvalidArgument("externalcontact: %s: product_sn has %d characters, at most %d", op, n, MaxAlbumProductSNLength)
	}
	if create && len(atts) == 0 {
		return wecom.InvalidArgument("externalcontact: %s: attachments are required", op)
	}
	if len(atts) > MaxAlbumAttachments {
		return wecom.InvalidArgument("externalcontact: %s: %d images, at most %d", op, len(atts), MaxAlbumAttachments)
	}
	for i, a := range atts {
		if a.Type != "image" || a.Image == nil || a.Image.MediaID == "" {
			return wecom.InvalidArgument("externalcontact: %s: attachment %d is not an image with a media_id", op, i)
		}
	}
	return nil
}

// AddProductAlbum adds a product to the album and returns its product_id.
// Upload its images with upload_attachment (attachment_type 2) first.
//
// WeCom: POST /cgi-bin/externalcontact/add_product_album
func (s *Service) AddProductAlbum(ctx context.Context, req *AddProductAlbumRequest, opts ...wecom.CallOption) (string, error) {
	r := deref(req)
	if err := checkAlbumFields("add product album", r.Description, r.Price, r.ProductSN, r.Attachments, true); err != nil {
		return "", err
	}
	resp, err := wecom.Call[productIDBody](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/add_product_album", Body: &r}, opts...)
	if err != nil {
		return "", err
	}
	return resp.ProductID, nil
}

type productIDBody struct {
	ProductID string `json:"product_id"`
}

// GetProductAlbum returns a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album
func (s *Service) GetProductAlbum(ctx context.Context, productID string, opts ...wecom.CallOption) (*AlbumProduct, error) {
	if productID == "" {
		return nil, wecom.InvalidArgument("externalcontact: get product album: product_id is required")
	}
	resp, err := wecom.Call[struct {
		Product AlbumProduct `json:"product"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_product_album", Body: productIDBody{productID}, Idempotent: true}, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Product, nil
}

// ListProductAlbumsRequest selects a page of get_product_album_list.
type ListProductAlbumsRequest struct {
	// Limit is 1..100; 0 means WeCom's default (the iterator asks for 100).
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListProductAlbums returns one page of the album's products and the next
// cursor ("" after the last page).
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album_list
func (s *Service) ListProductAlbums(ctx context.Context, req *ListProductAlbumsRequest, opts ...wecom.CallOption) ([]AlbumProduct, string, error) {
	r := deref(req)
	if err := checkLimit("list product albums", r.Limit, MaxAlbumListLimit); err != nil {
		return nil, "", err
	}
	resp, err := wecom.Call[struct {
		ProductList []AlbumProduct `json:"product_list"`
		NextCursor  string         `json:"next_cursor"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/get_product_album_list", Body: &r, Idempotent: true}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.ProductList, resp.NextCursor, nil
}

// AllProductAlbums iterates over every product of the album, req.Limit a
// page (0: 100, the maximum), from the first page.
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album_list
func (s *Service) AllProductAlbums(ctx context.Context, req *ListProductAlbumsRequest, opts ...wecom.CallOption) iter.Seq2[AlbumProduct, error] {
	r := deref(req)
	if r.Limit == 0 {
		r.Limit = MaxAlbumListLimit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]AlbumProduct, string, error) {
		p := r
		p.Cursor = cursor
		return s.ListProductAlbums(ctx, &p, opts...)
	})
}

// UpdateProductAlbum changes a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/update_product_album
func (s *Service) UpdateProductAlbum(ctx context.Context, req *UpdateProductAlbumRequest, opts ...wecom.CallOption) error {
	r := deref(req)
	if r.ProductID == "" {
		return wecom.InvalidArgument("externalcontact: update product album: product_id is required")
	}
	if err := checkAlbumFields("update product album", r.Description, r.Price, r.ProductSN, r.Attachments, false); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/update_product_album", Body: &r, Idempotent: true}, nil, opts...)
}

// DeleteProductAlbum deletes a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/delete_product_album
func (s *Service) DeleteProductAlbum(ctx context.Context, productID string, opts ...wecom.CallOption) error {
	if productID == "" {
		return wecom.InvalidArgument("externalcontact: delete product album: product_id is required")
	}
	return s.c.Do(ctx, &wecom.Request{Method: http.MethodPost, Path: "/cgi-bin/externalcontact/delete_product_album", Body: productIDBody{productID}}, nil, opts...)
}
