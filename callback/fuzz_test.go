package callback

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wecomkit/wecom/crypto"
)

func FuzzEventDecode(f *testing.F) {
	for _, tc := range eventCases {
		f.Add([]byte(readEvent(f, tc.file)))
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
		// Where the fast scanner and encoding/xml both accept the input,
		// they agree. (encoding/xml normalises \r and rejects some bytes
		// the scanner lets through inside CDATA: those inputs are skipped.)
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

// FuzzHandler drives ServeHTTP. In mode 1 the harness seals the input as
// WeCom would, so the fuzzer reaches the event decoder and dispatch.
func FuzzHandler(f *testing.F) {
	c, err := crypto.New(testToken, testKey, testCorpID)
	if err != nil {
		f.Fatal(err)
	}
	s, _ := c.Seal([]byte(readEvent(f, "add_external_contact")), testNow.Unix(), "n")
	f.Add(uint8(0), s.EventXML(testCorpID, "1"), s.URLValues().Encode())
	f.Add(uint8(1), []byte(readEvent(f, "chat_update_add_member")), "")
	f.Add(uint8(1), []byte("<xml><Event>x</Event>"), "")
	f.Add(uint8(2), []byte(nil), "msg_signature=a&timestamp=1700000000&nonce=1&echostr=%2B")
	f.Add(uint8(0), []byte{}, "")

	h, err := New(testToken, testKey, testCorpID, WithClock(fixedClock), WithMaxBodyBytes(8192))
	if err != nil {
		f.Fatal(err)
	}
	h.OnOther(func(ctx context.Context, ev Event) error {
		if ev.EventHeader().ChangeType == "fail" {
			return errors.New("fail")
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, mode uint8, body []byte, rawQuery string) {
		method := http.MethodPost
		switch mode % 4 {
		case 1:
			s, err := c.Seal(body, testNow.Unix(), "")
			if err != nil {
				t.Fatal(err)
			}
			body, rawQuery = s.EventXML(testCorpID, ""), s.URLValues().Encode()
		case 2:
			method = http.MethodGet
		case 3:
			method = "PATCH"
		}
		r := httptest.NewRequest(method, "/cb", bytes.NewReader(body))
		r.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch rec.Code {
		case 200, 400, 403, 405, 413, 500:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if mode%4 == 3 && rec.Code != 405 {
			t.Fatalf("PATCH answered %d", rec.Code)
		}
	})
}
