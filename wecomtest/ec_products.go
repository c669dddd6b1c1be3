package wecomtest

import (
	"net/http"
	"slices"
	"unicode/utf8"
)

// Product albums (商品图册). Images must be media uploaded for product
// albums (upload_attachment with attachment_type 2, or AddMedia with
// AttachmentType 2).

func registerECProducts(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_product_album", s.ecAddProduct)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_product_album", s.ecGetProduct)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_product_album_list", s.ecProductList)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/update_product_album", s.ecUpdateProduct)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/delete_product_album", s.ecDeleteProduct)
}

// Product is a product of the album the server holds.
type Product struct {
	ProductID   string `json:"product_id"`
	Description string `json:"description"`
	Price       int64  `json:"price"`
	CreateTime  int64  `json:"create_time"`
	ProductSN   string `json:"product_sn"`
	// ImageMediaIDs are the product's images.
	ImageMediaIDs []string `json:"-"`
}

type ecProductState struct{ products []*Product }

func ecProducts(s *Server) *ecProductState {
	return areaState(s, "ec.products", func() *ecProductState { return &ecProductState{} })
}

type ecAlbumAttachment struct {
	Type  string `json:"type"`
	Image *struct {
		MediaID string `json:"media_id"`
	} `json:"image"`
}

type ecProductBody struct {
	ProductID   string              `json:"product_id"`
	Description string              `json:"description"`
	Price       int64               `json:"price"`
	ProductSN   string              `json:"product_sn"`
	Attachments []ecAlbumAttachment `json:"attachments"`
}

func (s *Server) checkECProduct(b *ecProductBody, create bool) ([]string, error) {
	if create && b.Description == "" {
		return nil, errorf(codeInvalidParameter, "invalid parameter: description missing")
	}
	if utf8.RuneCountInString(b.Description) > 300 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: description longer than 300 characters")
	}
	if (create || b.Price != 0) && (b.Price <= 0 || b.Price > 5000000) {
		return nil, errorf(codeInvalidParameter, "invalid parameter: price %d", b.Price)
	}
	if utf8.RuneCountInString(b.ProductSN) > 128 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: product_sn longer than 128 characters")
	}
	if (create && len(b.Attachments) == 0) || len(b.Attachments) > 9 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: attachments must hold 1..9 images")
	}
	var ids []string
	for _, a := range b.Attachments {
		if a.Type != "image" || a.Image == nil {
			return nil, errorf(codeInvalidParameter, "invalid parameter: attachment type %q", a.Type)
		}
		m, ok := s.st.media[a.Image.MediaID]
		if !ok || m.AttachmentType != 2 || !s.mediaValid(a.Image.MediaID) {
			return nil, errorf(codeInvalidMediaID, "invalid media_id")
		}
		ids = append(ids, a.Image.MediaID)
	}
	return ids, nil
}

func (s *Server) ecProduct(id string) (*Product, error) {
	if err := requireField("product_id", id); err != nil {
		return nil, err
	}
	for _, p := range ecProducts(s).products {
		if p.ProductID == id {
			return p, nil
		}
	}
	return nil, errorf(codeInvalidParameter, "invalid parameter: product_id %s does not exist", id)
}

func ecProductJSON(p *Product) map[string]any {
	atts := []map[string]any{}
	for _, id := range p.ImageMediaIDs {
		atts = append(atts, map[string]any{"type": "image", "image": map[string]any{"media_id": id}})
	}
	return map[string]any{
		"product_id": p.ProductID, "description": p.Description, "price": p.Price,
		"create_time": p.CreateTime, "product_sn": p.ProductSN, "attachments": atts,
	}
}

func (s *Server) ecAddProduct(c *call) (any, error) {
	var req ecProductBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	ids, err := s.checkECProduct(&req, true)
	if err != nil {
		return nil, err
	}
	p := &Product{ProductID: s.ids.ID("xx", 30), Description: req.Description, Price: req.Price,
		CreateTime: c.Now.Unix(), ProductSN: req.ProductSN, ImageMediaIDs: ids}
	st := ecProducts(s)
	st.products = append(st.products, p)
	return map[string]any{"product_id": p.ProductID}, nil
}

func (s *Server) ecGetProduct(c *call) (any, error) {
	var req ecProductBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.ecProduct(req.ProductID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"product": ecProductJSON(p)}, nil
}

func (s *Server) ecProductList(c *call) (any, error) {
	var req struct {
		Limit  int    `json:"limit"`
		Cursor string `json:"cursor"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 50, 100)
	if err != nil {
		return nil, err
	}
	items, next, err := page("product_album", ecProducts(s).products, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, p := range items {
		out = append(out, ecProductJSON(p))
	}
	return map[string]any{"product_list": out, "next_cursor": next}, nil
}

func (s *Server) ecUpdateProduct(c *call) (any, error) {
	var req ecProductBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.ecProduct(req.ProductID)
	if err != nil {
		return nil, err
	}
	ids, err := s.checkECProduct(&req, false)
	if err != nil {
		return nil, err
	}
	if req.Description != "" {
		p.Description = req.Description
	}
	if req.Price != 0 {
		p.Price = req.Price
	}
	if req.ProductSN != "" {
		p.ProductSN = req.ProductSN
	}
	if ids != nil {
		p.ImageMediaIDs = ids
	}
	return nil, nil
}

func (s *Server) ecDeleteProduct(c *call) (any, error) {
	var req ecProductBody
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p, err := s.ecProduct(req.ProductID)
	if err != nil {
		return nil, err
	}
	st := ecProducts(s)
	st.products = slices.DeleteFunc(st.products, func(x *Product) bool { return x == p })
	return nil, nil
}

// Products returns the products of the album, in the order added.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Product
	for _, p := range ecProducts(s).products {
		c := *p
		c.ImageMediaIDs = slices.Clone(p.ImageMediaIDs)
		out = append(out, c)
	}
	return out
}
