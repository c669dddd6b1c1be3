package callback

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func contactHdr(changeType string) Header { return hdr(EventChangeContact, changeType) }

// contactCases: every sample in testdata/contact and the event it decodes
// to. The _full samples are what callback URLs configured before
// 2022-08-15 get; the others what newer ones get.
var contactCases = []struct {
	file string
	want Event
	// slow: the sample nests deeper than one <Item> level (ExtAttr), so
	// it is read by encoding/xml rather than the fast scanner.
	slow bool
}{
	{"create_user_full", &CreateUser{UserChange{Header: contactHdr("create_user"),
		UserID: "zhangsan", Name: "张三", Department: []int{1, 2, 3}, MainDepartment: 1, IsLeaderInDept: []int{1, 0, 0},
		DirectLeader: []string{"lisi", "wangwu"}, Position: "产品经理", Mobile: "13800000000", Gender: "1",
		Email: "zhangsan@gzdev.com", BizMail: "zhangsan@qyycs2.wecom.work", Status: 1,
		Avatar: "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
		Alias:  "zhangsan", Telephone: "020-123456", Address: "广州市"}}, true},
	{"create_user", &CreateUser{UserChange{Header: contactHdr("create_user"), UserID: "zhangsan", Department: []int{1, 2}}}, false},
	{"update_user_full", &UpdateUser{UserChange: UserChange{Header: contactHdr("update_user"),
		UserID: "zhangsan", Name: "张三", Department: []int{1, 2, 3}, MainDepartment: 1, IsLeaderInDept: []int{1, 0, 0},
		DirectLeader: []string{"lisi"}, Position: "产品经理", Mobile: "13800000000", Gender: "2",
		Email: "zhangsan@gzdev.com", BizMail: "zhangsan@qyycs2.wecom.work", Status: 2,
		Avatar: "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
		Alias:  "zhangsan", Telephone: "020-123456", Address: "广州市"}, NewUserID: "zhangsan001"}, false},
	{"update_user", &UpdateUser{UserChange: UserChange{Header: contactHdr("update_user"), UserID: "zhangsan", Department: []int{3}}, NewUserID: "zhangsan001"}, false},
	{"delete_user", &DeleteUser{Header: contactHdr("delete_user"), UserID: "zhangsan"}, false},
	{"create_party", &CreateParty{Header: contactHdr("create_party"), ID: 2, Name: "广州研发中心", ParentID: 1, Order: 1}, false},
	{"update_party", &UpdateParty{Header: contactHdr("update_party"), ID: 2, Name: "深圳研发中心", ParentID: 4}, false},
	{"delete_party", &DeleteParty{Header: contactHdr("delete_party"), ID: 2}, false},
	{"update_tag", &UpdateTag{Header: contactHdr("update_tag"), TagID: 1, AddUserItems: []string{"zhangsan", "lisi"},
		DelUserItems: []string{"zhangsan1", "lisi1"}, AddPartyItems: []int{1, 2}, DelPartyItems: []int{3, 4}}, false},
}

func TestDecodeContactEvents(t *testing.T) {
	files, err := filepath.Glob("testdata/contact/*.xml")
	require.NoError(t, err)
	require.Len(t, contactCases, len(files), "every sample has a case")
	for _, tc := range contactCases {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "contact", tc.file+".xml"))
			require.NoError(t, err)
			raw := string(b)
			want := withRaw(tc.want, raw)

			got, err := DecodeEvent(b)
			require.NoError(t, err)
			assert.Equal(t, want, got)

			_, fast := scanFlat(raw, nil)
			assert.Equal(t, !tc.slow, fast, "fast path")
			fields, err := parseXML(raw)
			require.NoError(t, err)
			viaXML, err := buildEvent(raw, fields)
			require.NoError(t, err)
			assert.Equal(t, want, viaXML, "encoding/xml agrees")
		})
	}
}

func TestDecodeContactTolerant(t *testing.T) {
	// Lists written as <Item> children, blanks around commas, empty
	// numbers, ID spellings.
	ev, err := DecodeEvent([]byte(`<xml><Event>change_contact</Event><ChangeType>update_tag</ChangeType><TagID> 7 </TagID>` +
		`<AddUserItems><Item>a</Item><Item>b</Item></AddUserItems><DelUserItems></DelUserItems><AddPartyItems> 1 , 2 ,</AddPartyItems></xml>`))
	require.NoError(t, err)
	tag := ev.(*UpdateTag)
	assert.Equal(t, 7, tag.TagID)
	assert.Equal(t, []string{"a", "b"}, tag.AddUserItems)
	assert.Nil(t, tag.DelUserItems)
	assert.Equal(t, []int{1, 2}, tag.AddPartyItems)
	assert.Nil(t, tag.DelPartyItems)

	ev, err = DecodeEvent([]byte(`<xml><Event>change_contact</Event><ChangeType>update_party</ChangeType><ID>5</ID><ParentID></ParentID></xml>`))
	require.NoError(t, err)
	assert.Equal(t, &UpdateParty{Header: Header{Event: "change_contact", ChangeType: "update_party", Raw: ev.EventHeader().Raw}, ID: 5}, ev)

	ev, err = DecodeEvent([]byte(`<xml><Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>u</UserID><Status></Status><MainDepartment/></xml>`))
	require.NoError(t, err)
	assert.Equal(t, "u", ev.(*CreateUser).UserID)
	assert.Equal(t, 0, ev.(*CreateUser).Status)

	// An unknown ChangeType of change_contact stays reachable.
	ev, err = DecodeEvent([]byte(`<xml><Event>change_contact</Event><ChangeType>new_kind</ChangeType><X>1</X></xml>`))
	require.NoError(t, err)
	u, ok := ev.(*UnknownEvent)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, "1", u.Get("X"))
}

func TestDecodeContactMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"Department":     `<ChangeType>create_user</ChangeType><Department>1,x</Department>`,
		"IsLeaderInDept": `<ChangeType>update_user</ChangeType><IsLeaderInDept>yes</IsLeaderInDept>`,
		"MainDepartment": `<ChangeType>create_user</ChangeType><MainDepartment>x</MainDepartment>`,
		"Status":         `<ChangeType>update_user</ChangeType><Status>on</Status>`,
		"party Id":       `<ChangeType>create_party</ChangeType><Id>two</Id>`,
		"party ParentId": `<ChangeType>create_party</ChangeType><ParentId>x</ParentId>`,
		"party Order":    `<ChangeType>create_party</ChangeType><Order>x</Order>`,
		"update Id":      `<ChangeType>update_party</ChangeType><Id>x</Id>`,
		"update Parent":  `<ChangeType>update_party</ChangeType><ParentId>x</ParentId>`,
		"delete Id":      `<ChangeType>delete_party</ChangeType><Id>x</Id>`,
		"TagId":          `<ChangeType>update_tag</ChangeType><TagId>x</TagId>`,
		"AddPartyItems":  `<ChangeType>update_tag</ChangeType><AddPartyItems>1,b</AddPartyItems>`,
		"DelPartyItems":  `<ChangeType>update_tag</ChangeType><DelPartyItems>c</DelPartyItems>`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeEvent([]byte(`<xml><Event>change_contact</Event>` + body + `</xml>`))
			assert.ErrorIs(t, err, ErrMalformedEvent)
		})
	}
}

func TestContactEventKinds(t *testing.T) {
	seen := map[kind]bool{}
	for _, ev := range []Event{&CreateUser{}, &UpdateUser{}, &DeleteUser{}, &CreateParty{}, &UpdateParty{}, &DeleteParty{}, &UpdateTag{}} {
		k := ev.kind()
		assert.NotEqual(t, kindUnknown, k)
		assert.Less(t, k, numKinds)
		assert.False(t, seen[k], "%T shares a kind", ev)
		seen[k] = true
	}
}

// FuzzContactEventDecode is FuzzEventDecode seeded with the change_contact
// samples, whose comma-separated lists have their own parsing.
func FuzzContactEventDecode(f *testing.F) {
	for _, tc := range contactCases {
		b, err := os.ReadFile(filepath.Join("testdata", "contact", tc.file+".xml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := DecodeEvent(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformedEvent) {
				t.Fatalf("error %v is not ErrMalformedEvent", err)
			}
			return
		}
		if ev == nil || ev.EventHeader().Raw != string(raw) {
			t.Fatal("event without its raw XML")
		}
		s := string(raw)
		if _, ok := scanFlat(s, nil); !ok || strings.ContainsRune(s, '\r') || !utf8.ValidString(s) {
			return
		}
		fields, err := parseXML(s)
		if err != nil {
			return
		}
		viaXML, err := buildEvent(s, fields)
		if err != nil {
			return
		}
		if !reflect.DeepEqual(ev, viaXML) {
			t.Fatalf("fast path and encoding/xml disagree:\n%#v\n%#v", ev, viaXML)
		}
	})
}

// BenchmarkDecodeContactEvent: change_contact samples, with
// add_external_contact as the baseline. create_user_full nests ExtAttr
// deeper than one <Item> level, so it takes the encoding/xml path.
func BenchmarkDecodeContactEvent(b *testing.B) {
	for _, name := range []string{"baseline/add_external_contact", "create_user", "create_user_full", "update_tag"} {
		path := filepath.Join("testdata", "contact", name+".xml")
		if strings.HasPrefix(name, "baseline/") {
			path = filepath.Join("testdata", "events", strings.TrimPrefix(name, "baseline/")+".xml")
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := DecodeEvent(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
