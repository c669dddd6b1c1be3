package callback

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A third-party app's customer events come in the instruction shape; the
// hook reads its header names (InfoType, AuthCorpId, TimeStamp) and gives
// the same typed events as the self-built shape, Raw untouched.
func TestDecodeInstructionEvent(t *testing.T) {
	const corp = "wwtenant0a1b2c3d4e"
	add := "<xml><SuiteId><![CDATA[wwsuite]]></SuiteId><AuthCorpId><![CDATA[" + corp + "]]></AuthCorpId>" +
		"<InfoType><![CDATA[change_external_contact]]></InfoType><TimeStamp>1700000000</TimeStamp>" +
		"<ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID>" +
		"<ExternalUserID><![CDATA[wmEXT]]></ExternalUserID><State><![CDATA[st]]></State><WelcomeCode><![CDATA[WC]]></WelcomeCode></xml>"
	ev, err := DecodeInstructionEvent([]byte(add))
	require.NoError(t, err)
	want := &AddExternalContact{Header: Header{ToUserName: corp, FromUserName: "sys", CreateTime: 1700000000, MsgType: "event",
		Event: "change_external_contact", ChangeType: "add_external_contact", Raw: add},
		UserID: "zhangsan", ExternalUserID: "wmEXT", State: "st", WelcomeCode: "WC"}
	assert.Equal(t, want, ev)
	// DecodeEvent sees no Event element in it.
	plain, err := DecodeEvent([]byte(add))
	require.NoError(t, err)
	assert.IsType(t, &UnknownEvent{}, plain)

	// A list element, and the encoding/xml path (a prolog).
	chat := `<?xml version="1.0"?><xml><SuiteId>s</SuiteId><AuthCorpID>` + corp + `</AuthCorpID><InfoType>change_external_chat</InfoType>` +
		`<TimeStamp>1700000001</TimeStamp><ChangeType>update</ChangeType><ChatId>wrCHAT</ChatId><UpdateDetail>add_member</UpdateDetail>` +
		`<JoinScene>3</JoinScene><MemChangeCnt>2</MemChangeCnt><MemChangeList><Item>a</Item><Item>b</Item></MemChangeList></xml>`
	ev, err = DecodeInstructionEvent([]byte(chat))
	require.NoError(t, err)
	up, ok := ev.(*ExternalChatUpdate)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, corp, up.ToUserName)
	assert.Equal(t, int64(1700000001), up.CreateTime)
	assert.Equal(t, "wrCHAT", up.ChatID)
	assert.Equal(t, JoinScene(3), up.JoinScene)
	assert.Equal(t, 2, up.MemChangeCnt)
	assert.Equal(t, []string{"a", "b"}, up.MemChangeList)

	// change_contact, the address-book instruction.
	ev, err = DecodeInstructionEvent([]byte("<xml><SuiteId>s</SuiteId><AuthCorpId>" + corp + "</AuthCorpId><InfoType>change_contact</InfoType>" +
		"<TimeStamp>1</TimeStamp><ChangeType>update_user</ChangeType><UserID>lisi</UserID><OpenUserID>woLISI</OpenUserID><NewUserID>lisi2</NewUserID></xml>"))
	require.NoError(t, err)
	uu, ok := ev.(*UpdateUser)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, corp, uu.ToUserName)
	assert.Equal(t, "lisi", uu.UserID)
	assert.Equal(t, "lisi2", uu.NewUserID)

	// Unmodelled: every element kept.
	ev, err = DecodeInstructionEvent([]byte("<xml><SuiteId>s</SuiteId><AuthCorpId>" + corp + "</AuthCorpId><InfoType>change_external_contact</InfoType><TimeStamp>1</TimeStamp><ChangeType>brand_new</ChangeType><X>y</X></xml>"))
	require.NoError(t, err)
	u, ok := ev.(*UnknownEvent)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, "change_external_contact", u.Event)
	assert.Equal(t, []Field{{Name: "SuiteId", Value: "s"}, {Name: "AuthCorpId", Value: corp}, {Name: "InfoType", Value: "change_external_contact"},
		{Name: "TimeStamp", Value: "1"}, {Name: "ChangeType", Value: "brand_new"}, {Name: "X", Value: "y"}}, u.Fields)

	for name, raw := range map[string]string{
		"no InfoType": "<xml><SuiteId>s</SuiteId><AuthCorpId>c</AuthCorpId></xml>",
		"self-built":  "<xml><ToUserName>c</ToUserName><Event>change_external_contact</Event></xml>",
		"bad time":    "<xml><InfoType>change_external_contact</InfoType><TimeStamp>soon</TimeStamp></xml>",
		"not xml":     "not xml",
		"bad number":  "<xml><InfoType>change_external_chat</InfoType><ChangeType>update</ChangeType><MemChangeCnt>x</MemChangeCnt></xml>",
	} {
		_, err := DecodeInstructionEvent([]byte(raw))
		assert.True(t, errors.Is(err, ErrMalformedEvent), "%s: %v", name, err)
	}
}
