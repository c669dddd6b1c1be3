package callback

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ErrMalformedEvent is returned (wrapped) by DecodeEvent for a decrypted
// message that is not a well-formed flat event XML.
var ErrMalformedEvent = errors.New("callback: malformed event XML")

// DecodeEvent decodes a decrypted event XML into its typed event, or an
// *UnknownEvent for events this package does not model. WeCom's flat
// shape (one <xml> root, elements in CDATA or plain text, one level of
// <Item> lists) is read with a byte scanner whose strings share one copy
// of raw; any other shape goes through encoding/xml.
func DecodeEvent(raw []byte) (Event, error) {
	return decodeEvent(string(raw))
}

// field is one top-level element while decoding.
type field struct {
	name, value string
	items       []string
}

func decodeEvent(raw string) (Event, error) {
	var arr [24]field
	fields, ok := scanFlat(raw, arr[:0])
	if !ok {
		var err error
		if fields, err = parseXML(raw); err != nil {
			return nil, err
		}
	}
	return buildEvent(raw, fields)
}

// scanFlat reads <xml><A><![CDATA[v]]></A><B>1</B><L><Item>x</Item></L></xml>
// without copying. It reports false for anything else (attributes,
// entities, comments, a prolog, deeper nesting) so the caller can fall
// back to encoding/xml, which knows the whole language.
func scanFlat(s string, dst []field) ([]field, bool) {
	s = trimSpace(s)
	if !strings.HasPrefix(s, "<xml>") || !strings.HasSuffix(s, "</xml>") {
		return dst, false
	}
	s = s[len("<xml>") : len(s)-len("</xml>")]
	for {
		s = trimSpace(s)
		if s == "" {
			return dst, true
		}
		name, value, rest, ok := scanElement(s)
		if ok {
			dst = append(dst, field{name: name, value: value})
			s = rest
			continue
		}
		// A list: <Name><Item>..</Item>...</Name>.
		name, rest, ok = openTag(s)
		if !ok {
			return dst, false
		}
		// Size the list once: every child has a close tag, so their
		// count bounds it (capped: the rest of the document counts too).
		items := make([]string, 0, min(strings.Count(rest, "</"), 1024))
		for {
			rest = trimSpace(rest)
			if strings.HasPrefix(rest, "</") {
				break
			}
			_, v, r, ok := scanElement(rest)
			if !ok {
				return dst, false
			}
			items = append(items, v)
			rest = r
		}
		if rest, ok = closeTag(rest, name); !ok {
			return dst, false
		}
		dst = append(dst, field{name: name, items: items})
		s = rest
	}
}

// scanElement reads one leaf element: <N><![CDATA[v]]></N> or <N>v</N>.
func scanElement(s string) (name, value, rest string, ok bool) {
	name, s, ok = openTag(s)
	if !ok {
		return "", "", "", false
	}
	if strings.HasPrefix(s, "<![CDATA[") {
		s = s[len("<![CDATA["):]
		end := strings.Index(s, "]]>")
		if end < 0 {
			return "", "", "", false
		}
		value, s = s[:end], s[end+len("]]>"):]
	} else {
		end := strings.IndexByte(s, '<')
		if end < 0 {
			return "", "", "", false
		}
		value, s = s[:end], s[end:]
		if strings.IndexByte(value, '&') >= 0 || strings.IndexByte(value, '>') >= 0 {
			return "", "", "", false
		}
	}
	rest, ok = closeTag(s, name)
	return name, value, rest, ok
}

// openTag reads <Name> with a plain name (no attributes, not self-closing).
func openTag(s string) (name, rest string, ok bool) {
	if len(s) < 3 || s[0] != '<' {
		return "", "", false
	}
	end := strings.IndexByte(s, '>')
	if end < 2 {
		return "", "", false
	}
	name = s[1:end]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (i > 0 && (c == '-' || c == '.'))) {
			return "", "", false
		}
	}
	return name, s[end+1:], true
}

func closeTag(s, name string) (string, bool) {
	if len(s) < len(name)+3 || s[0] != '<' || s[1] != '/' || s[2:2+len(name)] != name || s[2+len(name)] != '>' {
		return "", false
	}
	return s[len(name)+3:], true
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// parseXML reads the top-level elements of any XML document with
// encoding/xml: each element's text, and the texts of its children as
// items.
func parseXML(raw string) ([]field, error) {
	d := xml.NewDecoder(strings.NewReader(raw))
	var (
		fields []field
		depth  int
		text   bytes.Buffer // of the current depth-1 element
		item   bytes.Buffer // of the current depth-2 element
		seen   bool         // a root element was read
	)
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF && seen && depth == 0 {
				return fields, nil
			}
			return nil, errors.Join(ErrMalformedEvent, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && seen {
				return nil, ErrMalformedEvent // two roots
			}
			depth++
			seen = true
			switch depth {
			case 2:
				fields = append(fields, field{name: t.Name.Local})
				text.Reset()
			case 3:
				item.Reset()
			}
		case xml.EndElement:
			switch depth {
			case 2:
				f := &fields[len(fields)-1]
				f.value = text.String()
				if f.items != nil && trimSpace(f.value) == "" {
					f.value = "" // the layout between list items
				}
			case 3:
				f := &fields[len(fields)-1]
				f.items = append(f.items, item.String())
			}
			depth--
		case xml.CharData:
			switch depth {
			case 2:
				text.Write(t)
			case 3, 4:
				item.Write(t)
			}
		}
	}
}

func buildEvent(raw string, fields []field) (Event, error) {
	h := Header{Raw: raw}
	for _, f := range fields {
		switch f.name {
		case "ToUserName":
			h.ToUserName = f.value
		case "FromUserName":
			h.FromUserName = f.value
		case "CreateTime":
			v, err := parseInt(f)
			if err != nil {
				return nil, err
			}
			h.CreateTime = int64(v)
		case "MsgType":
			h.MsgType = f.value
		case "Event":
			h.Event = f.value
		case "ChangeType":
			h.ChangeType = f.value
		}
	}
	return typedEventOf(h, fields)
}

// typedEventOf builds the typed event of header h from the decoded fields.
func typedEventOf(h Header, fields []field) (Event, error) {
	ev := newEvent(h)
	if u, ok := ev.(*UnknownEvent); ok {
		u.Fields = make([]Field, len(fields))
		for i, f := range fields {
			u.Fields[i] = Field{Name: f.name, Value: f.value, Items: f.items}
		}
		return u, nil
	}
	for _, f := range fields {
		if err := ev.set(f); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// typedEvent is an event that reads its own fields.
type typedEvent interface {
	Event
	set(field) error
}

func parseInt(f field) (int, error) {
	v, err := strconv.Atoi(trimSpace(f.value))
	if err != nil {
		return 0, errors.Join(ErrMalformedEvent, errors.New("callback: "+f.name+" is not a number"))
	}
	return v, nil
}

// newEvent allocates the typed event for h: an *UnknownEvent when this
// package does not model it.
func newEvent(h Header) typedEvent {
	switch h.Event {
	case EventChangeExternalContact:
		switch h.ChangeType {
		case "add_external_contact":
			return &AddExternalContact{Header: h}
		case "edit_external_contact":
			return &EditExternalContact{Header: h}
		case "add_half_external_contact":
			return &AddHalfExternalContact{Header: h}
		case "del_external_contact":
			return &DelExternalContact{Header: h}
		case "del_follow_user":
			return &DelFollowUser{Header: h}
		case "transfer_fail":
			return &TransferFail{Header: h}
		case "msg_audit_approved":
			return &MsgAuditApproved{Header: h}
		}
	case EventChangeExternalChat:
		switch h.ChangeType {
		case "create":
			return &ExternalChatCreate{Header: h}
		case "update":
			return &ExternalChatUpdate{Header: h}
		case "dismiss":
			return &ExternalChatDismiss{Header: h}
		}
	case EventChangeExternalTag:
		switch h.ChangeType {
		case "create":
			return &ExternalTagCreate{TagEvent{Header: h}}
		case "update":
			return &ExternalTagUpdate{TagEvent{Header: h}}
		case "delete":
			return &ExternalTagDelete{TagEvent{Header: h}}
		case "shuffle":
			return &ExternalTagShuffle{TagEvent{Header: h}}
		}
	case EventCustomerAcquisition:
		return &CustomerAcquisition{Header: h, Change: AcquisitionChange(h.ChangeType)}
	case EventChangeContact:
		if ev := newContactEvent(h); ev != nil {
			return ev
		}
	}
	return &UnknownEvent{Header: h}
}

func (e *AddExternalContact) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, &e.State, &e.WelcomeCode)
	return nil
}

func (e *MsgAuditApproved) set(f field) error {
	var state string
	contactFields(f, &e.UserID, &e.ExternalUserID, &state, &e.WelcomeCode)
	return nil
}

func (e *AddHalfExternalContact) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, &e.State, &e.WelcomeCode)
	return nil
}

func (e *EditExternalContact) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, nil, nil)
	return nil
}

func (e *DelFollowUser) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, nil, nil)
	return nil
}

func (e *DelExternalContact) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, nil, nil)
	if f.name == "Source" {
		e.Source = f.value
	}
	return nil
}

func (e *TransferFail) set(f field) error {
	contactFields(f, &e.UserID, &e.ExternalUserID, nil, nil)
	if f.name == "FailReason" {
		e.FailReason = TransferFailReason(f.value)
	}
	return nil
}

func (e *ExternalChatCreate) set(f field) error  { chatID(f, &e.ChatID); return nil }
func (e *ExternalChatDismiss) set(f field) error { chatID(f, &e.ChatID); return nil }
func (e *UnknownEvent) set(field) error          { return nil }

func contactFields(f field, userID, externalUserID, state, welcomeCode *string) {
	switch {
	case f.name == "UserID":
		*userID = f.value
	case f.name == "ExternalUserID":
		*externalUserID = f.value
	case f.name == "State" && state != nil:
		*state = f.value
	case f.name == "WelcomeCode" && welcomeCode != nil:
		*welcomeCode = f.value
	}
}

func chatID(f field, id *string) {
	if f.name == "ChatId" || f.name == "ChatID" {
		*id = f.value
	}
}

func (e *ExternalChatUpdate) set(f field) error {
	var err error
	switch f.name {
	case "ChatId", "ChatID":
		e.ChatID = f.value
	case "UpdateDetail":
		e.UpdateDetail = UpdateDetail(f.value)
	case "JoinScene":
		var v int
		v, err = parseInt(f)
		e.JoinScene = JoinScene(v)
	case "QuitScene":
		var v int
		v, err = parseInt(f)
		e.QuitScene = QuitScene(v)
	case "MemChangeCnt":
		e.MemChangeCnt, err = parseInt(f)
	case "MemChangeList":
		e.MemChangeList = f.items
		if f.items == nil && trimSpace(f.value) != "" {
			// Tolerate a single id written as text.
			e.MemChangeList = []string{trimSpace(f.value)}
		}
	case "LastMemVer":
		e.LastMemVer = f.value
	case "CurMemVer":
		e.CurMemVer = f.value
	}
	return err
}

func (t *TagEvent) set(f field) error {
	switch f.name {
	case "Id", "ID":
		t.ID = f.value
	case "TagType":
		t.TagType = TagType(f.value)
	case "StrategyId", "StrategyID":
		t.StrategyID = f.value
	}
	return nil
}

func (e *CustomerAcquisition) set(f field) error {
	switch f.name {
	case "LinkId", "LinkID":
		e.LinkID = f.value
	case "UserID":
		e.UserID = f.value
	case "ExternalUserID":
		e.ExternalUserID = f.value
	case "State":
		e.State = f.value
	case "ChatKey":
		e.ChatKey = f.value
	}
	return nil
}
