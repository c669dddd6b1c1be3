package wecomtest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// User is a member of the corp (企业成员).
type User struct {
	UserID        string
	Name          string
	DepartmentIDs []int
	// CustomerContact says the member has the customer-contact feature
	// (listed by get_follow_user_list and allowed to have customers).
	CustomerContact bool
	// Resigned says the member has left; their customers and groups wait
	// for a resigned transfer (get_unassigned_list).
	Resigned bool
	// DimissionTime is when they left (Unix seconds).
	DimissionTime int64
	// Inactive says the member has not activated WeCom (41054).
	Inactive bool
}

// Customer is an external contact (客户).
type Customer struct {
	ExternalUserID string
	Name           string
	Position       string
	Avatar         string
	CorpName       string
	CorpFullName   string
	Type           int // 1 WeChat user, 2 WeCom user
	Gender         int // 0 unknown, 1 male, 2 female
	UnionID        string
	// ExternalProfile is sent as is for customers who are WeCom users.
	ExternalProfile json.RawMessage
}

// Follow is the relation between a member and a customer they added
// (follow_user / follow_info).
type Follow struct {
	UserID         string
	ExternalUserID string
	Remark         string
	Description    string
	CreateTime     int64
	TagIDs         []string // corp and strategy tags
	RemarkCorpName string
	RemarkMobiles  []string
	OperUserID     string
	AddWay         int
	State          string
	// WechatChannelsNickname and WechatChannelsSource are set for add
	// way 10 (WeChat Channels).
	WechatChannelsNickname string
	WechatChannelsSource   int
}

// TagGroup is a group of corp tags, or of strategy tags when StrategyID is
// set.
type TagGroup struct {
	GroupID    string
	GroupName  string
	CreateTime int64
	Order      int
	StrategyID int
	Tags       []Tag
}

// Tag is a corp or strategy tag.
type Tag struct {
	ID         string
	Name       string
	CreateTime int64
	Order      int
}

// GroupChat is a customer group (客户群).
type GroupChat struct {
	ChatID     string
	Name       string
	Owner      string
	Notice     string
	CreateTime int64
	// Status is 0 normal, 1 owner resigned (awaiting transfer), 2
	// transferring, 3 transfer completed.
	Status        int
	Members       []GroupMember
	Admins        []string
	MemberVersion string
}

// GroupMember is a member of a customer group.
type GroupMember struct {
	UserID        string
	Type          int // 1 corp member, 2 customer
	UnionID       string
	JoinTime      int64
	JoinScene     int // 1 invited directly, 2 invitation link, 3 QR code
	Invitor       string
	GroupNickname string
	Name          string
}

// state is the server's data. Every access holds Server.mu.
type state struct {
	users     map[string]*User
	userOrder []string

	customers     map[string]*Customer
	customerOrder []string
	follows       map[string][]*Follow // by external_userid, in the order added
	byUser        map[string][]*Follow // by userid, in the order added

	tagGroups []*TagGroup
	tagIndex  map[string]*TagGroup // tag id and group id → group

	chats     map[string]*GroupChat
	chatOrder []string

	welcomeCodes map[string]welcomeCode
	media        map[string]Media // uploaded media by media_id

	ext map[string]any // area state, see areaState
}

func newState() *state {
	return &state{
		users:     map[string]*User{},
		customers: map[string]*Customer{},
		follows:   map[string][]*Follow{},
		byUser:    map[string][]*Follow{},
		tagIndex:  map[string]*TagGroup{},
		chats:     map[string]*GroupChat{},

		welcomeCodes: map[string]welcomeCode{},
		media:        map[string]Media{},
		ext:          map[string]any{},
	}
}

// areaState returns the state an area file keeps beside the core state,
// creating it on first use. Call it with Server.mu held.
func areaState[T any](s *Server, key string, create func() *T) *T {
	if v, ok := s.st.ext[key]; ok {
		return v.(*T)
	}
	v := create()
	s.st.ext[key] = v
	return v
}

func (st *state) user(id string) (*User, error) {
	u, ok := st.users[id]
	if !ok {
		return nil, errorf(codeUserNotFound, "invalid userid %s", id)
	}
	return u, nil
}

func (st *state) customer(id string) (*Customer, error) {
	c, ok := st.customers[id]
	if !ok {
		return nil, errorf(codeInvalidExternalID, "invalid external userid")
	}
	return c, nil
}

// follow returns the relation of userID and externalUserID, or 84061.
func (st *state) follow(userID, externalUserID string) (*Follow, error) {
	for _, f := range st.follows[externalUserID] {
		if f.UserID == userID {
			return f, nil
		}
	}
	return nil, errorf(codeNoRelationship, "not external contact")
}

func (st *state) addUser(u User) error {
	if u.UserID == "" {
		return fmt.Errorf("wecomtest: user without UserID")
	}
	if _, dup := st.users[u.UserID]; dup {
		return fmt.Errorf("wecomtest: user %s exists", u.UserID)
	}
	u.DepartmentIDs = slices.Clone(u.DepartmentIDs)
	st.users[u.UserID] = &u
	st.userOrder = append(st.userOrder, u.UserID)
	return nil
}

func (st *state) addCustomer(c Customer) error {
	if c.ExternalUserID == "" {
		return fmt.Errorf("wecomtest: customer without ExternalUserID")
	}
	if _, dup := st.customers[c.ExternalUserID]; dup {
		return fmt.Errorf("wecomtest: customer %s exists", c.ExternalUserID)
	}
	st.customers[c.ExternalUserID] = &c
	st.customerOrder = append(st.customerOrder, c.ExternalUserID)
	return nil
}

func (st *state) addFollow(f Follow) error {
	if _, ok := st.users[f.UserID]; !ok {
		return fmt.Errorf("wecomtest: follow of unknown user %s", f.UserID)
	}
	if _, ok := st.customers[f.ExternalUserID]; !ok {
		return fmt.Errorf("wecomtest: follow of unknown customer %s", f.ExternalUserID)
	}
	if _, err := st.follow(f.UserID, f.ExternalUserID); err == nil {
		return fmt.Errorf("wecomtest: %s already follows %s", f.UserID, f.ExternalUserID)
	}
	f.TagIDs = slices.Clone(f.TagIDs)
	f.RemarkMobiles = slices.Clone(f.RemarkMobiles)
	p := &f
	st.follows[f.ExternalUserID] = append(st.follows[f.ExternalUserID], p)
	st.byUser[f.UserID] = append(st.byUser[f.UserID], p)
	return nil
}

// removeFollow deletes the relation; it reports whether there was one.
func (st *state) removeFollow(userID, externalUserID string) bool {
	f, err := st.follow(userID, externalUserID)
	if err != nil {
		return false
	}
	st.follows[externalUserID] = slices.DeleteFunc(st.follows[externalUserID], func(x *Follow) bool { return x == f })
	st.byUser[userID] = slices.DeleteFunc(st.byUser[userID], func(x *Follow) bool { return x == f })
	return true
}

// moveFollow hands a relation from one member to another (a completed
// transfer), keeping remark, tags and the rest.
func (st *state) moveFollow(from, to, externalUserID string, now int64) error {
	f, err := st.follow(from, externalUserID)
	if err != nil {
		return err
	}
	if _, err := st.follow(to, externalUserID); err == nil {
		st.removeFollow(from, externalUserID) // already theirs: just drop the old relation
		return nil
	}
	st.byUser[from] = slices.DeleteFunc(st.byUser[from], func(x *Follow) bool { return x == f })
	f.UserID = to
	f.CreateTime = now
	f.OperUserID = to
	st.byUser[to] = append(st.byUser[to], f)
	return nil
}

func (st *state) addTagGroup(g *TagGroup) {
	st.tagGroups = append(st.tagGroups, g)
	st.tagIndex[g.GroupID] = g
	for _, t := range g.Tags {
		st.tagIndex[t.ID] = g
	}
}

// tag returns the tag with id and its group.
func (st *state) tag(id string) (*Tag, *TagGroup, bool) {
	g, ok := st.tagIndex[id]
	if !ok {
		return nil, nil, false
	}
	for i := range g.Tags {
		if g.Tags[i].ID == id {
			return &g.Tags[i], g, true
		}
	}
	return nil, g, false
}

func (st *state) addChat(g GroupChat) error {
	if g.ChatID == "" {
		return fmt.Errorf("wecomtest: group chat without ChatID")
	}
	if _, dup := st.chats[g.ChatID]; dup {
		return fmt.Errorf("wecomtest: group chat %s exists", g.ChatID)
	}
	g.Members = slices.Clone(g.Members)
	g.Admins = slices.Clone(g.Admins)
	st.chats[g.ChatID] = &g
	st.chatOrder = append(st.chatOrder, g.ChatID)
	return nil
}

// ---- fixtures: the public way to put data in and read it back ----

// AddUser adds a corp member. It emits create_user when change_contact
// events are on (SetContactEvents).
func (s *Server) AddUser(u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.st.addUser(u); err != nil {
		return err
	}
	s.emitCreateUser(s.st.users[u.UserID])
	return nil
}

// ResignUser makes a member leave the corp now (on the server clock): their
// customers appear in get_unassigned_list and their groups wait for a
// resigned transfer (groupchat/list status 1), as after 离职 in WeCom.
// They leave the directory, and delete_user is emitted when change_contact
// events are on (SetContactEvents).
func (s *Server) ResignUser(userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.st.user(userID)
	if err != nil {
		return err
	}
	if !u.Resigned {
		u.Resigned = true
		u.DimissionTime = s.clock.Now().Unix()
		s.emitDeleteUser(userID)
	}
	return nil
}

// AddCustomer adds a customer and the members who follow them. An empty
// ExternalUserID gets a generated one; the customer as stored is returned.
// Each follow emits an add_external_contact callback when callbacks are
// configured.
func (s *Server) AddCustomer(c Customer, follows ...Follow) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ExternalUserID == "" {
		c.ExternalUserID = s.ids.externalUserID()
	}
	if c.Type == 0 {
		c.Type = 1
	}
	for _, f := range follows {
		if _, ok := s.st.users[f.UserID]; !ok {
			return Customer{}, fmt.Errorf("wecomtest: follow of unknown user %s", f.UserID)
		}
	}
	if err := s.st.addCustomer(c); err != nil {
		return Customer{}, err
	}
	for _, f := range follows {
		f.ExternalUserID = c.ExternalUserID
		if f.CreateTime == 0 {
			f.CreateTime = s.clock.Now().Unix()
		}
		if err := s.st.addFollow(f); err != nil {
			return Customer{}, err
		}
		s.emitContactChange("add_external_contact", f.UserID, c.ExternalUserID, f.State)
	}
	return c, nil
}

// AddFollow adds a relation between an existing member and customer.
func (s *Server) AddFollow(f Follow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.CreateTime == 0 {
		f.CreateTime = s.clock.Now().Unix()
	}
	if err := s.st.addFollow(f); err != nil {
		return err
	}
	s.emitContactChange("add_external_contact", f.UserID, f.ExternalUserID, f.State)
	return nil
}

// AddTagGroup adds a corp tag group (or a strategy tag group when
// StrategyID is set); empty ids are generated. It returns the group as
// stored.
func (s *Server) AddTagGroup(g TagGroup) (TagGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.GroupName == "" {
		return TagGroup{}, fmt.Errorf("wecomtest: tag group without a name")
	}
	if g.GroupID == "" {
		g.GroupID = s.ids.tagID()
	}
	if g.CreateTime == 0 {
		g.CreateTime = s.clock.Now().Unix()
	}
	g.Tags = slices.Clone(g.Tags)
	for i := range g.Tags {
		if g.Tags[i].ID == "" {
			g.Tags[i].ID = s.ids.tagID()
		}
		if g.Tags[i].CreateTime == 0 {
			g.Tags[i].CreateTime = g.CreateTime
		}
	}
	stored := g
	s.st.addTagGroup(&stored)
	return cloneTagGroup(&stored), nil
}

// AddGroupChat adds a customer group; an empty ChatID is generated.
func (s *Server) AddGroupChat(g GroupChat) (GroupChat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.ChatID == "" {
		g.ChatID = s.ids.chatID()
	}
	if g.CreateTime == 0 {
		g.CreateTime = s.clock.Now().Unix()
	}
	if g.MemberVersion == "" {
		g.MemberVersion = s.ids.configID()
	}
	if err := s.st.addChat(g); err != nil {
		return GroupChat{}, err
	}
	return cloneChat(s.st.chats[g.ChatID]), nil
}

// Users returns every member, in the order added.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.st.userOrder))
	for _, id := range s.st.userOrder {
		u := *s.st.users[id]
		u.DepartmentIDs = slices.Clone(u.DepartmentIDs)
		out = append(out, u)
	}
	return out
}

// Customer returns a customer and their follow relations.
func (s *Server) Customer(externalUserID string) (Customer, []Follow, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.customers[externalUserID]
	if !ok {
		return Customer{}, nil, false
	}
	var fs []Follow
	for _, f := range s.st.follows[externalUserID] {
		fs = append(fs, cloneFollow(f))
	}
	return *c, fs, true
}

// CustomerIDs returns every customer's external_userid, in the order added.
func (s *Server) CustomerIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.customerOrder)
}

// FollowsOf returns the relations of a member, in the order added.
func (s *Server) FollowsOf(userID string) []Follow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Follow
	for _, f := range s.st.byUser[userID] {
		out = append(out, cloneFollow(f))
	}
	return out
}

// RelationCount returns the number of follow relations.
func (s *Server) RelationCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, fs := range s.st.byUser {
		n += len(fs)
	}
	return n
}

// TagGroups returns every tag group, corp and strategy, in order added.
func (s *Server) TagGroups() []TagGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TagGroup, 0, len(s.st.tagGroups))
	for _, g := range s.st.tagGroups {
		out = append(out, cloneTagGroup(g))
	}
	return out
}

// GroupChats returns every customer group, in the order added.
func (s *Server) GroupChats() []GroupChat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GroupChat, 0, len(s.st.chatOrder))
	for _, id := range s.st.chatOrder {
		out = append(out, cloneChat(s.st.chats[id]))
	}
	return out
}

// GroupChat returns one customer group.
func (s *Server) GroupChat(chatID string) (GroupChat, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.chats[chatID]
	if !ok {
		return GroupChat{}, false
	}
	return cloneChat(g), true
}

func cloneFollow(f *Follow) Follow {
	c := *f
	c.TagIDs = slices.Clone(f.TagIDs)
	c.RemarkMobiles = slices.Clone(f.RemarkMobiles)
	return c
}

func cloneTagGroup(g *TagGroup) TagGroup {
	c := *g
	c.Tags = slices.Clone(g.Tags)
	return c
}

func cloneChat(g *GroupChat) GroupChat {
	c := *g
	c.Members = slices.Clone(g.Members)
	c.Admins = slices.Clone(g.Admins)
	return c
}

// Media is an uploaded file: an attachment (upload_attachment) or a
// temporary media file.
type Media struct {
	MediaID string
	// Type is image, video or file.
	Type string
	// AttachmentType is 1 for moments, 2 for product albums, 0 for
	// temporary media.
	AttachmentType int
	FileName       string
	Size           int64
	CreatedAt      int64
	// Permanent marks an image uploaded with media/uploadimg (a URL, not
	// a media id that expires).
	Permanent bool
}

// mediaLifetime is how long a media_id of media/upload or
// media/upload_attachment stays valid.
const mediaLifetime = 3 * 24 * 3600

// mediaValid reports whether id is a media id that can be used now: known
// and not older than 3 days on the server clock. Call it with s.mu held.
func (s *Server) mediaValid(id string) bool {
	m, ok := s.st.media[id]
	return ok && (m.Permanent || s.clock.Now().Unix() < m.CreatedAt+mediaLifetime)
}

// addMedia stores m with a fresh media id and returns it.
func (s *Server) addMedia(m Media) Media {
	m.MediaID = s.ids.ID("3", 63)
	if m.CreatedAt == 0 {
		m.CreatedAt = s.clock.Now().Unix()
	}
	s.st.media[m.MediaID] = m
	return m
}

// AddMedia stores an uploaded file as if it had been uploaded and returns
// it with its media id, for tests that need a valid media id.
func (s *Server) AddMedia(m Media) Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addMedia(m)
}

// MediaByID returns an uploaded file.
func (s *Server) MediaByID(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.st.media[id]
	return m, ok
}
