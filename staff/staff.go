// Package staff reads the corp directory (通讯录): the members' userids and
// departments (user/list_id), one member's profile (user/get) and the
// department tree (department/simplelist, department/list). It is
// read-only: it never creates, changes or deletes members or departments.
//
// What an app may read depends on the app whose secret the Client holds:
//
//   - user/list_id answers only for the 通讯录同步 (address-book
//     synchronisation) secret.
//   - Since 2022-06-20 20:00, apps other than 通讯录同步 (basic apps, and
//     self-built and 代开发 apps created since) get no sensitive fields from
//     user/get: Avatar, ThumbAvatar, Gender, Mobile, Email, BizMail, QRCode
//     and Address stay empty. Those come through OAuth2 (getuserdetail).
//   - Since 2022-08-15 10:00, IPs newly added to the 通讯录同步 assistant can
//     no longer call user/get or department/list: use ListUserIDs (or
//     AllUserIDs) with ListDepartmentIDs instead.
//
// Create a Service from a *wecom.Client:
//
//	svc := staff.New(client)
//	for row, err := range svc.AllUserIDs(ctx, nil) { ... }
package staff

import (
	"context"
	"iter"
	"net/http"
	"strconv"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/profile"
)

// Service calls the directory read endpoints. Create it with New; it is
// safe for concurrent use.
type Service struct {
	c *wecom.Client
}

// New returns a Service that calls WeCom through c.
func New(c *wecom.Client) *Service { return &Service{c: c} }

// MaxUserIDsLimit is the largest page of ListUserIDs, and the page size
// AllUserIDs uses when the request sets none.
const MaxUserIDsLimit = 10000

// ListUserIDsRequest selects a page of user/list_id. The zero request (or
// nil) asks for the first page with WeCom's default size.
type ListUserIDsRequest struct {
	// Cursor is the next_cursor of the previous page; "" for the first.
	// AllUserIDs ignores it and starts at the beginning.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1..MaxUserIDsLimit; 0 means WeCom's
	// default for ListUserIDs and MaxUserIDsLimit for AllUserIDs.
	Limit int `json:"limit,omitempty"`
}

// DeptUser is one row of user/list_id: a member and one of their
// departments. A member in several departments has one row per
// department, so the same UserID appears more than once.
type DeptUser struct {
	UserID string `json:"userid"`
	// Department is the department id of this row.
	Department int `json:"department"`
}

// ListUserIDs returns one page of the directory, one row per member and
// department, and the cursor of the next page ("" after the last). It
// answers only for the 通讯录同步 secret, and is the read that keeps
// working for IPs added to that assistant since 2022-08-15.
//
// WeCom: POST /cgi-bin/user/list_id
func (s *Service) ListUserIDs(ctx context.Context, req *ListUserIDsRequest, opts ...wecom.CallOption) ([]DeptUser, string, error) {
	var r ListUserIDsRequest
	if req != nil {
		r = *req
	}
	if r.Limit < 0 || r.Limit > MaxUserIDsLimit {
		return nil, "", wecom.InvalidArgument("staff: list user ids: limit %d is not in 1..%d", r.Limit, MaxUserIDsLimit)
	}
	resp, err := wecom.Call[struct {
		NextCursor string     `json:"next_cursor"`
		DeptUser   []DeptUser `json:"dept_user"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodPost,
		Path:       "/cgi-bin/user/list_id",
		Body:       r,
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, "", err
	}
	return resp.DeptUser, resp.NextCursor, nil
}

// AllUserIDs iterates over every row of the directory (one per member and
// department), Limit rows per call (default MaxUserIDsLimit). It does not
// change req.
//
// WeCom: POST /cgi-bin/user/list_id
func (s *Service) AllUserIDs(ctx context.Context, req *ListUserIDsRequest, opts ...wecom.CallOption) iter.Seq2[DeptUser, error] {
	limit := MaxUserIDsLimit
	if req != nil && req.Limit != 0 {
		limit = req.Limit
	}
	return wecom.Paginate(ctx, func(ctx context.Context, cursor string) ([]DeptUser, string, error) {
		return s.ListUserIDs(ctx, &ListUserIDsRequest{Cursor: cursor, Limit: limit}, opts...)
	})
}

// UserDepartments is a member and every department user/list_id listed
// them in.
type UserDepartments struct {
	UserID      string
	Departments []int
}

// ListUserDepartments reads the whole directory with AllUserIDs
// (MaxUserIDsLimit rows a call) and folds its rows into one entry per
// member, in the order members first appear, with their departments in
// the order listed. It holds the directory in memory; use AllUserIDs to
// stream it.
//
// WeCom: POST /cgi-bin/user/list_id
func (s *Service) ListUserDepartments(ctx context.Context, opts ...wecom.CallOption) ([]UserDepartments, error) {
	var out []UserDepartments
	index := map[string]int{}
	for row, err := range s.AllUserIDs(ctx, nil, opts...) {
		if err != nil {
			return nil, err
		}
		i, ok := index[row.UserID]
		if !ok {
			i = len(out)
			index[row.UserID] = i
			out = append(out, UserDepartments{UserID: row.UserID})
		}
		out[i].Departments = append(out[i].Departments, row.Department)
	}
	return out, nil
}

// GetUser returns a member's profile. Apps other than 通讯录同步 get no
// sensitive fields (see the package doc), and IPs added to the 通讯录同步
// assistant since 2022-08-15 are refused: read ListUserIDs instead.
// An unknown userid is errcode 60111 (wecom.CodeUserNotFound).
//
// WeCom: GET /cgi-bin/user/get
func (s *Service) GetUser(ctx context.Context, userID string, opts ...wecom.CallOption) (*User, error) {
	if userID == "" {
		return nil, wecom.InvalidArgument("staff: get user: userid is required")
	}
	return wecom.Call[User](ctx, s.c, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/user/get",
		Query: struct {
			UserID string `url:"userid"`
		}{userID},
		Idempotent: true,
	}, opts...)
}

// departmentQuery is the query of the department reads: id 0 (absent)
// means the whole tree.
type departmentQuery struct {
	ID int `url:"id,omitempty"`
}

// DepartmentID is one department of department/simplelist: its id, its
// parent's and its order among its siblings.
type DepartmentID struct {
	ID       int `json:"id"`
	ParentID int `json:"parentid"`
	// Order sorts siblings: the higher, the earlier.
	Order int `json:"order"`
}

// ListDepartmentIDs returns the department with id and every department
// below it (the whole tree when id is 0), without names. It is the
// department read IPs added to the 通讯录同步 assistant since 2022-08-15
// may still call.
//
// WeCom: GET /cgi-bin/department/simplelist
func (s *Service) ListDepartmentIDs(ctx context.Context, id int, opts ...wecom.CallOption) ([]DepartmentID, error) {
	if id < 0 {
		return nil, wecom.InvalidArgument("staff: list department ids: id %d is negative", id)
	}
	resp, err := wecom.Call[struct {
		DepartmentID []DepartmentID `json:"department_id"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/department/simplelist",
		Query:      departmentQuery{id},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.DepartmentID, nil
}

// Department is one department of department/list.
type Department struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
	// DepartmentLeader holds the userids of the department's leaders.
	DepartmentLeader []string `json:"department_leader,omitempty"`
	// ParentID is 0 for the root department (id 1).
	ParentID int `json:"parentid"`
	// Order sorts siblings: the higher, the earlier.
	Order int `json:"order"`
}

// ListDepartments returns the department with id and every department
// below it (the whole tree when id is 0), with names and leaders. WeCom
// calls it slow and advises ListDepartmentIDs plus department/get; IPs
// added to the 通讯录同步 assistant since 2022-08-15 are refused.
//
// WeCom: GET /cgi-bin/department/list
func (s *Service) ListDepartments(ctx context.Context, id int, opts ...wecom.CallOption) ([]Department, error) {
	if id < 0 {
		return nil, wecom.InvalidArgument("staff: list departments: id %d is negative", id)
	}
	resp, err := wecom.Call[struct {
		Department []Department `json:"department"`
	}](ctx, s.c, &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/department/list",
		Query:      departmentQuery{id},
		Idempotent: true,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.Department, nil
}

// UserStatus is a member's activation status (激活状态).
type UserStatus int

// The values of UserStatus.
const (
	StatusActive   UserStatus = 1 // 已激活
	StatusDisabled UserStatus = 2 // 已禁用
	StatusInactive UserStatus = 4 // 未激活: has not joined WeCom yet
	StatusLeftCorp UserStatus = 5 // 退出企业
)

// String implements fmt.Stringer.
func (s UserStatus) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusDisabled:
		return "disabled"
	case StatusInactive:
		return "inactive"
	case StatusLeftCorp:
		return "left"
	}
	return "UserStatus(" + strconv.Itoa(int(s)) + ")"
}

// User is a member's profile (user/get). The fields marked sensitive
// are empty for apps other than 通讯录同步 since 2022-06-20 (see the
// package doc); a field the corp never filled is empty too.
type User struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
	// Department lists the member's department ids; Order and
	// IsLeaderInDept run parallel to it.
	Department []int `json:"department"`
	// Order is the member's order in each department (the higher, the
	// earlier).
	Order []int `json:"order,omitempty"`
	// IsLeaderInDept is 1 where the member leads the department at the
	// same index of Department, 0 elsewhere.
	IsLeaderInDept []int        `json:"is_leader_in_dept,omitempty"`
	DirectLeader   []string     `json:"direct_leader,omitempty"` // userids of the member's direct leaders
	Position       string       `json:"position,omitempty"`
	Mobile         string       `json:"mobile,omitempty"`   // sensitive
	Gender         wecom.Gender `json:"gender,omitempty"`   // sensitive: GenderUnknown when absent
	Email          string       `json:"email,omitempty"`    // sensitive
	BizMail        string       `json:"biz_mail,omitempty"` // sensitive: the corp mailbox
	Avatar         string       `json:"avatar,omitempty"`   // sensitive
	ThumbAvatar    string       `json:"thumb_avatar,omitempty"`
	Telephone      string       `json:"telephone,omitempty"`
	Alias          string       `json:"alias,omitempty"`
	Status         UserStatus   `json:"status"`
	MainDepartment int          `json:"main_department,omitempty"`
	// OpenUserID is the member's corp-wide id, sent to third-party apps
	// only.
	OpenUserID       string            `json:"open_userid,omitempty"`
	QRCode           string            `json:"qr_code,omitempty"` // sensitive: the member's personal QR code
	ExternalProfile  *profile.External `json:"external_profile,omitempty"`
	ExternalPosition string            `json:"external_position,omitempty"`
	Address          string            `json:"address,omitempty"` // sensitive
	ExtAttr          *ExtAttr          `json:"extattr,omitempty"`
}

// IsLeaderOf reports whether the member leads the department.
func (m *User) IsLeaderOf(departmentID int) bool {
	for i, d := range m.Department {
		if d == departmentID {
			return i < len(m.IsLeaderInDept) && m.IsLeaderInDept[i] == 1
		}
	}
	return false
}

// ExtAttr holds a member's custom fields (扩展属性).
type ExtAttr struct {
	Attrs []profile.Attr `json:"attrs"`
}
