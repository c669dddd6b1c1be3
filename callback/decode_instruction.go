package callback

import (
	"errors"
)

// DecodeInstructionEvent decodes an event a service provider receives as
// an instruction callback (指令回调) into the typed event the self-built
// shape gives. A third-party app's customer events (change_external_contact,
// change_external_chat, change_external_tag) and its address-book events
// (change_contact) arrive on the instruction URL as
//
//	<xml><SuiteId/><AuthCorpId/><InfoType>change_external_contact</InfoType><TimeStamp/><ChangeType/>...</xml>
//
// with the same elements after the header as the self-built event. The
// Header is read from the instruction's names: Event is InfoType,
// ToUserName the authorizing corp (AuthCorpId), CreateTime the TimeStamp;
// FromUserName ("sys") and MsgType ("event"), which the instruction does
// not carry, are those of the self-built shape. Raw is raw as it came;
// an *UnknownEvent keeps every element, SuiteId included. An XML without
// InfoType gives an error wrapping ErrMalformedEvent.
func DecodeInstructionEvent(raw []byte) (Event, error) {
	s := string(raw)
	var arr [24]field
	fields, ok := scanFlat(s, arr[:0])
	if !ok {
		var err error
		if fields, err = parseXML(s); err != nil {
			return nil, err
		}
	}
	h := Header{Raw: s, FromUserName: "sys", MsgType: "event"}
	for _, f := range fields {
		switch f.name {
		case "AuthCorpId", "AuthCorpID":
			h.ToUserName = f.value
		case "TimeStamp":
			v, err := parseInt(f)
			if err != nil {
				return nil, err
			}
			h.CreateTime = int64(v)
		case "InfoType":
			h.Event = f.value
		case "ChangeType":
			h.ChangeType = f.value
		}
	}
	if h.Event == "" {
		return nil, errors.Join(ErrMalformedEvent, errors.New("callback: an instruction without InfoType"))
	}
	return typedEventOf(h, fields)
}
