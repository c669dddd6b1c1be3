package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The directory (通讯录): the members of state.go (User) with their
// departments, profiles and address-book tags, served read-only through
// user/list_id, user/get, department/simplelist and department/list.
// Members who have left (ResignUser) are no longer in it.

func registerStaff(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/user/list_id", s.userListID)
	s.handle(http.MethodGet, "/cgi-bin/user/get", s.userGet)
	s.handle(http.MethodGet, "/cgi-bin/department/simplelist", s.departmentSimpleList)
	s.handle(http.MethodGet, "/cgi-bin/department/list", s.departmentList)
}

// Errcodes of the directory endpoints.
const (
	codeInvalidPartyID = 60123 // invalid department id
	codeIPNotAllowed   = 60020 // not allow to access from your ip
)

// ContactEvents says which change_contact events the server emits when
// the directory changes (AddUser, ResignUser, UpdateUser, UpdateProfile,
// AddDepartment, UpdateDepartment, DeleteDepartment, ChangeMemberTag).
type ContactEvents int

// The values of ContactEvents.
const (
	// ContactEventsOff emits none, the default: WeCom delivers
	// change_contact only to the address-book assistant (通讯录同步), 代开发
	// apps and apps shared by an upstream corp, never to an ordinary
	// self-built app's callback URL.
	ContactEventsOff ContactEvents = iota
	// ContactEventsCurrent emits what a callback URL configured since
	// 2022-08-15 gets: member events with only UserID and Department
	// (update_user only when the departments change), party events with
	// only Id and ParentId.
	ContactEventsCurrent
	// ContactEventsFull emits what a URL configured before 2022-08-15
	// gets: every field that is set or changed.
	ContactEventsFull
)

// String implements fmt.Stringer.
func (m ContactEvents) String() string {
	switch m {
	case ContactEventsOff:
		return "off"
	case ContactEventsCurrent:
		return "current"
	case ContactEventsFull:
		return "full"
	}
	return "ContactEvents(" + strconv.Itoa(int(m)) + ")"
}

// DirectoryAccess is what the app whose secret the server accepts may
// read of the directory.
type DirectoryAccess struct {
	// SensitiveFields makes user/get answer mobile, gender, email,
	// biz_mail, avatar, qr_code and address, as for the 通讯录同步 secret.
	// Off (the default) it answers like WeCom does since 2022-06-20 for
	// other apps: without them.
	SensitiveFields bool
	// NewIP refuses user/get and department/list with errcode 60020, as
	// WeCom does for IPs added to the 通讯录同步 assistant since
	// 2022-08-15 (the errcode is wecomtest's choice); user/list_id and
	// department/simplelist keep working.
	NewIP bool
}

// Department is a department of the directory (部门). Department 1, the
// corp itself, always exists.
type Department struct {
	ID       int
	Name     string
	NameEn   string
	ParentID int // 0 for department 1
	Order    int
	Leaders  []string // userids
}

// Profile is what the directory holds about a member beyond User: the
// rest of user/get, and what app messages need.
type Profile struct {
	Position         string
	Mobile           string // sensitive
	Gender           string // "0", "1" male, "2" female; sensitive
	Email            string // sensitive
	BizMail          string // sensitive
	Avatar           string // sensitive
	Address          string // sensitive
	QRCode           string // sensitive
	Telephone        string
	Alias            string
	ExternalPosition string
	MainDepartment   int   // 0: the first of User.DepartmentIDs
	IsLeaderInDept   []int // parallel to User.DepartmentIDs
	DirectLeader     []string
	// Disabled is status 2 (已禁用): app messages list the member as
	// invalid.
	Disabled bool
	// Unlicensed says the member lacks the interface licence (接口许可):
	// app messages list them in unlicenseduser and do not reach them.
	Unlicensed bool
}

// MemberTag is an address-book tag (通讯录标签, not a customer tag): the
// totag of app messages.
type MemberTag struct {
	ID       int
	Name     string
	UserIDs  []string
	PartyIDs []int
}

// MemberTagChange adds and removes members and departments of a
// MemberTag.
type MemberTagChange struct {
	AddUsers, DelUsers     []string
	AddParties, DelParties []int
}

type staffState struct {
	depts     map[int]*Department
	deptOrder []int
	profiles  map[string]*Profile
	tags      map[int]*MemberTag
	tagOrder  []int
	events    ContactEvents
	access    DirectoryAccess
}

func newStaffState() *staffState {
	st := &staffState{depts: map[int]*Department{}, profiles: map[string]*Profile{}, tags: map[int]*MemberTag{}}
	st.addDept(Department{ID: 1, Name: "wecomtest", Order: 100000000})
	return st
}

func (s *Server) staff() *staffState { return areaState(s, "staff", newStaffState) }

func (st *staffState) addDept(d Department) {
	d.Leaders = slices.Clone(d.Leaders)
	st.depts[d.ID] = &d
	st.deptOrder = append(st.deptOrder, d.ID)
}

func (st *staffState) profile(userID string) *Profile {
	p, ok := st.profiles[userID]
	if !ok {
		p = &Profile{}
		st.profiles[userID] = p
	}
	return p
}

// subtree returns id and every department below it, parents first.
func (st *staffState) subtree(id int) []int {
	out := []int{id}
	for i := 0; i < len(out); i++ {
		for _, d := range st.deptOrder {
			if st.depts[d].ParentID == out[i] && d != out[i] {
				out = append(out, d)
			}
		}
	}
	return out
}

// seedDepartments adds the demo's departments (its members are in 1..4).
func (s *Server) seedDepartments() {
	st := s.staff()
	for i, name := range []string{"销售部", "客服部", "市场部"} {
		if _, ok := st.depts[i+2]; !ok {
			st.addDept(Department{ID: i + 2, Name: name, ParentID: 1, Order: 100000000 - 1000*(i+1)})
		}
	}
}

// ---- configuration ----

// SetContactEvents sets which change_contact events later directory
// changes emit (default ContactEventsOff).
func (s *Server) SetContactEvents(mode ContactEvents) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staff().events = mode
}

// SetDirectoryAccess sets what the app may read of the directory.
func (s *Server) SetDirectoryAccess(a DirectoryAccess) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staff().access = a
}

// ---- simulation: the admin changes the directory ----

// UpdateUser changes a member's Name and DepartmentIDs to u's (the member
// is u.UserID; other fields of u are ignored) and emits update_user with
// what changed.
func (s *Server) UpdateUser(u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.st.user(u.UserID)
	if err != nil {
		return err
	}
	nameChanged := u.Name != cur.Name
	deptChanged := !slices.Equal(u.DepartmentIDs, cur.DepartmentIDs)
	cur.Name = u.Name
	cur.DepartmentIDs = slices.Clone(u.DepartmentIDs)
	st := s.staff()
	var fields []Field
	if deptChanged {
		fields = append(fields, Field{Name: "Department", Value: joinInts(cur.DepartmentIDs, ",")})
	}
	if st.events == ContactEventsFull && nameChanged {
		fields = append(fields, Field{Name: "Name", Value: cur.Name})
	}
	if len(fields) > 0 && (deptChanged || st.events == ContactEventsFull) {
		s.emitContact("update_user", append([]Field{{Name: "UserID", Value: cur.UserID}}, fields...))
	}
	return nil
}

// UpdateProfile replaces a member's Profile. With ContactEventsFull it
// emits update_user with the fields that changed; callback URLs
// configured since 2022-08-15 get no event for a profile change.
func (s *Server) UpdateProfile(userID string, p Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.st.user(userID)
	if err != nil {
		return err
	}
	st := s.staff()
	old := *st.profile(userID)
	p.IsLeaderInDept = slices.Clone(p.IsLeaderInDept)
	p.DirectLeader = slices.Clone(p.DirectLeader)
	*st.profile(userID) = p
	if st.events != ContactEventsFull {
		return nil
	}
	fields := []Field{{Name: "UserID", Value: userID}}
	for _, c := range []struct {
		name     string
		old, new string
		number   bool
	}{
		{"MainDepartment", strconv.Itoa(old.MainDepartment), strconv.Itoa(p.MainDepartment), true},
		{"IsLeaderInDept", joinInts(old.IsLeaderInDept, ","), joinInts(p.IsLeaderInDept, ","), false},
		{"DirectLeader", strings.Join(old.DirectLeader, ","), strings.Join(p.DirectLeader, ","), false},
		{"Position", old.Position, p.Position, false},
		{"Mobile", old.Mobile, p.Mobile, false},
		{"Gender", old.Gender, p.Gender, false},
		{"Email", old.Email, p.Email, false},
		{"BizMail", old.BizMail, p.BizMail, false},
		{"Status", strconv.Itoa(memberStatus(u, &old)), strconv.Itoa(memberStatus(u, &p)), true},
		{"Avatar", old.Avatar, p.Avatar, false},
		{"Alias", old.Alias, p.Alias, false},
		{"Telephone", old.Telephone, p.Telephone, false},
		{"Address", old.Address, p.Address, false},
	} {
		if c.old != c.new {
			fields = append(fields, Field{Name: c.name, Value: c.new, Number: c.number})
		}
	}
	if len(fields) > 1 {
		s.emitContact("update_user", fields)
	}
	return nil
}

// Profile returns a member's Profile.
func (s *Server) Profile(userID string) (Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.users[userID]; !ok {
		return Profile{}, false
	}
	p := *s.staff().profile(userID)
	p.IsLeaderInDept = slices.Clone(p.IsLeaderInDept)
	p.DirectLeader = slices.Clone(p.DirectLeader)
	return p, true
}

// AddDepartment adds a department (ID 0: the next free id; ParentID 0:
// department 1) and emits create_party. It returns the department as
// stored.
func (s *Server) AddDepartment(d Department) (Department, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	if d.ID == 0 {
		d.ID = slices.Max(st.deptOrder) + 1
	}
	if d.ParentID == 0 {
		d.ParentID = 1
	}
	if _, dup := st.depts[d.ID]; dup || d.ID < 0 {
		return Department{}, fmt.Errorf("wecomtest: department %d exists or is invalid", d.ID)
	}
	if _, ok := st.depts[d.ParentID]; !ok {
		return Department{}, fmt.Errorf("wecomtest: parent department %d does not exist", d.ParentID)
	}
	if d.Name == "" {
		return Department{}, fmt.Errorf("wecomtest: department without a name")
	}
	st.addDept(d)
	fields := []Field{{Name: "Id", Value: strconv.Itoa(d.ID), Number: true}}
	if st.events == ContactEventsFull {
		fields = append(fields, Field{Name: "Name", Value: d.Name})
	}
	fields = append(fields, Field{Name: "ParentId", Value: strconv.Itoa(d.ParentID)})
	if st.events == ContactEventsFull {
		fields = append(fields, Field{Name: "Order", Value: strconv.Itoa(d.Order), Number: true})
	}
	s.emitContact("create_party", fields)
	return cloneDept(st.depts[d.ID]), nil
}

// UpdateDepartment replaces the department with d.ID (ParentID 0 keeps
// the parent) and emits update_party.
func (s *Server) UpdateDepartment(d Department) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	cur, ok := st.depts[d.ID]
	if !ok {
		return fmt.Errorf("wecomtest: no department %d", d.ID)
	}
	if d.ParentID == 0 {
		d.ParentID = cur.ParentID
	}
	if d.ID == 1 && d.ParentID != 0 {
		return fmt.Errorf("wecomtest: department 1 cannot move")
	}
	if d.ID != 1 && slices.Contains(st.subtree(d.ID), d.ParentID) {
		return fmt.Errorf("wecomtest: department %d cannot move below itself", d.ID)
	}
	if _, ok := st.depts[d.ParentID]; !ok && d.ID != 1 {
		return fmt.Errorf("wecomtest: parent department %d does not exist", d.ParentID)
	}
	nameChanged := d.Name != cur.Name
	d.Leaders = slices.Clone(d.Leaders)
	*cur = d
	fields := []Field{{Name: "Id", Value: strconv.Itoa(d.ID), Number: true}}
	if st.events == ContactEventsFull && nameChanged {
		fields = append(fields, Field{Name: "Name", Value: d.Name})
	}
	fields = append(fields, Field{Name: "ParentId", Value: strconv.Itoa(d.ParentID)})
	s.emitContact("update_party", fields)
	return nil
}

// DeleteDepartment deletes an empty department (no sub-departments, no
// members) and emits delete_party.
func (s *Server) DeleteDepartment(id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	if _, ok := st.depts[id]; !ok || id == 1 {
		return fmt.Errorf("wecomtest: no department %d to delete", id)
	}
	if len(st.subtree(id)) > 1 {
		return fmt.Errorf("wecomtest: department %d has sub-departments", id)
	}
	for _, uid := range s.st.userOrder {
		if u := s.st.users[uid]; !u.Resigned && slices.Contains(u.DepartmentIDs, id) {
			return fmt.Errorf("wecomtest: department %d has members", id)
		}
	}
	delete(st.depts, id)
	st.deptOrder = slices.DeleteFunc(st.deptOrder, func(d int) bool { return d == id })
	s.emitContact("delete_party", []Field{{Name: "Id", Value: strconv.Itoa(id), Number: true}})
	return nil
}

// Departments returns every department, in the order added.
func (s *Server) Departments() []Department {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	out := make([]Department, 0, len(st.deptOrder))
	for _, id := range st.deptOrder {
		out = append(out, cloneDept(st.depts[id]))
	}
	return out
}

func cloneDept(d *Department) Department {
	c := *d
	c.Leaders = slices.Clone(d.Leaders)
	return c
}

// AddMemberTag adds an address-book tag (ID 0: the next free id). It
// emits nothing: WeCom has no change_contact event for a new tag.
func (s *Server) AddMemberTag(t MemberTag) (MemberTag, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	if t.ID == 0 {
		t.ID = 1
		if len(st.tagOrder) > 0 {
			t.ID = slices.Max(st.tagOrder) + 1
		}
	}
	if _, dup := st.tags[t.ID]; dup || t.ID < 0 {
		return MemberTag{}, fmt.Errorf("wecomtest: tag %d exists or is invalid", t.ID)
	}
	t.UserIDs = slices.Clone(t.UserIDs)
	t.PartyIDs = slices.Clone(t.PartyIDs)
	st.tags[t.ID] = &t
	st.tagOrder = append(st.tagOrder, t.ID)
	return cloneMemberTag(&t), nil
}

// ChangeMemberTag adds and removes members and departments of a tag and
// emits update_tag with the comma-separated lists.
func (s *Server) ChangeMemberTag(id int, c MemberTagChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	t, ok := st.tags[id]
	if !ok {
		return fmt.Errorf("wecomtest: no tag %d", id)
	}
	for _, u := range c.AddUsers {
		if _, err := s.st.user(u); err != nil {
			return err
		}
	}
	for _, p := range c.AddParties {
		if _, ok := st.depts[p]; !ok {
			return fmt.Errorf("wecomtest: no department %d", p)
		}
	}
	t.UserIDs = slices.DeleteFunc(t.UserIDs, func(u string) bool { return slices.Contains(c.DelUsers, u) })
	t.PartyIDs = slices.DeleteFunc(t.PartyIDs, func(p int) bool { return slices.Contains(c.DelParties, p) })
	for _, u := range c.AddUsers {
		if !slices.Contains(t.UserIDs, u) {
			t.UserIDs = append(t.UserIDs, u)
		}
	}
	for _, p := range c.AddParties {
		if !slices.Contains(t.PartyIDs, p) {
			t.PartyIDs = append(t.PartyIDs, p)
		}
	}
	fields := []Field{{Name: "TagId", Value: strconv.Itoa(id), Number: true}}
	for _, l := range []struct{ name, value string }{
		{"AddUserItems", strings.Join(c.AddUsers, ",")},
		{"DelUserItems", strings.Join(c.DelUsers, ",")},
		{"AddPartyItems", joinInts(c.AddParties, ",")},
		{"DelPartyItems", joinInts(c.DelParties, ",")},
	} {
		if l.value != "" {
			fields = append(fields, Field{Name: l.name, Value: l.value})
		}
	}
	s.emitContact("update_tag", fields)
	return nil
}

// MemberTags returns every address-book tag, in the order added.
func (s *Server) MemberTags() []MemberTag {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.staff()
	out := make([]MemberTag, 0, len(st.tagOrder))
	for _, id := range st.tagOrder {
		out = append(out, cloneMemberTag(st.tags[id]))
	}
	return out
}

func cloneMemberTag(t *MemberTag) MemberTag {
	c := *t
	c.UserIDs = slices.Clone(t.UserIDs)
	c.PartyIDs = slices.Clone(t.PartyIDs)
	return c
}

// ---- change_contact events ----

// emitContact emits a change_contact event unless contact events are
// off. Call it with s.mu held.
func (s *Server) emitContact(changeType string, fields []Field) {
	if s.staff().events == ContactEventsOff {
		return
	}
	s.emit(Event{Event: "change_contact", ChangeType: changeType, Fields: fields})
}

// emitCreateUser emits create_user for a member just added.
func (s *Server) emitCreateUser(u *User) {
	st := s.staff()
	if st.events == ContactEventsOff {
		return
	}
	fields := []Field{{Name: "UserID", Value: u.UserID}}
	if st.events == ContactEventsFull {
		fields = append(fields, Field{Name: "Name", Value: u.Name})
	}
	fields = append(fields, Field{Name: "Department", Value: joinInts(memberDepartments(u), ",")})
	if st.events == ContactEventsFull {
		p := st.profile(u.UserID)
		fields = append(fields,
			Field{Name: "MainDepartment", Value: strconv.Itoa(mainDepartment(u, p)), Number: true},
			Field{Name: "Status", Value: strconv.Itoa(memberStatus(u, p)), Number: true})
	}
	s.emit(Event{Event: "change_contact", ChangeType: "create_user", Fields: fields})
}

// emitDeleteUser emits delete_user for a member who left.
func (s *Server) emitDeleteUser(userID string) {
	s.emitContact("delete_user", []Field{{Name: "UserID", Value: userID}})
}

// ---- the read endpoints ----

func memberDepartments(u *User) []int {
	if len(u.DepartmentIDs) == 0 {
		return []int{1}
	}
	return u.DepartmentIDs
}

func mainDepartment(u *User, p *Profile) int {
	if p.MainDepartment != 0 {
		return p.MainDepartment
	}
	return memberDepartments(u)[0]
}

// memberStatus is user/get's status: 1 active, 2 disabled, 4 not active.
func memberStatus(u *User, p *Profile) int {
	switch {
	case p.Disabled:
		return 2
	case u.Inactive:
		return 4
	}
	return 1
}

type deptUser struct {
	UserID     string `json:"userid"`
	Department int    `json:"department"`
}

// userListID serves POST /cgi-bin/user/list_id: one row per member and
// department.
func (s *Server) userListID(c *call) (any, error) {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	var rows []deptUser
	for _, id := range s.st.userOrder {
		u := s.st.users[id]
		if u.Resigned {
			continue
		}
		for _, d := range memberDepartments(u) {
			rows = append(rows, deptUser{u.UserID, d})
		}
	}
	items, next, err := page("user_list_id", rows, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []deptUser{}
	}
	return struct {
		NextCursor string     `json:"next_cursor"`
		DeptUser   []deptUser `json:"dept_user"`
	}{next, items}, nil
}

// userGet serves GET /cgi-bin/user/get.
func (s *Server) userGet(c *call) (any, error) {
	st := s.staff()
	if st.access.NewIP {
		return nil, errorf(codeIPNotAllowed, "not allow to access from your ip")
	}
	id := c.Query.Get("userid")
	if err := requireField("userid", id); err != nil {
		return nil, err
	}
	u, err := s.st.user(id)
	if err != nil || u.Resigned {
		return nil, errorf(codeUserNotFound, "userid not found")
	}
	p := st.profile(id)
	depts := memberDepartments(u)
	leader := make([]int, len(depts))
	copy(leader, p.IsLeaderInDept)
	out := struct {
		UserID           string   `json:"userid"`
		Name             string   `json:"name"`
		Department       []int    `json:"department"`
		Order            []int    `json:"order"`
		Position         string   `json:"position"`
		Mobile           string   `json:"mobile,omitempty"`
		Gender           string   `json:"gender,omitempty"`
		Email            string   `json:"email,omitempty"`
		BizMail          string   `json:"biz_mail,omitempty"`
		IsLeaderInDept   []int    `json:"is_leader_in_dept"`
		DirectLeader     []string `json:"direct_leader"`
		Avatar           string   `json:"avatar,omitempty"`
		ThumbAvatar      string   `json:"thumb_avatar"`
		Telephone        string   `json:"telephone"`
		Alias            string   `json:"alias"`
		Status           int      `json:"status"`
		MainDepartment   int      `json:"main_department"`
		QRCode           string   `json:"qr_code,omitempty"`
		ExternalPosition string   `json:"external_position"`
		Address          string   `json:"address,omitempty"`
	}{
		UserID: u.UserID, Name: u.Name, Department: depts, Order: make([]int, len(depts)), Position: p.Position,
		IsLeaderInDept: leader, DirectLeader: append([]string{}, p.DirectLeader...), Telephone: p.Telephone, Alias: p.Alias,
		Status: memberStatus(u, p), MainDepartment: mainDepartment(u, p), ExternalPosition: p.ExternalPosition,
	}
	if st.access.SensitiveFields {
		out.Mobile, out.Gender, out.Email, out.BizMail = p.Mobile, p.Gender, p.Email, p.BizMail
		out.Avatar, out.QRCode, out.Address = p.Avatar, p.QRCode, p.Address
		if p.Avatar != "" {
			out.ThumbAvatar = strings.TrimSuffix(p.Avatar, "/0") + "/100"
		}
	}
	return out, nil
}

// departmentsOf reads the optional id query and returns the departments
// of its subtree (the whole tree without id).
func (s *Server) departmentsOf(c *call) ([]*Department, error) {
	st := s.staff()
	root := 1
	if v := c.Query.Get("id"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return nil, errorf(codeInvalidPartyID, "invalid party id %s", v)
		}
		root = id
	}
	if _, ok := st.depts[root]; !ok {
		return nil, errorf(codeInvalidPartyID, "invalid party id %d", root)
	}
	var out []*Department
	for _, id := range st.subtree(root) {
		out = append(out, st.depts[id])
	}
	return out, nil
}

// departmentSimpleList serves GET /cgi-bin/department/simplelist.
func (s *Server) departmentSimpleList(c *call) (any, error) {
	ds, err := s.departmentsOf(c)
	if err != nil {
		return nil, err
	}
	type row struct {
		ID       int `json:"id"`
		ParentID int `json:"parentid"`
		Order    int `json:"order"`
	}
	out := make([]row, len(ds))
	for i, d := range ds {
		out[i] = row{d.ID, d.ParentID, d.Order}
	}
	return struct {
		DepartmentID []row `json:"department_id"`
	}{out}, nil
}

// departmentList serves GET /cgi-bin/department/list.
func (s *Server) departmentList(c *call) (any, error) {
	if s.staff().access.NewIP {
		return nil, errorf(codeIPNotAllowed, "not allow to access from your ip")
	}
	ds, err := s.departmentsOf(c)
	if err != nil {
		return nil, err
	}
	type row struct {
		ID               int      `json:"id"`
		Name             string   `json:"name"`
		NameEn           string   `json:"name_en,omitempty"`
		DepartmentLeader []string `json:"department_leader"`
		ParentID         int      `json:"parentid"`
		Order            int      `json:"order"`
	}
	out := make([]row, len(ds))
	for i, d := range ds {
		out[i] = row{d.ID, d.Name, d.NameEn, append([]string{}, d.Leaders...), d.ParentID, d.Order}
	}
	return struct {
		Department []row `json:"department"`
	}{out}, nil
}

func joinInts(ids []int, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, sep)
}
