package externalcontact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
)

// Limits of product albums (商品图册), checked before any call.
const (
	MaxAlbumDescriptionLen = 300     // characters of a description
	MaxAlbumPrice          = 5000000 // fen (50,000 yuan)
	MaxAlbumProductSNLen   = 128     // characters of a product number
	MaxAlbumAttachments    = 9       // images of a product
	MaxAlbumListLimit      = 100     // page size of get_product_album_list
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

// CreatedAt returns CreateTime as a time.Time.
func (p AlbumProduct) CreatedAt() time.Time { return unixOrZero(p.CreateTime) }

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

// AlbumProductRequest adds a product to the album.
type AlbumProductRequest struct {
	Description string            `json:"description"` // at most 300 characters
	Price       int64             `json:"price"`       // fen, 1..5,000,000
	ProductSN   string            `json:"product_sn,omitempty"`
	Attachments []AlbumAttachment `json:"attachments"` // 1..9 images
}

// AlbumProductUpdate changes a product; empty fields stay as they are and
// Attachments, when set, replaces the images.
type AlbumProductUpdate struct {
	ProductID   string            `json:"product_id"`
	Description string            `json:"description,omitempty"`
	Price       int64             `json:"price,omitempty"`
	ProductSN   string            `json:"product_sn,omitempty"`
	Attachments []AlbumAttachment `json:"attachments,omitempty"`
}

func checkAlbumFields(desc string, price int64, sn string, atts []AlbumAttachment, create bool) error {
	if create && desc == "" {
		return errors.New("externalcontact: product description is empty")
	}
	if n := utf8.RuneCountInString(desc); n > MaxAlbumDescriptionLen {
		return fmt.Errorf("externalcontact: product description has %d characters, more than %d", n, MaxAlbumDescriptionLen)
	}
	if (create || price != 0) && (price <= 0 || price > MaxAlbumPrice) {
		return fmt.Errorf("externalcontact: product price %d fen is not in 1..%d", price, MaxAlbumPrice)
	}
	if n := utf8.RuneCountInString(sn); n > MaxAlbumProductSNLen {
		return fmt.Errorf("externalcontact: product_sn has %d characters, more than %d", n, MaxAlbumProductSNLen)
	}
	if create && len(atts) == 0 {
		return errors.New("externalcontact: product without images")
	}
	if len(atts) > MaxAlbumAttachments {
		return fmt.Errorf("externalcontact: %d product images, more than %d", len(atts), MaxAlbumAttachments)
	}
	for i, a := range atts {
		if a.Type != "image" || a.Image == nil || a.Image.MediaID == "" {
			return fmt.Errorf("externalcontact: product attachment %d is not an image with a media_id", i)
		}
	}
	return nil
}

// AddProductAlbum adds a product to the album and returns its product_id.
// Upload its images with upload_attachment (attachment_type 2) first.
//
// WeCom: POST /cgi-bin/externalcontact/add_product_album
func (s *Service) AddProductAlbum(ctx context.Context, req *AlbumProductRequest, opts ...wecom.CallOption) (string, error) {
	if req == nil {
		return "", errors.New("externalcontact: nil AlbumProductRequest")
	}
	if err := checkAlbumFields(req.Description, req.Price, req.ProductSN, req.Attachments, true); err != nil {
		return "", err
	}
	var resp struct {
		ProductID string `json:"product_id"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_product_album",
		Body:   req,
	}, &resp, opts...)
	if err != nil {
		return "", err
	}
	return resp.ProductID, nil
}

// GetProductAlbum returns a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album
func (s *Service) GetProductAlbum(ctx context.Context, productID string, opts ...wecom.CallOption) (*AlbumProduct, error) {
	if productID == "" {
		return nil, errors.New("externalcontact: product_id is empty")
	}
	var resp struct {
		Product AlbumProduct `json:"product"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_product_album",
		Body: struct {
			ProductID string `json:"product_id"`
		}{productID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Product, nil
}

// ListProductAlbums returns one page of the album (limit 1..100, 0: WeCom's
// default) and the cursor of the next page ("" after the last).
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album_list
func (s *Service) ListProductAlbums(ctx context.Context, cursor string, limit int, opts ...wecom.CallOption) ([]AlbumProduct, string, error) {
	if limit < 0 || limit > MaxAlbumListLimit {
		return nil, "", fmt.Errorf("externalcontact: limit %d is not in 0..%d", limit, MaxAlbumListLimit)
	}
	var resp struct {
		ProductList []AlbumProduct `json:"product_list"`
		NextCursor  string         `json:"next_cursor"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/get_product_album_list",
		Body: struct {
			Limit  int    `json:"limit,omitempty"`
			Cursor string `json:"cursor,omitempty"`
		}{limit, cursor},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.ProductList, resp.NextCursor, nil
}

// AllProductAlbums iterates over every product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/get_product_album_list
func (s *Service) AllProductAlbums(ctx context.Context, limit int, opts ...wecom.CallOption) iter.Seq2[AlbumProduct, error] {
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]AlbumProduct, string, error) {
		return s.ListProductAlbums(ctx, cursor, limit, opts...)
	})
}

// UpdateProductAlbum changes a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/update_product_album
func (s *Service) UpdateProductAlbum(ctx context.Context, u *AlbumProductUpdate, opts ...wecom.CallOption) error {
	if u == nil || u.ProductID == "" {
		return errors.New("externalcontact: product update without product_id")
	}
	if err := checkAlbumFields(u.Description, u.Price, u.ProductSN, u.Attachments, false); err != nil {
		return err
	}
	return s.c.Do(ctx, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/externalcontact/update_product_album",
		Body:       u,
		Idempotent: true, // set semantics
	}, nil, opts...)
}

// DeleteProductAlbum deletes a product of the album.
//
// WeCom: POST /cgi-bin/externalcontact/delete_product_album
func (s *Service) DeleteProductAlbum(ctx context.Context, productID string, opts ...wecom.CallOption) error {
	if productID == "" {
		return errors.New("externalcontact: product_id is empty")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/delete_product_album",
		Body: struct {
			ProductID string `json:"product_id"`
		}{productID},
	}, nil, opts...)
}
