package callback

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testCorpID = "ww5f3c9a1e2b7d4c60"

func hdr(event, changeType string) Header {
	return Header{ToUserName: testCorpID, FromUserName: "sys", CreateTime: 1700000000, MsgType: "event", Event: event, ChangeType: changeType}
}

func readEvent(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name+".xml"))
	require.NoError(t, err)
	return string(b)
}

// eventCases: every sample in testdata/events and the event it decodes to
// (Raw is filled in by the test).
var eventCases = []struct {
	file string
	want Event
}{
	{"add_external_contact", &AddExternalContact{Header: hdr("change_external_contact", "add_external_contact"), UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", State: "teststate", WelcomeCode: "WELCOMECODE"}},
	{"edit_external_contact", &EditExternalContact{Header: hdr("change_external_contact", "edit_external_contact"), UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"}},
	{"add_half_external_contact", &AddHalfExternalContact{Header: hdr("change_external_contact", "add_half_external_contact"), UserID: "lisi", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", State: "ad-2024", WelcomeCode: "HALFCODE"}},
	{"del_external_contact", &DelExternalContact{Header: hdr("change_external_contact", "del_external_contact"), UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", Source: SourceDeleteByTransfer}},
	{"del_follow_user", &DelFollowUser{Header: hdr("change_external_contact", "del_follow_user"), UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"}},
	{"transfer_fail", &TransferFail{Header: hdr("change_external_contact", "transfer_fail"), UserID: "wangwu", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", FailReason: FailCustomerRefused}},
	{"chat_create", &ExternalChatCreate{Header: hdr("change_external_chat", "create"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"}},
	{"chat_update_add_member", &ExternalChatUpdate{Header: hdr("change_external_chat", "update"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UpdateDetail: UpdateAddMember, JoinScene: JoinByQRCode, MemChangeCnt: 2, MemChangeList: []string{"Jack", "wmOgQhDgAAMYQiS5ol9G7gK9JVQQQQ"}, LastMemVer: "9c3f9f0d", CurMemVer: "71217227"}},
	{"chat_update_del_member", &ExternalChatUpdate{Header: hdr("change_external_chat", "update"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UpdateDetail: UpdateDelMember, QuitScene: QuitRemoved, MemChangeCnt: 1, MemChangeList: []string{"Jack"}, LastMemVer: "71217227", CurMemVer: "8a2b3c4d"}},
	{"chat_update_change_owner", &ExternalChatUpdate{Header: hdr("change_external_chat", "update"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UpdateDetail: UpdateChangeOwner}},
	{"chat_update_change_name", &ExternalChatUpdate{Header: hdr("change_external_chat", "update"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UpdateDetail: UpdateChangeName}},
	{"chat_update_change_notice", &ExternalChatUpdate{Header: hdr("change_external_chat", "update"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UpdateDetail: UpdateChangeNotice}},
	{"chat_dismiss", &ExternalChatDismiss{Header: hdr("change_external_chat", "dismiss"), ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"}},
	{"tag_create", &ExternalTagCreate{TagEvent{Header: hdr("change_external_tag", "create"), ID: "etm7wjCgAAlPjIsa6Rg5brvBmaH-aaaa", TagType: TagTypeTag}}},
	{"tag_update", &ExternalTagUpdate{TagEvent{Header: hdr("change_external_tag", "update"), ID: "etm7wjCgAAlPjIsa6Rg5brvBmaH-gggg", TagType: TagTypeGroup, StrategyID: "1"}}},
	{"tag_delete", &ExternalTagDelete{TagEvent{Header: hdr("change_external_tag", "delete"), ID: "etm7wjCgAAlPjIsa6Rg5brvBmaH-aaaa", TagType: TagTypeTag, StrategyID: "2"}}},
	{"tag_shuffle", &ExternalTagShuffle{TagEvent{Header: hdr("change_external_tag", "shuffle"), ID: "etm7wjCgAAlPjIsa6Rg5brvBmaH-gggg", StrategyID: "3"}}},
	{"customer_acquisition_balance_low", &CustomerAcquisition{Header: hdr("customer_acquisition", "balance_low"), Change: AcquisitionBalanceLow}},
	{"customer_acquisition_link_unavailable", &CustomerAcquisition{Header: hdr("customer_acquisition", "link_unavailable"), Change: AcquisitionLinkUnavailable, LinkID: "cawcde5qJdd2T1LbeMZz5U7t"}},
	{"customer_acquisition_start_chat", &CustomerAcquisition{Header: hdr("customer_acquisition", "customer_start_chat"), Change: AcquisitionCustomerStartChat, LinkID: "cawcde5qJdd2T1LbeMZz5U7t", UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", State: "channel-7"}},
	{"customer_acquisition_friend_request", &CustomerAcquisition{Header: hdr("customer_acquisition", "friend_request"), Change: AcquisitionFriendRequest, LinkID: "cawcde5qJdd2T1LbeMZz5U7t", State: "channel-7"}},
	{"customer_acquisition_open_profile", &CustomerAcquisition{Header: hdr("customer_acquisition", "open_profile"), Change: AcquisitionOpenProfile, LinkID: "cawcde5qJdd2T1LbeMZz5U7t", State: "channel-8"}},
	{"customer_acquisition_message_from_customer", &CustomerAcquisition{Header: hdr("customer_acquisition", "message_from_customer"), Change: AcquisitionMessageFromCustomer, LinkID: "cawcde5qJdd2T1LbeMZz5U7t", ChatKey: "CHATKEY-7f3a9c"}},
	{"msg_audit_approved", &MsgAuditApproved{Header: hdr("change_external_contact", "msg_audit_approved"), UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", WelcomeCode: "WELCOMECODE"}},
	{"unknown_product_audit", &UnknownEvent{Header: hdr("product_album_audit", ""), Fields: []Field{
		{Name: "ToUserName", Value: testCorpID}, {Name: "FromUserName", Value: "sys"}, {Name: "CreateTime", Value: "1700000000"},
		{Name: "MsgType", Value: "event"}, {Name: "Event", Value: "product_album_audit"}, {Name: "ProductId", Value: "xi7ldqAAAAA"},
		{Name: "AuditStatus", Value: "2"}, {Name: "Items", Items: []string{"a"}},
	}}},
}

var betweenElements = regexp.MustCompile(`(<xml>|</[A-Za-z]+>)(<)`)

func withRaw(ev Event, raw string) Event {
	ev.EventHeader().Raw = raw
	return ev
}

func TestDecodeEvent(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.xml")
	require.NoError(t, err)
	require.Len(t, eventCases, len(files), "every sample has a case")
	for _, tc := range eventCases {
		t.Run(tc.file, func(t *testing.T) {
			raw := readEvent(t, tc.file)
			want := withRaw(tc.want, raw)

			got, err := DecodeEvent([]byte(raw))
			require.NoError(t, err)
			assert.Equal(t, want, got)

			// The fast scanner handles WeCom's shape itself...
			_, ok := scanFlat(raw, nil)
			assert.True(t, ok, "fast path")
			// ...and encoding/xml agrees with it.
			fields, err := parseXML(raw)
			require.NoError(t, err)
			viaXML, err := buildEvent(raw, fields)
			require.NoError(t, err)
			assert.Equal(t, want, viaXML)

			// Unusual but valid shapes go through encoding/xml.
			for name, variant := range map[string]string{
				"prolog and newlines": `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + betweenElements.ReplaceAllString(raw, "$1\n  $2"),
				"entities":            strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(raw, "<![CDATA[", ""), "]]>", ""), ">sys<", ">&#115;ys<"),
				"attribute":           strings.Replace(raw, "<xml>", `<xml a="b">`, 1),
				"comment":             strings.Replace(raw, "<MsgType>", "<!-- c --><MsgType>", 1),
			} {
				got, err := DecodeEvent([]byte(variant))
				require.NoError(t, err, name)
				assert.Equal(t, want, withRaw(got, raw), name)
			}
		})
	}
}

func TestDecodeTolerant(t *testing.T) {
	// A text with an entity, split CDATA, a single id as text, WeCom's
	// occasional ChatID/LinkID spelling variants.
	raw := `<xml><ToUserName><![CDATA[a]]]]><![CDATA[>b]]></ToUserName><CreateTime> 17 </CreateTime><Event>change_external_chat</Event><ChangeType>update</ChangeType><ChatID>c&amp;d</ChatID><MemChangeList>solo</MemChangeList><MemChangeCnt>1</MemChangeCnt></xml>`
	ev, err := DecodeEvent([]byte(raw))
	require.NoError(t, err)
	u, ok := ev.(*ExternalChatUpdate)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, "a]]>b", u.ToUserName)
	assert.Equal(t, int64(17), u.CreateTime)
	assert.Equal(t, "c&d", u.ChatID)
	assert.Equal(t, []string{"solo"}, u.MemChangeList)
	assert.Equal(t, time.Unix(17, 0), u.Time())

	// An empty list and empty elements.
	ev, err = DecodeEvent([]byte(`<xml><Event>change_external_chat</Event><ChangeType>update</ChangeType><MemChangeList></MemChangeList><ChatId></ChatId><UpdateDetail/></xml>`))
	require.NoError(t, err)
	assert.Empty(t, ev.(*ExternalChatUpdate).MemChangeList)

	// A known Event with an unknown ChangeType is an UnknownEvent.
	ev, err = DecodeEvent([]byte(`<xml><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[new_thing]]></ChangeType><X>1</X></xml>`))
	require.NoError(t, err)
	u2, ok := ev.(*UnknownEvent)
	require.True(t, ok)
	assert.Equal(t, "new_thing", u2.ChangeType)
	assert.Equal(t, "1", u2.Get("X"))
	assert.Equal(t, "", u2.Get("Y"))

	// A message that is not an event at all.
	ev, err = DecodeEvent([]byte(`<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>`))
	require.NoError(t, err)
	assert.Equal(t, "hi", ev.(*UnknownEvent).Get("Content"))
}

func TestDecodeMalformed(t *testing.T) {
	for name, raw := range map[string]string{
		"empty":            "",
		"not xml":          "hello",
		"unclosed":         "<xml><Event>x</Event>",
		"mismatched":       "<xml><Event>x</Tag></xml>",
		"two roots":        "<xml></xml><xml></xml>",
		"bad CreateTime":   "<xml><CreateTime>soon</CreateTime></xml>",
		"bad JoinScene":    "<xml><Event>change_external_chat</Event><ChangeType>update</ChangeType><JoinScene>x</JoinScene></xml>",
		"bad QuitScene":    "<xml><Event>change_external_chat</Event><ChangeType>update</ChangeType><QuitScene>x</QuitScene></xml>",
		"bad MemChangeCnt": "<xml><Event>change_external_chat</Event><ChangeType>update</ChangeType><MemChangeCnt>x</MemChangeCnt></xml>",
		"bad entity":       "<xml><Event>&nope;</Event></xml>",
		"only text":        "   ",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeEvent([]byte(raw))
			assert.ErrorIs(t, err, ErrMalformedEvent)
		})
	}
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "JoinScene(1)", JoinScene(1).String(), "WeCom never sends 1 in the callback")
	assert.Equal(t, "invitation", JoinByInvitation.String())
	assert.Equal(t, "qrcode", JoinByQRCode.String())
	assert.Equal(t, "JoinScene(7)", JoinScene(7).String())
	assert.Equal(t, "self", QuitByThemselves.String())
	assert.Equal(t, "removed", QuitRemoved.String())
	assert.Equal(t, "QuitScene(9)", QuitScene(9).String())
	assert.Equal(t, "add_member", UpdateAddMember.String())
	assert.Equal(t, "tag_group", TagTypeGroup.String())
	assert.Equal(t, "customer_limit_exceed", FailCustomerLimitExceed.String())
	assert.Equal(t, "delete_link", AcquisitionDeleteLink.String())
}
