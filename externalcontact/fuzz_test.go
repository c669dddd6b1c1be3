package externalcontact

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/wecomkit/wecom/internal/flex"
)

// FuzzMessagingPayloads feeds arbitrary entries to the decoders that read
// WeCom's loosely typed fields (create_time and rule_id as number or
// string): they must never panic, and what they accept must read back the
// same number or id whichever way WeCom wrote it.
func FuzzMessagingPayloads(f *testing.F) {
	for _, seed := range []string{
		`{"msgid":"m","create_time":"1616049874","create_type":1,"text":{"content":"x"}}`,
		`{"msgid":"m","create_time":1616049874,"attachments":[{"msgtype":"image","image":{"media_id":"M"}}]}`,
		`{"rule_id":12345,"rule_name":"r","extra_rule":{"semantics_list":[1,2]},"applicable_range":{"user_list":["a"]}}`,
		`{"rule_id":"abc","semantics_list":[3]}`,
		`{"product_id":"p","price":30000,"attachments":[{"type":"image","image":{"media_id":"M"}}]}`,
		`{"create_time":"-1"}`, `{"create_time":1e3}`, `null`, `[]`, `{"rule_id":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m GroupMsg
		if json.Unmarshal(b, &m) == nil && m.Raw != nil {
			// encoding/json hands over the value without surrounding space.
			if string(m.Raw) != string(bytes.TrimSpace(b)) {
				t.Fatalf("Raw %q is not the input %q", m.Raw, b)
			}
		}
		var r InterceptRule
		_ = json.Unmarshal(b, &r)
		var sum InterceptRuleSummary
		_ = json.Unmarshal(b, &sum)
		var p AlbumProduct
		_ = json.Unmarshal(b, &p)

		// Both spellings of a number agree.
		var probe struct {
			N int64 `json:"n"`
		}
		if json.Unmarshal(b, &probe) == nil {
			n := probe.N
			asNum, err1 := flex.ParseInt(json.RawMessage(strconv.FormatInt(n, 10)))
			asStr, err2 := flex.ParseInt(json.RawMessage(strconv.Quote(strconv.FormatInt(n, 10))))
			if err1 != nil || err2 != nil || asNum != n || asStr != n {
				t.Fatalf("flex.ParseInt(%d): %d %v, %d %v", n, asNum, err1, asStr, err2)
			}
			id, err := flex.ParseString(json.RawMessage(strconv.FormatInt(n, 10)))
			if err != nil || id != strconv.FormatInt(n, 10) {
				t.Fatalf("flex.ParseString(%d) = %q, %v", n, id, err)
			}
		}
	})
}
