package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// benchEvents are the two sizes of the benchmarks: a ~600-byte
// add_external_contact event and a 4 KB change_external_chat update.
func benchEvents() []struct {
	name string
	msg  []byte
} {
	var chat strings.Builder
	chat.WriteString("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId><ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>100</MemChangeCnt><MemChangeList>")
	for i := 0; chat.Len() < 4096-120; i++ {
		fmt.Fprintf(&chat, "<Item><![CDATA[wmOgQhDgAAuser%06d]]></Item>", i)
	}
	chat.WriteString("</MemChangeList><LastMemVer><![CDATA[9c3f9f0d]]></LastMemVer><CurMemVer><![CDATA[71217227]]></CurMemVer></xml>")
	add := addContactXML
	for len(add) < 600 {
		add = strings.Replace(add, "</xml>", "<Pad><![CDATA[x]]></Pad></xml>", 1)
	}
	return []struct {
		name string
		msg  []byte
	}{{"600B", []byte(add)}, {"4KB", []byte(chat.String())}}
}

// BenchmarkFloor is the cost no implementation avoids: base64 decode,
// SHA1 of the signature input and AES-256-CBC decrypt, buffers reused.
func BenchmarkFloor(b *testing.B) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	if err != nil {
		b.Fatal(err)
	}
	for _, ev := range benchEvents() {
		b.Run(ev.name, func(b *testing.B) {
			s, err := c.Seal(ev.msg, 1700000000, "1372623149")
			if err != nil {
				b.Fatal(err)
			}
			ct := []byte(s.Encrypt)
			var sigIn []byte
			signatureSum(&sigIn, sampleToken, s.Timestamp, s.Nonce, ct)
			block, _ := aes.NewCipher(c.key[:])
			dec := cipher.NewCBCDecrypter(block, c.key[:16])
			buf := make([]byte, base64.StdEncoding.DecodedLen(len(ct)))
			b.SetBytes(int64(len(ev.msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = sha1.Sum(sigIn)
				n, _ := base64.StdEncoding.Decode(buf, ct)
				dec.(ivSetter).SetIV(c.key[:16])
				dec.CryptBlocks(buf[:n], buf[:n])
			}
		})
	}
}

// BenchmarkOpen is the whole of Open: envelope body and query in,
// verified, decrypted message out.
func BenchmarkOpen(b *testing.B) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	if err != nil {
		b.Fatal(err)
	}
	for _, ev := range benchEvents() {
		b.Run(ev.name, func(b *testing.B) {
			s, err := c.Seal(ev.msg, 1700000000, "1372623149")
			if err != nil {
				b.Fatal(err)
			}
			body, q := s.EventXML(sampleCorpID, "1000002"), s.Query()
			b.SetBytes(int64(len(ev.msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Open(body, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenFunc is Open without the copy of the message, as the
// callback handler uses it.
func BenchmarkOpenFunc(b *testing.B) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	if err != nil {
		b.Fatal(err)
	}
	keep := func([]byte) error { return nil }
	for _, ev := range benchEvents() {
		b.Run(ev.name, func(b *testing.B) {
			s, err := c.Seal(ev.msg, 1700000000, "1372623149")
			if err != nil {
				b.Fatal(err)
			}
			body, q := s.EventXML(sampleCorpID, "1000002"), s.Query()
			b.SetBytes(int64(len(ev.msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.OpenFunc(body, q, keep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
