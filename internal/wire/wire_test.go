package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScanStatus(t *testing.T) {
	cases := []struct {
		in   string
		want Status
		ok   bool
	}{
		{`{"errcode":0,"errmsg":"ok"}`, Status{Code: 0, Message: "ok", HasCode: true}, true},
		{` { "errmsg" : "busy" , "errcode" : -1 } `, Status{Code: -1, Message: "busy", HasCode: true}, true},
		{`{"a":{"errcode":5,"b":[1,{"c":"}"}]},"s":"x\"errcode\":7","errcode":40014,"errmsg":"invalid access_token, hint: [x]"}`,
			Status{Code: 40014, Message: "invalid access_token, hint: [x]", HasCode: true}, true},
		{`{"errcode":0,"errmsg":"caf\u00e9 \/ \n"}`, Status{Code: 0, Message: "café / \n", HasCode: true}, true},
		{`{"follow_user":["a","b"]}`, Status{}, true},
		{`{}`, Status{}, true},
		{``, Status{}, false},
		{`<html>`, Status{}, false},
		{`{"errcode":`, Status{}, false},
		{`{"errcode":"x"}`, Status{}, false},
		{`{"errcode":0,"errmsg":"ok"`, Status{Code: 0, Message: "ok", HasCode: true}, false},
		{`{"errcode":0 "errmsg":"ok"}`, Status{Code: 0, HasCode: true}, false},
		{`{"a":[1,2}`, Status{}, false},
		{`{"a":"unterminated}`, Status{}, false},
		{`[1,2]`, Status{}, false},
	}
	for _, tc := range cases {
		got, ok := ScanStatus([]byte(tc.in))
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok {
			assert.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestScanStatusDoesNotAllocate(t *testing.T) {
	body := []byte(`{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"name":"张三"}}],"next_cursor":"abc"}`)
	allocs := testing.AllocsPerRun(100, func() {
		st, ok := ScanStatus(body)
		if !ok || st.Code != 0 {
			panic("bad scan")
		}
	})
	// errmsg "ok" is a fresh string: one small allocation at most.
	assert.LessOrEqual(t, allocs, 1.0)
}

// FuzzScanStatus checks the scanner never panics and agrees with
// encoding/json on every input that encoding/json accepts as an object.
func FuzzScanStatus(f *testing.F) {
	for _, s := range []string{`{"errcode":0,"errmsg":"ok"}`, `{"a":[{"b":"}"}],"errcode":-1}`, `{"errmsg":"\u4e2d"}`, `{`, `"`, `{"errcode":1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := ScanStatus(b)
		var ref struct {
			ErrCode *json.Number `json:"errcode"`
			ErrMsg  *string      `json:"errmsg"`
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(b, &probe) != nil || json.Unmarshal(b, &ref) != nil {
			return
		}
		if ref.ErrCode != nil {
			if _, err := ref.ErrCode.Int64(); err != nil {
				return // 1e3 and friends: WeCom never sends them; the scanner may refuse
			}
		}
		if !ok {
			if ref.ErrCode != nil {
				t.Fatalf("scanner refused valid JSON %q", b)
			}
			return
		}
		if ref.ErrCode != nil {
			n, _ := ref.ErrCode.Int64()
			if !st.HasCode || int64(st.Code) != n {
				t.Fatalf("errcode: scanner %d/%v, json %d for %q", st.Code, st.HasCode, n, b)
			}
		}
	})
}

func TestSplitHint(t *testing.T) {
	msg, hint := SplitHint("invalid access_token, hint: [1700000000_1_abc], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=40014")
	assert.Equal(t, "invalid access_token", msg)
	assert.Equal(t, "1700000000_1_abc", hint)
	msg, hint = SplitHint("ok")
	assert.Equal(t, "ok", msg)
	assert.Equal(t, "", hint)
	msg, hint = SplitHint("hint: [abc]")
	assert.Equal(t, "", msg)
	assert.Equal(t, "abc", hint)
	msg, hint = SplitHint("broken, hint: [unclosed")
	assert.Equal(t, "broken", msg)
	assert.Equal(t, "", hint)
}

func TestRedactQuery(t *testing.T) {
	assert.Equal(t, "https://h/cgi-bin/x?access_token=REDACTED&cursor=abc",
		RedactQuery("https://h/cgi-bin/x?access_token=SECRET1&cursor=abc"))
	assert.Equal(t, "/cgi-bin/gettoken?corpid=ww1&corpsecret=REDACTED",
		RedactQuery("/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET"))
	assert.Equal(t, "my_access_token=keep", RedactQuery("my_access_token=keep"), "whole names only")
	assert.Equal(t, "a?access_token=REDACTED#frag", RedactQuery("a?access_token=x#frag"))
	assert.Equal(t, "a?access_token=REDACTED&access_token=REDACTED", RedactQuery("a?access_token=x&access_token=y"))
}

func TestScrub(t *testing.T) {
	assert.Equal(t, "token REDACTED and REDACTED", Scrub("token ABCDEF and ABCDEF", "ABCDEF", ""))
	assert.Equal(t, "abc", Scrub("abc", "ab"), "very short values are not scrubbed")
}

func TestDeref(t *testing.T) {
	type req struct{ Cursor string }
	if got := Deref[req](nil); got != (req{}) {
		t.Fatalf("nil: %+v", got)
	}
	in := &req{Cursor: "c"}
	got := Deref(in)
	got.Cursor = "changed"
	if in.Cursor != "c" {
		t.Fatal("Deref must copy")
	}
}
