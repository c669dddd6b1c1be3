package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// InfoType names of the instruction callbacks this package types.
const (
	InfoSuiteTicket           = "suite_ticket"
	InfoCreateAuth            = "create_auth"
	InfoChangeAuth            = "change_auth"
	InfoCancelAuth            = "cancel_auth"
	InfoResetPermanentCode    = "reset_permanent_code"
	InfoChangeContact         = "change_contact"
	InfoChangeExternalContact = "change_external_contact"
	InfoChangeExternalChat    = "change_external_chat"
	InfoChangeExternalTag     = "change_external_tag"
)

// Instruction is a decrypted instruction callback (指令回调): the fields
// every one carries, and all of its elements.
type Instruction struct {
	SuiteID    string
	InfoType   string
	TimeStamp  int64 // Unix seconds
	AuthCorpID string
	// Fields are every top-level element, in order, for what this package
	// does not model.
	Fields []callback.Field
	// Raw is the decrypted XML as WeCom sent it.
	Raw string
}

// Get returns the value of the first element called name.
func (in *Instruction) Get(name string) string {
	for _, f := range in.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// ErrMalformedInstruction is returned (wrapped) by DecodeInstruction for a
// message that is not an instruction callback.
var ErrMalformedInstruction = wecom.NewSentinel("provider: malformed instruction callback")

// DecodeInstruction parses a decrypted instruction callback.
func DecodeInstruction(raw []byte) (*Instruction, error) {
	ev, err := callback.DecodeEvent(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedInstruction, err)
	}
	u, ok := ev.(*callback.UnknownEvent)
	if !ok || u.Event != "" {
		return nil, fmt.Errorf("%w: it has an Event element, not an InfoType", ErrMalformedInstruction)
	}
	return instructionOf(u)
}

// instructionOf reads an instruction from the flat fields callback
// decoded it into (an instruction has no Event element, so callback sees
// an *UnknownEvent).
func instructionOf(u *callback.UnknownEvent) (*Instruction, error) {
	in := &Instruction{Fields: u.Fields, Raw: u.Raw}
	for _, f := range u.Fields {
		switch f.Name {
		case "SuiteId", "SuiteID":
			in.SuiteID = f.Value
		case "InfoType":
			in.InfoType = f.Value
		case "TimeStamp":
			in.TimeStamp, _ = strconv.ParseInt(strings.TrimSpace(f.Value), 10, 64)
		case "AuthCorpId", "AuthCorpID":
			in.AuthCorpID = f.Value
		}
	}
	if in.InfoType == "" {
		return nil, fmt.Errorf("%w: InfoType missing", ErrMalformedInstruction)
	}
	return in, nil
}

// CustomerEvent decodes an instruction of the third-party shape of
// change_external_contact, change_external_chat or change_external_tag
// into the typed event of package callback that the self-built shape
// gives (*callback.AddExternalContact, *callback.ExternalChatUpdate, ...),
// with Header.ToUserName set to the authorizing corp and Header.Raw the
// instruction as WeCom sent it (the event is decoded from Raw). ok is
// false for other instructions.
func (in *Instruction) CustomerEvent() (ev callback.Event, ok bool, err error) {
	switch in.InfoType {
	case InfoChangeExternalContact, InfoChangeExternalChat, InfoChangeExternalTag:
	default:
		return nil, false, nil
	}
	ev, err = in.selfBuilt()
	return ev, true, err
}

// selfBuilt decodes the instruction (its Raw XML) as the self-built
// event of the same name: callback reads InfoType as Event and AuthCorpId
// as ToUserName.
func (in *Instruction) selfBuilt() (callback.Event, error) {
	return callback.DecodeInstructionEvent([]byte(in.Raw))
}

// AuthChange is a change_auth instruction: the corp changed the suite's
// authorization (visible range, privileges). Call Suite.AuthInfo for the
// new state.
type AuthChange struct {
	*Instruction
	State     string
	ExtraInfo string
}

// AuthCancel is a cancel_auth instruction: the corp uninstalled the suite.
// The app must delete the corp's data; the SDK has dropped its client.
type AuthCancel struct {
	*Instruction
}

// Authorized is a corp's new permanent code: after an install
// (create_auth) or, for a 代开发 app, a secret reset (reset_permanent_code;
// Reset is true). The app must store Authorization.PermanentCode.
type Authorized struct {
	*Instruction
	// CorpID is the authorizing corp.
	CorpID string
	// Reset is true for reset_permanent_code.
	Reset bool
	// State and ExtraInfo come from create_auth.
	State     string
	ExtraInfo string
	// Authorization is the answer of Suite.PermanentCode for the
	// instruction's AuthCode.
	Authorization *Authorization
}

// ContactChange is a change_contact instruction: a member, department or
// tag of an authorizing corp changed. Member events carry UserID and
// OpenUserID; read the rest with Get.
type ContactChange struct {
	*Instruction
	ChangeType string // create_user, update_user, delete_user, create_party, update_party, delete_party, update_tag
	UserID     string
	OpenUserID string
	NewUserID  string
	// ID is the department (Id) or tag (TagId) of a party or tag change.
	ID string
	// Event is the same change as package callback's typed change_contact
	// event (*callback.UpdateUser, *callback.CreateParty, ...), with
	// ToUserName the authorizing corp; nil if it does not decode.
	Event callback.Event
}

func newContactChange(in *Instruction) *ContactChange {
	c := &ContactChange{Instruction: in}
	if ev, err := in.selfBuilt(); err == nil {
		c.Event = ev
	}
	for _, f := range in.Fields {
		switch f.Name {
		case "ChangeType":
			c.ChangeType = f.Value
		case "UserID":
			c.UserID = f.Value
		case "OpenUserID":
			c.OpenUserID = f.Value
		case "NewUserID":
			c.NewUserID = f.Value
		case "Id", "TagId":
			c.ID = f.Value
		}
	}
	return c
}
