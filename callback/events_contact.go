package callback

import (
	"strings"
)

// EventChangeContact is the Event of the address-book (通讯录) change
// events: CreateUser, UpdateUser, DeleteUser, CreateParty, UpdateParty,
// DeleteParty and UpdateTag.
//
// WeCom delivers change_contact only to the callback URL of the 通讯录同步
// (address-book synchronisation) assistant, of 代开发 apps and of apps
// shared by an upstream corp; an ordinary self-built app's URL never gets
// them. Third-party apps get the same changes as instruction callbacks
// (InfoType change_contact, with OpenUserID), which are not these events.
//
// Callback URLs the address-book assistant configured or changed since
// 2022-08-15 get slimmer events: member events carry only UserID and
// Department (update_user only when the department or the userid
// changed, with NewUserID), party events only ID and ParentID. The other
// fields below stay empty there; URLs configured earlier still get them.
// Changes made through the API never produce these events.
const EventChangeContact = "change_contact"

// UserChange is the body shared by CreateUser and UpdateUser. Only UserID
// and (when it changed) Department are sent to callback URLs configured
// since 2022-08-15; an UpdateUser carries only the fields that changed.
// ExtAttr (custom fields) is not modelled: read it from Raw.
type UserChange struct {
	Header
	UserID string
	Name   string // not sent since 2022-08-15
	// Department lists the member's department ids (WeCom sends them
	// comma-separated).
	Department []int
	// MainDepartment is the main department's id; not sent since
	// 2022-08-15.
	MainDepartment int
	// IsLeaderInDept runs parallel to Department: 1 where the member
	// leads it. Not sent since 2022-08-15.
	IsLeaderInDept []int
	// DirectLeader holds the userids of the member's direct leaders. Not
	// sent since 2022-08-15.
	DirectLeader []string
	// The fields below are not sent since 2022-08-15. Mobile, Gender,
	// Email, BizMail, Avatar and Address are sensitive: apps other than
	// the address-book assistant do not get them since 2022-06-20.
	Position  string
	Mobile    string
	Gender    string // "1" male, "2" female
	Email     string
	BizMail   string
	Status    int // as staff.Status: 1 active, 2 disabled, 4 not active, 5 left
	Avatar    string
	Alias     string
	Telephone string
	Address   string
}

// CreateUser: a member was added to the directory (change_contact /
// create_user).
type CreateUser struct{ UserChange }

// UpdateUser: a member's profile changed (change_contact / update_user).
// NewUserID is set when their userid changed: from then on only NewUserID
// identifies them.
type UpdateUser struct {
	UserChange
	NewUserID string
}

// DeleteUser: a member was deleted from the directory — they left the
// corp (change_contact / delete_user). It is the moment to start a
// resigned transfer (离职继承) of their customers and groups.
type DeleteUser struct {
	Header
	UserID string
}

// CreateParty: a department was created (change_contact / create_party).
// Name and Order are not sent to callback URLs configured since
// 2022-08-15.
type CreateParty struct {
	Header
	ID       int
	Name     string
	ParentID int
	Order    int
}

// UpdateParty: a department was renamed or moved (change_contact /
// update_party); only what changed is sent. Name is not sent to callback
// URLs configured since 2022-08-15.
type UpdateParty struct {
	Header
	ID       int
	Name     string
	ParentID int
}

// DeleteParty: a department was deleted (change_contact / delete_party).
type DeleteParty struct {
	Header
	ID int
}

// UpdateTag: members or departments were added to or removed from an
// address-book tag (change_contact / update_tag). WeCom sends each list
// comma-separated.
type UpdateTag struct {
	Header
	TagID         int
	AddUserItems  []string // userids added
	DelUserItems  []string // userids removed
	AddPartyItems []int    // department ids added
	DelPartyItems []int    // department ids removed
}

func (*CreateUser) kind() kind  { return kindCreateUser }
func (*UpdateUser) kind() kind  { return kindUpdateUser }
func (*DeleteUser) kind() kind  { return kindDeleteUser }
func (*CreateParty) kind() kind { return kindCreateParty }
func (*UpdateParty) kind() kind { return kindUpdateParty }
func (*DeleteParty) kind() kind { return kindDeleteParty }
func (*UpdateTag) kind() kind   { return kindUpdateTag }

// newContactEvent allocates the typed change_contact event of h, or nil
// for a ChangeType this package does not model.
func newContactEvent(h Header) typedEvent {
	switch h.ChangeType {
	case "create_user":
		return &CreateUser{UserChange{Header: h}}
	case "update_user":
		return &UpdateUser{UserChange: UserChange{Header: h}}
	case "delete_user":
		return &DeleteUser{Header: h}
	case "create_party":
		return &CreateParty{Header: h}
	case "update_party":
		return &UpdateParty{Header: h}
	case "delete_party":
		return &DeleteParty{Header: h}
	case "update_tag":
		return &UpdateTag{Header: h}
	}
	return nil
}

func (u *UserChange) set(f field) error {
	var err error
	switch f.name {
	case "UserID":
		u.UserID = f.value
	case "Name":
		u.Name = f.value
	case "Department":
		u.Department, err = intList(f)
	case "MainDepartment":
		u.MainDepartment, err = parseOptInt(f)
	case "IsLeaderInDept":
		u.IsLeaderInDept, err = intList(f)
	case "DirectLeader":
		u.DirectLeader = stringList(f)
	case "Position":
		u.Position = f.value
	case "Mobile":
		u.Mobile = f.value
	case "Gender":
		u.Gender = f.value
	case "Email":
		u.Email = f.value
	case "BizMail":
		u.BizMail = f.value
	case "Status":
		u.Status, err = parseOptInt(f)
	case "Avatar":
		u.Avatar = f.value
	case "Alias":
		u.Alias = f.value
	case "Telephone":
		u.Telephone = f.value
	case "Address":
		u.Address = f.value
	}
	return err
}

func (e *UpdateUser) set(f field) error {
	if f.name == "NewUserID" {
		e.NewUserID = f.value
		return nil
	}
	return e.UserChange.set(f)
}

func (e *DeleteUser) set(f field) error {
	if f.name == "UserID" {
		e.UserID = f.value
	}
	return nil
}

func (e *CreateParty) set(f field) error {
	var err error
	switch f.name {
	case "Id", "ID":
		e.ID, err = parseOptInt(f)
	case "Name":
		e.Name = f.value
	case "ParentId", "ParentID":
		e.ParentID, err = parseOptInt(f)
	case "Order":
		e.Order, err = parseOptInt(f)
	}
	return err
}

func (e *UpdateParty) set(f field) error {
	var err error
	switch f.name {
	case "Id", "ID":
		e.ID, err = parseOptInt(f)
	case "Name":
		e.Name = f.value
	case "ParentId", "ParentID":
		e.ParentID, err = parseOptInt(f)
	}
	return err
}

func (e *DeleteParty) set(f field) error {
	var err error
	if f.name == "Id" || f.name == "ID" {
		e.ID, err = parseOptInt(f)
	}
	return err
}

func (e *UpdateTag) set(f field) error {
	var err error
	switch f.name {
	case "TagId", "TagID":
		e.TagID, err = parseOptInt(f)
	case "AddUserItems":
		e.AddUserItems = stringList(f)
	case "DelUserItems":
		e.DelUserItems = stringList(f)
	case "AddPartyItems":
		e.AddPartyItems, err = intList(f)
	case "DelPartyItems":
		e.DelPartyItems, err = intList(f)
	}
	return err
}

// parseOptInt reads a number; an empty element is 0.
func parseOptInt(f field) (int, error) {
	if trimSpace(f.value) == "" {
		return 0, nil
	}
	return parseInt(f)
}

// stringList reads a comma-separated list ("a,b"), or one written as
// <Item> children. Empty gives nil.
func stringList(f field) []string {
	parts := f.items
	if parts == nil {
		parts = strings.Split(f.value, ",")
	}
	var out []string
	for _, p := range parts {
		if p = trimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// intList reads a comma-separated list of numbers.
func intList(f field) ([]int, error) {
	parts := stringList(f)
	if parts == nil {
		return nil, nil
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := parseInt(field{name: f.name, value: p})
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
