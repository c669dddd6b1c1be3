package provider_test

import (
	"testing"

	"github.com/wecomkit/wecom/provider"
)

// FuzzDecodeInstruction: any input decodes or fails with an error, never
// a panic, and a decoded customer event keeps its corp.
func FuzzDecodeInstruction(f *testing.F) {
	for _, s := range []string{
		"<xml><SuiteId><![CDATA[ww1]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>1</TimeStamp><SuiteTicket><![CDATA[t]]></SuiteTicket></xml>",
		"<xml><SuiteId><![CDATA[ww1]]></SuiteId><AuthCorpId><![CDATA[wwc]]></AuthCorpId><InfoType><![CDATA[change_external_chat]]></InfoType><TimeStamp>1</TimeStamp><ChangeType><![CDATA[update]]></ChangeType><ChatId><![CDATA[wr]]></ChatId><MemChangeList><Item><![CDATA[a]]></Item></MemChangeList><JoinScene>x</JoinScene></xml>",
		"<xml><InfoType>change_external_tag</InfoType><ChangeType>create</ChangeType><Id>]]&gt;</Id></xml>",
		"<xml><Event>x</Event></xml>",
		"",
		"<xml>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := provider.DecodeInstruction(b)
		if err != nil {
			return
		}
		ev, ok, err := in.CustomerEvent()
		if ok && err == nil && ev.EventHeader().ToUserName != in.AuthCorpID {
			t.Fatalf("corp %q became %q", in.AuthCorpID, ev.EventHeader().ToUserName)
		}
	})
}
