package wecomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

func registerContactWays(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_contact_way", s.addContactWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_contact_way", s.getContactWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/list_contact_way", s.listContactWays)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/update_contact_way", s.updateContactWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/del_contact_way", s.delContactWay)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/close_temp_chat", s.closeTempChat)
}

// Errcodes of the contact way endpoints (WeCom's 41037-41045).
const (
	codeNoExternalPermission = 84074 // (?) the member lacks the customer-contact feature
	codeCWNoType             = 41037 // type missing
	codeCWNoScene            = 41038 // scene missing
	codeCWBadType            = 41039 // invalid type
	codeCWBadScene           = 41040 // invalid scene
	codeCWTooManyUsers       = 41041 // too many users
	codeCWBadStyle           = 41042 // invalid style
	codeCWNoConfigID         = 41043 // config_id missing
	codeCWBadConfigID        = 41044 // invalid config_id
	codeCWQuota              = 41045 // the corp's contact-way quota is reached
	maxTempExpires           = 14 * 86400
	// maxContactWays is the corp's contact-way quota here (WeCom's figure
	// is not documented; tests only need it to be reachable).
	maxContactWays = 50000
)

// ContactWay is a 「联系我」 configuration as the server keeps it.
type ContactWay struct {
	ConfigID      string
	Type          int // 1 single, 2 multi
	Scene         int // 1 mini program, 2 QR code
	Style         int
	Remark        string
	SkipVerify    bool
	State         string
	QRCode        string
	User          []string
	Party         []int
	IsTemp        bool
	ExpiresIn     int
	ChatExpiresIn int
	UnionID       string
	IsExclusive   bool
	// Conclusions is the conclusions object as sent.
	Conclusions json.RawMessage
	CreateTime  int64
}

type contactWayState struct {
	byID  map[string]*ContactWay
	order []string
	temp  map[[2]string]bool // open temporary chats: userid, external_userid
}

func (s *Server) contactWays() *contactWayState {
	return areaState(s, "contact_way", func() *contactWayState {
		return &contactWayState{byID: map[string]*ContactWay{}, temp: map[[2]string]bool{}}
	})
}

// ContactWays returns the contact ways, in the order created.
func (s *Server) ContactWays() []ContactWay {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.contactWays()
	out := make([]ContactWay, 0, len(st.order))
	for _, id := range st.order {
		w := *st.byID[id]
		w.User, w.Party = slices.Clone(w.User), slices.Clone(w.Party)
		out = append(out, w)
	}
	return out
}

// ScanContactWay simulates a customer adding a member through a contact
// way, as scanning its QR code does: the customer (created unless
// ExternalUserID names an existing one) is followed by the way's first
// member with add way 1 and the way's state, and add_external_contact
// carries that state. For a temporary-chat way it opens a temporary chat
// instead (see close_temp_chat). It returns the customer.
func (s *Server) ScanContactWay(configID string, c Customer) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.contactWays().byID[configID]
	if !ok {
		return Customer{}, fmt.Errorf("wecomtest: no contact way %s", configID)
	}
	if len(w.User) == 0 {
		return Customer{}, fmt.Errorf("wecomtest: contact way %s has no member (departments are not expanded)", configID)
	}
	if existing, ok := s.st.customers[c.ExternalUserID]; ok {
		c = *existing
	} else {
		if c.ExternalUserID == "" {
			c.ExternalUserID = s.ids.externalUserID()
		}
		if c.Type == 0 {
			c.Type = 1
		}
		if err := s.st.addCustomer(c); err != nil {
			return Customer{}, err
		}
	}
	user := w.User[0]
	if w.IsTemp {
		s.contactWays().temp[[2]string{user, c.ExternalUserID}] = true
		return c, nil
	}
	f := Follow{UserID: user, ExternalUserID: c.ExternalUserID, CreateTime: s.clock.Now().Unix(), OperUserID: user, AddWay: 1, State: w.State}
	if err := s.st.addFollow(f); err != nil {
		return Customer{}, err
	}
	s.emitContactChange("add_external_contact", user, c.ExternalUserID, w.State)
	return c, nil
}

type contactWayFields struct {
	Style         *int            `json:"style"`
	Remark        *string         `json:"remark"`
	SkipVerify    *bool           `json:"skip_verify"`
	State         *string         `json:"state"`
	User          []string        `json:"user"`
	Party         []int           `json:"party"`
	ExpiresIn     *int            `json:"expires_in"`
	ChatExpiresIn *int            `json:"chat_expires_in"`
	UnionID       *string         `json:"unionid"`
	Conclusions   json.RawMessage `json:"conclusions"`
}

func (s *Server) checkContactWayFields(f *contactWayFields) error {
	if f.Style != nil && (*f.Style < 0 || *f.Style > 3) {
		return errorf(codeCWBadStyle, "invalid style %d", *f.Style)
	}
	if f.State != nil && utf8.RuneCountInString(*f.State) > 30 {
		return errorf(codeInvalidParameter, "state exceeds 30 characters")
	}
	if f.Remark != nil && utf8.RuneCountInString(*f.Remark) > 30 {
		return errorf(codeInvalidParameter, "remark exceeds 30 characters")
	}
	for _, u := range f.User {
		usr, err := s.st.user(u)
		if err != nil {
			return err
		}
		if !usr.CustomerContact {
			return errorf(codeNoExternalPermission, "user %s has no external contact permission", u)
		}
	}
	for _, p := range f.Party {
		if p <= 0 {
			return errorf(codeInvalidParameter, "invalid party %d", p)
		}
	}
	for _, d := range []*int{f.ExpiresIn, f.ChatExpiresIn} {
		if d != nil && (*d < 0 || *d > maxTempExpires) {
			return errorf(codeInvalidParameter, "expires_in out of range")
		}
	}
	if len(f.Conclusions) > 0 && string(f.Conclusions) != "null" {
		var c struct {
			Text  *struct{ Content string } `json:"text"`
			Image *struct {
				MediaID string `json:"media_id"`
			} `json:"image"`
			Link        json.RawMessage `json:"link"`
			MiniProgram *struct {
				PicMediaID string `json:"pic_media_id"`
			} `json:"miniprogram"`
		}
		if err := json.Unmarshal(f.Conclusions, &c); err != nil {
			return errorf(codeDataFormat, "data format error: conclusions")
		}
		n := 0
		if c.Image != nil {
			n++
			if !s.mediaValid(c.Image.MediaID) {
				return errorf(codeInvalidMediaID, "invalid media_id")
			}
		}
		if len(c.Link) > 0 {
			n++
		}
		if c.MiniProgram != nil {
			n++
			if !s.mediaValid(c.MiniProgram.PicMediaID) {
				return errorf(codeInvalidMediaID, "invalid pic_media_id")
			}
		}
		if n > 1 {
			return errorf(codeInvalidParameter, "conclusions take at most one of image, link and miniprogram")
		}
	}
	return nil
}

func (f *contactWayFields) apply(w *ContactWay) {
	if f.Style != nil {
		w.Style = *f.Style
	}
	if f.Remark != nil {
		w.Remark = *f.Remark
	}
	if f.SkipVerify != nil {
		w.SkipVerify = *f.SkipVerify
	}
	if f.State != nil {
		w.State = *f.State
	}
	if f.User != nil {
		w.User = slices.Clone(f.User)
	}
	if f.Party != nil {
		w.Party = slices.Clone(f.Party)
	}
	if f.ExpiresIn != nil {
		w.ExpiresIn = *f.ExpiresIn
	}
	if f.ChatExpiresIn != nil {
		w.ChatExpiresIn = *f.ChatExpiresIn
	}
	if f.UnionID != nil {
		w.UnionID = *f.UnionID
	}
	if len(f.Conclusions) > 0 {
		w.Conclusions = slices.Clone(f.Conclusions)
	}
}

func (s *Server) addContactWay(c *call) (any, error) {
	var req struct {
		contactWayFields
		Type        int  `json:"type"`
		Scene       int  `json:"scene"`
		IsTemp      bool `json:"is_temp"`
		IsExclusive bool `json:"is_exclusive"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.Type == 0:
		return nil, errorf(codeCWNoType, "missing type")
	case req.Type != 1 && req.Type != 2:
		return nil, errorf(codeCWBadType, "invalid type %d", req.Type)
	case req.Scene == 0:
		return nil, errorf(codeCWNoScene, "missing scene")
	case req.Scene != 1 && req.Scene != 2:
		return nil, errorf(codeCWBadScene, "invalid scene %d", req.Scene)
	case len(req.User) == 0 && len(req.Party) == 0:
		return nil, errorf(codeInvalidParameter, "missing user or party")
	case req.Type == 1 && (len(req.User) != 1 || len(req.Party) > 0):
		return nil, errorf(codeCWTooManyUsers, "a single contact way takes exactly one user")
	case len(s.contactWays().order) >= maxContactWays:
		return nil, errorf(codeCWQuota, "contact way quota reached")
	case req.IsTemp && (req.Type != 1 || req.Scene != 2):
		return nil, errorf(codeInvalidParameter, "a temporary chat needs a single-user QR code")
	}
	if err := s.checkContactWayFields(&req.contactWayFields); err != nil {
		return nil, err
	}
	// An absent skip_verify means true on WeCom: only an explicit false
	// makes the member confirm.
	w := &ContactWay{ConfigID: s.ids.configID(), Type: req.Type, Scene: req.Scene, IsTemp: req.IsTemp,
		IsExclusive: req.IsExclusive, CreateTime: c.Now.Unix(), SkipVerify: true}
	req.apply(w)
	if w.IsTemp {
		if w.ExpiresIn == 0 {
			w.ExpiresIn = 7 * 86400
		}
		if w.ChatExpiresIn == 0 {
			w.ChatExpiresIn = 86400
		}
	}
	if w.Scene == 2 {
		w.QRCode = "https://wework.qpic.cn/wwpic/" + s.ids.random(24) + "/0"
	}
	st := s.contactWays()
	st.byID[w.ConfigID] = w
	st.order = append(st.order, w.ConfigID)
	return struct {
		ConfigID string `json:"config_id"`
		QRCode   string `json:"qr_code,omitempty"`
	}{w.ConfigID, w.QRCode}, nil
}

func (s *Server) contactWay(id string) (*ContactWay, error) {
	if id == "" {
		return nil, errorf(codeCWNoConfigID, "missing config_id")
	}
	w, ok := s.contactWays().byID[id]
	if !ok {
		return nil, errorf(codeCWBadConfigID, "invalid config_id")
	}
	return w, nil
}

func (s *Server) getContactWay(c *call) (any, error) {
	var req struct {
		ConfigID string `json:"config_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := s.contactWay(req.ConfigID)
	if err != nil {
		return nil, err
	}
	type wayJSON struct {
		ConfigID      string          `json:"config_id"`
		Type          int             `json:"type"`
		Scene         int             `json:"scene"`
		Style         int             `json:"style,omitempty"`
		Remark        string          `json:"remark"`
		SkipVerify    bool            `json:"skip_verify"`
		State         string          `json:"state"`
		QRCode        string          `json:"qr_code,omitempty"`
		User          []string        `json:"user"`
		Party         []int           `json:"party"`
		IsTemp        bool            `json:"is_temp"`
		ExpiresIn     int             `json:"expires_in,omitempty"`
		ChatExpiresIn int             `json:"chat_expires_in,omitempty"`
		UnionID       string          `json:"unionid,omitempty"`
		IsExclusive   bool            `json:"is_exclusive"`
		Conclusions   json.RawMessage `json:"conclusions,omitempty"`
	}
	out := wayJSON{w.ConfigID, w.Type, w.Scene, w.Style, w.Remark, w.SkipVerify, w.State, w.QRCode,
		w.User, w.Party, w.IsTemp, w.ExpiresIn, w.ChatExpiresIn, w.UnionID, w.IsExclusive, w.Conclusions}
	if out.User == nil {
		out.User = []string{}
	}
	if out.Party == nil {
		out.Party = []int{}
	}
	return struct {
		ContactWay wayJSON `json:"contact_way"`
	}{out}, nil
}

func (s *Server) listContactWays(c *call) (any, error) {
	var req struct {
		StartTime int64  `json:"start_time"`
		EndTime   int64  `json:"end_time"`
		Cursor    string `json:"cursor"`
		Limit     int    `json:"limit"`
	}
	if len(c.Body) > 0 {
		if err := c.decode(&req); err != nil {
			return nil, err
		}
	}
	now := c.Now.Unix()
	if req.EndTime == 0 {
		req.EndTime = now
	}
	if req.StartTime == 0 {
		req.StartTime = req.EndTime - 90*86400
	}
	if req.StartTime > req.EndTime {
		return nil, errorf(codeInvalidParameter, "start_time after end_time")
	}
	limit, err := checkLimit(req.Limit, 100, 1000)
	if err != nil {
		return nil, err
	}
	st := s.contactWays()
	var ids []string
	for _, id := range st.order {
		if t := st.byID[id].CreateTime; t >= req.StartTime && t <= req.EndTime {
			ids = append(ids, id)
		}
	}
	ids, next, err := page("list_contact_way", ids, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	type item struct {
		ConfigID string `json:"config_id"`
	}
	out := make([]item, len(ids))
	for i, id := range ids {
		out[i] = item{id}
	}
	return struct {
		ContactWay []item `json:"contact_way"`
		NextCursor string `json:"next_cursor"`
	}{out, next}, nil
}

func (s *Server) updateContactWay(c *call) (any, error) {
	var req struct {
		contactWayFields
		ConfigID string `json:"config_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := s.contactWay(req.ConfigID)
	if err != nil {
		return nil, err
	}
	if err := s.checkContactWayFields(&req.contactWayFields); err != nil {
		return nil, err
	}
	if w.Type == 1 && (len(req.User) > 1 || len(req.Party) > 0) {
		return nil, errorf(codeCWTooManyUsers, "a single contact way takes exactly one user")
	}
	req.apply(w)
	return nil, nil
}

func (s *Server) delContactWay(c *call) (any, error) {
	var req struct {
		ConfigID string `json:"config_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := s.contactWay(req.ConfigID); err != nil {
		return nil, err
	}
	st := s.contactWays()
	delete(st.byID, req.ConfigID)
	st.order = slices.DeleteFunc(st.order, func(id string) bool { return id == req.ConfigID })
	return nil, nil
}

func (s *Server) closeTempChat(c *call) (any, error) {
	var req struct {
		UserID         string `json:"userid"`
		ExternalUserID string `json:"external_userid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.UserID == "":
		return nil, errorf(codeMissingUserID, "missing userid")
	case req.ExternalUserID == "":
		return nil, errorf(codeInvalidExternalID, "missing external_userid")
	}
	if _, err := s.st.user(req.UserID); err != nil {
		return nil, err
	}
	if _, err := s.st.customer(req.ExternalUserID); err != nil {
		return nil, err
	}
	key := [2]string{req.UserID, req.ExternalUserID}
	st := s.contactWays()
	if !st.temp[key] {
		return nil, errorf(codeNoRelationship, "no temporary chat between them")
	}
	delete(st.temp, key)
	return nil, nil
}
