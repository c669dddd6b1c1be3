package callback

import (
	"strconv"
	"time"
)

// Event is a decrypted callback event: one of the typed events of this
// package (*AddExternalContact, *ExternalChatUpdate, ...) or, for an
// event this package does not know, *UnknownEvent. Switch on its type, or
// register typed handlers with On.
type Event interface {
	// EventHeader returns the fields every event has, and its raw XML.
	EventHeader() *Header
	kind() kind
}

// Header holds what every event carries.
type Header struct {
	ToUserName   string // the corp ID
	FromUserName string // "sys" for system events
	CreateTime   int64  // Unix seconds
	MsgType      string // "event"
	Event        string // change_external_contact, change_external_chat, ...
	ChangeType   string
	// Raw is the decrypted event XML as WeCom sent it, with every field,
	// including those this package does not model.
	Raw string
}

// EventHeader implements Event.
func (h *Header) EventHeader() *Header { return h }

// Time returns CreateTime as a time.Time.
func (h *Header) Time() time.Time { return time.Unix(h.CreateTime, 0) }

// kind identifies an event type for dispatch.
type kind uint8

const (
	kindUnknown kind = iota
	kindAddExternalContact
	kindEditExternalContact
	kindAddHalfExternalContact
	kindDelExternalContact
	kindDelFollowUser
	kindTransferFail
	kindExternalChatCreate
	kindExternalChatUpdate
	kindExternalChatDismiss
	kindExternalTagCreate
	kindExternalTagUpdate
	kindExternalTagDelete
	kindExternalTagShuffle
	kindCustomerAcquisition
	kindMsgAuditApproved
	// change_contact (events_contact.go)
	kindCreateUser
	kindUpdateUser
	kindDeleteUser
	kindCreateParty
	kindUpdateParty
	kindDeleteParty
	kindUpdateTag
	numKinds
)

// Event names (the Event element).
const (
	EventChangeExternalContact = "change_external_contact"
	EventChangeExternalChat    = "change_external_chat"
	EventChangeExternalTag     = "change_external_tag"
	EventCustomerAcquisition   = "customer_acquisition"
)

// ---- change_external_contact ----

// AddExternalContact: a member added a customer (change_external_contact /
// add_external_contact). WelcomeCode, valid 20 seconds, lets the app send
// a welcome message with send_welcome_msg.
type AddExternalContact struct {
	Header
	UserID         string
	ExternalUserID string
	State          string // the state of the contact way the customer came through
	WelcomeCode    string
}

// EditExternalContact: a member edited a customer's remark, tags or
// description (change_external_contact / edit_external_contact).
type EditExternalContact struct {
	Header
	UserID         string
	ExternalUserID string
}

// AddHalfExternalContact: a customer added a member who has not yet
// accepted (change_external_contact / add_half_external_contact).
type AddHalfExternalContact struct {
	Header
	UserID         string
	ExternalUserID string
	State          string
	WelcomeCode    string
}

// DelExternalContact: a member deleted a customer (change_external_contact
// / del_external_contact). Source is SourceDeleteByTransfer when the
// relation ended because the customer was transferred.
type DelExternalContact struct {
	Header
	UserID         string
	ExternalUserID string
	Source         string
}

// SourceDeleteByTransfer is DelExternalContact.Source for a deletion by a
// customer transfer.
const SourceDeleteByTransfer = "DELETE_BY_TRANSFER"

// DelFollowUser: a customer deleted a member (change_external_contact /
// del_follow_user).
type DelFollowUser struct {
	Header
	UserID         string
	ExternalUserID string
}

// TransferFail: a customer transfer to UserID failed
// (change_external_contact / transfer_fail).
type TransferFail struct {
	Header
	UserID         string
	ExternalUserID string
	FailReason     TransferFailReason
}

// TransferFailReason says why a transfer failed.
type TransferFailReason string

// The reasons of TransferFail.
const (
	FailCustomerRefused     TransferFailReason = "customer_refused"      // the customer refused
	FailCustomerLimitExceed TransferFailReason = "customer_limit_exceed" // the new member has too many customers
)

// String implements fmt.Stringer.
func (r TransferFailReason) String() string { return string(r) }

// ---- change_external_chat ----

// ExternalChatCreate: a customer group was created (change_external_chat /
// create).
type ExternalChatCreate struct {
	Header
	ChatID string
}

// ExternalChatUpdate: a customer group changed (change_external_chat /
// update). UpdateDetail says what; JoinScene, QuitScene, MemChangeCnt,
// MemChangeList, LastMemVer and CurMemVer are set for member changes.
type ExternalChatUpdate struct {
	Header
	ChatID        string
	UpdateDetail  UpdateDetail
	JoinScene     JoinScene // add_member only
	QuitScene     QuitScene // del_member only
	MemChangeCnt  int
	MemChangeList []string // the user ids or external user ids that joined or left
	LastMemVer    string   // member version before the change
	CurMemVer     string   // member version after the change
}

// UpdateDetail is what changed in an ExternalChatUpdate.
type UpdateDetail string

// The values of UpdateDetail.
const (
	UpdateAddMember    UpdateDetail = "add_member"
	UpdateDelMember    UpdateDetail = "del_member"
	UpdateChangeOwner  UpdateDetail = "change_owner"
	UpdateChangeName   UpdateDetail = "change_name"
	UpdateChangeNotice UpdateDetail = "change_notice"
)

// String implements fmt.Stringer.
func (d UpdateDetail) String() string { return string(d) }

// JoinScene is how members joined a group (add_member). WeCom sends only
// 0 and 3 here; this is not groupchat/get's join_scene (1 invited, 2 link,
// 3 QR code), which tells an invitation from a link.
type JoinScene int

// The values of JoinScene.
const (
	JoinByInvitation JoinScene = 0 // invited by a member, directly or through an invitation link
	JoinByQRCode     JoinScene = 3 // by scanning the group QR code
)

// String implements fmt.Stringer.
func (s JoinScene) String() string {
	switch s {
	case JoinByInvitation:
		return "invitation"
	case JoinByQRCode:
		return "qrcode"
	}
	return "JoinScene(" + strconv.Itoa(int(s)) + ")"
}

// QuitScene is how members left a group (del_member).
type QuitScene int

// The values of QuitScene.
const (
	QuitByThemselves QuitScene = 0 // left on their own
	QuitRemoved      QuitScene = 1 // removed by the owner or an admin
)

// String implements fmt.Stringer.
func (s QuitScene) String() string {
	switch s {
	case QuitByThemselves:
		return "self"
	case QuitRemoved:
		return "removed"
	}
	return "QuitScene(" + strconv.Itoa(int(s)) + ")"
}

// ExternalChatDismiss: a customer group was dismissed
// (change_external_chat / dismiss).
type ExternalChatDismiss struct {
	Header
	ChatID string
}

// ---- change_external_tag ----

// TagEvent is the body shared by the change_external_tag events.
type TagEvent struct {
	Header
	ID         string  // the tag's or tag group's id
	TagType    TagType // tag or tag_group
	StrategyID string  // set for the tags of a customer-contact strategy
}

// ExternalTagCreate: a customer tag or tag group was created
// (change_external_tag / create).
type ExternalTagCreate struct{ TagEvent }

// ExternalTagUpdate: a customer tag or tag group was changed
// (change_external_tag / update).
type ExternalTagUpdate struct{ TagEvent }

// ExternalTagDelete: a customer tag or tag group was deleted
// (change_external_tag / delete).
type ExternalTagDelete struct{ TagEvent }

// ExternalTagShuffle: the tags of a group were reordered
// (change_external_tag / shuffle).
type ExternalTagShuffle struct{ TagEvent }

// TagType says whether a tag event is about a tag or a tag group.
type TagType string

// The values of TagType.
const (
	TagTypeTag   TagType = "tag"
	TagTypeGroup TagType = "tag_group"
)

// String implements fmt.Stringer.
func (t TagType) String() string { return string(t) }

// MsgAuditApproved: a customer agreed to chat archiving (会话存档) with a
// member (change_external_contact / msg_audit_approved). WelcomeCode, when
// WeCom sends one, works like AddExternalContact's.
type MsgAuditApproved struct {
	Header
	UserID         string
	ExternalUserID string
	WelcomeCode    string
}

// ---- customer_acquisition ----

// CustomerAcquisition is an event of the customer acquisition assistant
// (获客助手, Event customer_acquisition): quota warnings, a link becoming
// unavailable or deleted, a customer starting a chat, a friend request or
// a profile opened through a link, a message from a customer. Switch on
// Change. Fields WeCom does not send for a ChangeType stay empty; Raw has
// everything, and a ChangeType this package does not name yet still
// arrives here with its string in Change.
type CustomerAcquisition struct {
	Header
	Change AcquisitionChange // ChangeType, typed
	LinkID string
	// UserID and ExternalUserID come with customer_start_chat. Since
	// 2024-12-19 message_from_customer no longer carries them (nor ChatSeq):
	// read them with the ChatKey through customer_acquisition/get_chat_info.
	UserID         string
	ExternalUserID string
	// State is the link's state (customer_start_chat, friend_request,
	// open_profile).
	State string
	// ChatKey (message_from_customer) identifies the member's chat with the
	// customer for customer_acquisition/get_chat_info, for 30 minutes.
	ChatKey string
}

// AcquisitionChange is the ChangeType of a CustomerAcquisition.
type AcquisitionChange string

// The values of AcquisitionChange.
const (
	AcquisitionBalanceLow        AcquisitionChange = "balance_low"
	AcquisitionBalanceExhausted  AcquisitionChange = "balance_exhausted"
	AcquisitionQuotaExpireSoon   AcquisitionChange = "quota_expire_soon"
	AcquisitionLinkUnavailable   AcquisitionChange = "link_unavailable"
	AcquisitionCustomerStartChat AcquisitionChange = "customer_start_chat"
	AcquisitionDeleteLink        AcquisitionChange = "delete_link"
	AcquisitionBalanceIncreased  AcquisitionChange = "balance_increased"
	// A customer sent a friend request through a link.
	AcquisitionFriendRequest AcquisitionChange = "friend_request"
	// A customer opened the member's profile through a link.
	AcquisitionOpenProfile AcquisitionChange = "open_profile"
	// A member received several messages from a customer of a link; details
	// through customer_acquisition/get_chat_info with ChatKey.
	AcquisitionMessageFromCustomer AcquisitionChange = "message_from_customer"
)

// String implements fmt.Stringer.
func (c AcquisitionChange) String() string { return string(c) }

// ---- anything else ----

// UnknownEvent is an event this package does not model (a new Event or
// ChangeType): its header, every top-level field in order, and Raw.
type UnknownEvent struct {
	Header
	Fields []Field
}

// Field is one top-level element of an event.
type Field struct {
	Name  string
	Value string
	Items []string // the texts of child elements, for lists such as MemChangeList
}

// Get returns the value of the first field called name.
func (e *UnknownEvent) Get(name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func (*AddExternalContact) kind() kind     { return kindAddExternalContact }
func (*EditExternalContact) kind() kind    { return kindEditExternalContact }
func (*AddHalfExternalContact) kind() kind { return kindAddHalfExternalContact }
func (*DelExternalContact) kind() kind     { return kindDelExternalContact }
func (*DelFollowUser) kind() kind          { return kindDelFollowUser }
func (*TransferFail) kind() kind           { return kindTransferFail }
func (*ExternalChatCreate) kind() kind     { return kindExternalChatCreate }
func (*ExternalChatUpdate) kind() kind     { return kindExternalChatUpdate }
func (*ExternalChatDismiss) kind() kind    { return kindExternalChatDismiss }
func (*ExternalTagCreate) kind() kind      { return kindExternalTagCreate }
func (*ExternalTagUpdate) kind() kind      { return kindExternalTagUpdate }
func (*ExternalTagDelete) kind() kind      { return kindExternalTagDelete }
func (*ExternalTagShuffle) kind() kind     { return kindExternalTagShuffle }
func (*CustomerAcquisition) kind() kind    { return kindCustomerAcquisition }
func (*MsgAuditApproved) kind() kind       { return kindMsgAuditApproved }
func (*UnknownEvent) kind() kind           { return kindUnknown }
