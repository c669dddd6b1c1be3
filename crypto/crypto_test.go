package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The key, token and corp ID of WeCom's official sample code.
const (
	sampleToken  = "QDG6eK"
	sampleKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleCorpID = "wx5823bf96d3bd56c7"
)

const addContactXML = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>"

// vectors were computed once, independently of this package, with
// Python's cryptography library (AES-256-CBC, hashlib.sha1):
//
//	key = b64decode(aeskey + "="); p = random + pack(">I", len(msg)) + msg + receiver
//	pad = 32 - len(p) % 32; p += bytes([pad]) * pad
//	ct = b64encode(AES-CBC(key, iv=key[:16]).encrypt(p))
//	sig = sha1("".join(sorted([token, ts, nonce, ct]))).hexdigest()
var vectors = []struct {
	name                          string
	token, key, receiver          string
	random                        [16]byte
	msg                           string
	timestamp, nonce              string
	wantCiphertext, wantSignature string
}{
	{
		name: "add_external_contact", token: sampleToken, key: sampleKey, receiver: sampleCorpID,
		random: [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		msg:    addContactXML, timestamp: "1700000000", nonce: "1372623149",
		wantCiphertext: "JVwoIzeb5XuqKIT2XqjnoFN7+sxgK66I0UN/6tiYe2/Ld+eQOJs8kNtBCXtLF6pCVXXP2glHN62m3SCsjYZfYv0cDK6hBRyb9baNpSOMqc3yzP6iqprIvDZZ3Di23Xl4g1xmE3kAkN6bwGbAWcNSrhmi1vlF/cCpbs+coQBFmvIjBMMkzvIp4uAVJJ1/2IitL0M6jdnSC8GgtGABcNzZY/cl5tuNBAydeHaTwAfUUQJBzpokykKrFdqDhsHuwxvWEGg6XuFHMW0Z9MTQCMan3Scj6kRdQtfCVBB2rAn2erozSjOWU3PyalVSDvA2l0joVEjfk4ivYgUIHM2YHfJJdlMvlcsO5e/Y9eZId9+rvfp6tDxeMBuLN8DeGyz3WRRz38sYeGcB3G1WIlPHjRS+pJOoJCN7ieu1N1Kzj8hl+Z9UxxpUa6ch9uDjxHdlduJ7v/XfnSOfHBQnVMS3TGWKtDh+5oGM9IHNW7R9KE3sOXUOMGgFNkKB5jGp0uEYRkSoX2v78XDWmgKV+BGGtH+tzrxUfQ9p/IF9tx7+yo0n/+bCoUD9bxysJsi1h+FuGcRGFKbchRvEaehsJ4mWf0TZl74NeSIxOGYRGabCv3tfTuO9DLL6WFUZRrKZO9bdVlrKLIKZhhiUzC1YJ+8r+TjbRJi0Ekezc94KRVoDQ0V8MZVaQNuHzOY8gflNAGNqDhrRb1t4HPg5DieyML4klh1+Tw==",
		wantSignature:  "72cbd1ffe608549e5b59e2e0c5bee5698db3ac56",
	},
	{
		// 16+4+12+0 = 32 bytes: a whole block of padding (value 32).
		name: "full padding block, empty receiver", token: "tok123", key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", receiver: "",
		random: [16]byte{'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R'},
		msg:    "hello world!", timestamp: "1409659813", nonce: "n0nce",
		wantCiphertext: "gdMKu9O/zqaXEdvZuG7ST2RRkY4UhLIgLDY3EibEcyFdmCHRjcYVj3v8fiayg3JGwAXeSicX4mXd3wbj2ONKBg==",
		wantSignature:  "4dfc4288181323bef2094b40c835fae58f8de2d4",
	},
	{
		name: "echostr", token: sampleToken, key: sampleKey, receiver: sampleCorpID,
		random: [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		msg:    "1616140317555161061", timestamp: "1409659589", nonce: "263014780",
		wantCiphertext: "tc4mg1ke1ryx4amhgxaZqN+9h3ar4jvc/p8nko7StLwVuE6gumaZoSZFKm2yijVSJWT3MABlUcuwVmxlscDCbA==",
		wantSignature:  "7945eea6eee46cfd38c33f75cf070f9bfef87045",
	},
}

func envelope(ct string) []byte {
	return []byte("<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[" + ct + "]]></Encrypt></xml>")
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			c, err := New(v.token, v.key, v.receiver)
			require.NoError(t, err)

			s := c.seal(v.random, []byte(v.msg), v.timestamp, v.nonce)
			assert.Equal(t, v.wantCiphertext, s.Encrypt)
			assert.Equal(t, v.wantSignature, s.Signature)
			assert.Equal(t, v.wantSignature, Signature(v.token, v.timestamp, v.nonce, v.wantCiphertext))

			q := Query{Signature: v.wantSignature, Timestamp: v.timestamp, Nonce: v.nonce}
			msg, err := c.Open(envelope(v.wantCiphertext), q)
			require.NoError(t, err)
			assert.Equal(t, v.msg, string(msg))

			q.EchoStr = v.wantCiphertext
			msg, err = c.VerifyURL(q)
			require.NoError(t, err)
			assert.Equal(t, v.msg, string(msg))

			msg, rid, err := c.Decrypt([]byte(v.wantCiphertext))
			require.NoError(t, err)
			assert.Equal(t, v.msg, string(msg))
			assert.Equal(t, v.receiver, rid)
		})
	}
}

// TestOfficialSample checks the URL-verification vector published with
// WeCom's own sample code (WXBizMsgCrypt).
func TestOfficialSample(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	msg, err := c.VerifyURL(Query{
		Signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
		Timestamp: "1409659589",
		Nonce:     "263014780",
		EchoStr:   "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
	})
	require.NoError(t, err)
	assert.Equal(t, "1616140317555161061", string(msg))

	// A '+' that a framework turned into a space still verifies.
	msg, err = c.VerifyURL(Query{
		Signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
		Timestamp: "1409659589",
		Nonce:     "263014780",
		EchoStr:   "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp 4RPcs8TgAE7OaBO FZXvnaqQ==",
	})
	require.NoError(t, err)
	assert.Equal(t, "1616140317555161061", string(msg))
}

func TestSignatureSorted(t *testing.T) {
	// Signature sorts its inputs: the order of the arguments is irrelevant
	// to the digest but not to which is the token.
	a := Signature("b", "a", "d", "c")
	assert.Equal(t, Signature("a", "b", "c", "d"), a)
	assert.Equal(t, "81fe8bfe87576c3ecb22426f8e57847382917acf", a) // sha1("abcd")
	assert.Len(t, a, 40)
}

func TestParseKey(t *testing.T) {
	k, err := ParseKey(sampleKey)
	require.NoError(t, err)
	want, _ := base64.StdEncoding.DecodeString(sampleKey + "=")
	assert.Equal(t, want, k[:])

	// The last character carries 2 stray bits ('C'); they are ignored like
	// every official sample does, so 'C' and 'D' decode alike.
	k2, err := ParseKey(sampleKey[:42] + "D")
	require.NoError(t, err)
	assert.Equal(t, k, k2)

	for _, bad := range []string{"", sampleKey[:42], sampleKey + "A", sampleKey[:42] + "!", sampleKey[:42] + "=", strings.Repeat("é", 21) + "a"} {
		_, err := ParseKey(bad)
		assert.ErrorIs(t, err, ErrKey, "%q", bad)
		_, err = New("t", bad, "")
		assert.ErrorIs(t, err, ErrKey, "%q", bad)
	}
	_, err = New("", sampleKey, "")
	assert.ErrorIs(t, err, ErrToken)
}

// sealRaw encrypts plaintext exactly as given (no framing, no padding;
// len must be a multiple of 16) and signs it.
func sealRaw(t *testing.T, c *Crypter, plaintext []byte) ([]byte, Query, string) {
	t.Helper()
	require.Zero(t, len(plaintext)%16)
	p := append([]byte(nil), plaintext...)
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(p, p)
	ct := base64.StdEncoding.EncodeToString(p)
	q := Query{Signature: Signature(c.token, "1700000000", "nonce", ct), Timestamp: "1700000000", Nonce: "nonce", EchoStr: ct}
	return envelope(ct), q, ct
}

// frame builds random ‖ len ‖ msg ‖ rid with the given length field,
// padded with padding (its bytes as given).
func frame(length uint32, msg, rid string, padding []byte) []byte {
	p := make([]byte, 16, 64)
	p = binary.BigEndian.AppendUint32(p, length)
	p = append(p, msg...)
	p = append(p, rid...)
	return append(p, padding...)
}

func pkcs(n, total int) []byte { // padding bringing n bytes to total
	return bytes.Repeat([]byte{byte(total - n)}, total-n)
}

func TestOpenErrors(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	good, err := c.Seal([]byte("<xml/>"), 1700000000, "abc")
	require.NoError(t, err)
	gq := good.Query()

	other, err := New(sampleToken, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", sampleCorpID)
	require.NoError(t, err)
	foreign, err := other.Seal([]byte("<xml/>"), 1700000000, "abc")
	require.NoError(t, err)

	otherCorp, err := New(sampleToken, sampleKey, "wwOTHER")
	require.NoError(t, err)
	misrouted, err := otherCorp.Seal([]byte("<xml/>"), 1700000000, "abc")
	require.NoError(t, err)

	n := 16 + 4 + 3 + len(sampleCorpID) // 41 → 64
	cases := []struct {
		name  string
		plain []byte
		want  error
	}{
		{"padding byte 0", frame(3, "abc", sampleCorpID, append(pkcs(n, 63), 0)), ErrPadding},
		{"padding byte 33", frame(3, "abc", sampleCorpID, append(pkcs(n, 63), 33)), ErrPadding},
		{"padding byte 255", frame(3, "abc", sampleCorpID, append(pkcs(n, 63), 255)), ErrPadding},
		{"padding bytes differ", frame(3, "abc", sampleCorpID, append(pkcs(n, 63), 5)), ErrPadding},
		{"padding larger than plaintext", bytes.Repeat([]byte{32}, 32), ErrLength},
		{"length near 2^32", frame(0xfffffff0, "abc", sampleCorpID, pkcs(n, 64)), ErrLength},
		{"length max uint32", frame(0xffffffff, "abc", sampleCorpID, pkcs(n, 64)), ErrLength},
		{"length one past end", frame(uint32(3+len(sampleCorpID)+1), "abc", sampleCorpID, pkcs(n, 64)), ErrLength},
		{"receiver mismatch", frame(3, "abc", "wwOTHERCORP0000000", pkcs(n, 64)), ErrReceiverID},
		{"receiver empty", frame(uint32(3+len(sampleCorpID)), "abc", sampleCorpID, pkcs(n, 64)), ErrReceiverID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, q, _ := sealRaw(t, c, tc.plain)
			_, err := c.Open(body, q)
			assert.ErrorIs(t, err, tc.want)
			_, err = c.VerifyURL(q)
			assert.ErrorIs(t, err, tc.want)
		})
	}

	t.Run("frame ok", func(t *testing.T) { // the helpers are right
		body, q, _ := sealRaw(t, c, frame(3, "abc", sampleCorpID, pkcs(n, 64)))
		msg, err := c.Open(body, q)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(msg))
	})

	other2 := []struct {
		name string
		body []byte
		q    Query
		want error
	}{
		{"bad signature", envelope(good.Encrypt), Query{Signature: strings.Repeat("0", 40), Timestamp: gq.Timestamp, Nonce: gq.Nonce}, ErrSignature},
		{"signature not hex", envelope(good.Encrypt), Query{Signature: strings.Repeat("z", 40), Timestamp: gq.Timestamp, Nonce: gq.Nonce}, ErrSignature},
		{"signature short", envelope(good.Encrypt), Query{Signature: gq.Signature[:39], Timestamp: gq.Timestamp, Nonce: gq.Nonce}, ErrSignature},
		{"signature missing", envelope(good.Encrypt), Query{Timestamp: gq.Timestamp, Nonce: gq.Nonce}, ErrSignature},
		{"timestamp changed", envelope(good.Encrypt), Query{Signature: gq.Signature, Timestamp: "1700000001", Nonce: gq.Nonce}, ErrSignature},
		{"nonce changed", envelope(good.Encrypt), Query{Signature: gq.Signature, Timestamp: gq.Timestamp, Nonce: "abd"}, ErrSignature},
		{"empty body", nil, gq, ErrEnvelope},
		{"no Encrypt", []byte("<xml><ToUserName>x</ToUserName></xml>"), gq, ErrEnvelope},
		{"empty Encrypt", []byte("<xml><Encrypt></Encrypt></xml>"), gq, ErrEnvelope},
		{"empty CDATA Encrypt", []byte("<xml><Encrypt><![CDATA[]]></Encrypt></xml>"), gq, ErrEnvelope},
		{"not XML", []byte("hello"), gq, ErrEnvelope},
		{"unclosed", []byte("<xml><Encrypt><![CDATA[abc"), gq, ErrEnvelope},
		{"under another key", envelope(foreign.Encrypt), foreign.Query(), ErrPadding},
		{"for another receiver", envelope(misrouted.Encrypt), misrouted.Query(), ErrReceiverID},
	}
	for _, tc := range other2 {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Open(tc.body, tc.q)
			assert.ErrorIs(t, err, tc.want)
		})
	}

	// Signed garbage: the signature holds, the ciphertext does not.
	for _, tc := range []struct {
		name, ct string
		want     error
	}{
		{"bad base64", "!!!!", ErrBase64},
		{"base64 missing padding", good.Encrypt[:len(good.Encrypt)-1], ErrBase64},
		{"one block", base64.StdEncoding.EncodeToString(make([]byte, 16)), ErrCiphertextSize},
		{"block and a half", base64.StdEncoding.EncodeToString(make([]byte, 40)), ErrCiphertextSize},
		{"zero bytes", "====", ErrBase64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := Query{Signature: Signature(sampleToken, "1", "2", tc.ct), Timestamp: "1", Nonce: "2", EchoStr: tc.ct}
			_, err := c.Open(envelope(tc.ct), q)
			assert.ErrorIs(t, err, tc.want)
			_, err = c.VerifyURL(q)
			assert.ErrorIs(t, err, tc.want)
		})
	}

	t.Run("echostr under another key", func(t *testing.T) {
		q := foreign.Query()
		q.EchoStr = foreign.Encrypt
		_, err := c.VerifyURL(q)
		assert.ErrorIs(t, err, ErrPadding)
	})
	t.Run("echostr missing", func(t *testing.T) {
		_, err := c.VerifyURL(Query{Signature: gq.Signature, Timestamp: gq.Timestamp, Nonce: gq.Nonce})
		assert.ErrorIs(t, err, ErrBase64)
	})
}

func TestErrorsDistinct(t *testing.T) {
	all := []error{ErrSignature, ErrEnvelope, ErrKey, ErrToken, ErrReceiverID, ErrEncrypt, ErrCiphertextSize, ErrPadding, ErrLength, ErrBase64}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v / %v", a, b)
		}
		assert.True(t, strings.HasPrefix(a.Error(), "wecom crypto: "))
		var e *Error
		require.ErrorAs(t, a, &e)
		assert.Less(t, e.Code, -40000)
	}
}

func TestEnvelopeShapes(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	s, err := c.Seal([]byte("<xml>hi</xml>"), 1700000000, "")
	require.NoError(t, err)
	assert.Len(t, s.Nonce, 16)
	q := s.Query()
	ct := s.Encrypt
	shapes := map[string]string{
		"event body":          string(s.EventXML(sampleCorpID, "1000002")),
		"reply body":          string(s.ReplyXML()),
		"no CDATA":            "<xml><Encrypt>" + ct + "</Encrypt></xml>",
		"Encrypt last":        "<xml><ToUserName><![CDATA[x]]></ToUserName><AgentID>1</AgentID><Encrypt><![CDATA[" + ct + "]]></Encrypt></xml>",
		"Encrypt first":       "<xml><Encrypt><![CDATA[" + ct + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>",
		"attribute":           `<xml><Encrypt a="1"><![CDATA[` + ct + "]]></Encrypt></xml>",
		"split CDATA":         "<xml><Encrypt><![CDATA[" + ct[:10] + "]]><![CDATA[" + ct[10:] + "]]></Encrypt></xml>",
		"entity":              "<xml><Encrypt>" + strings.ReplaceAll(ct, "+", "&#43;") + "</Encrypt></xml>",
		"declaration":         `<?xml version="1.0" encoding="UTF-8"?>` + "\n<xml>\n  <Encrypt><![CDATA[" + ct + "]]></Encrypt>\n</xml>\n",
		"decoy in CDATA":      "<xml><ToUserName><![CDATA[<Encrypt>AAAA</Encrypt>]]></ToUserName><Encrypt><![CDATA[" + ct + "]]></Encrypt></xml>",
		"comment before text": "<xml><Encrypt><!-- c -->" + ct + "</Encrypt></xml>",
	}
	shapes["trailing garbage not parsed"] = "<xml><Encrypt a=\"1\">" + ct + "</Encrypt><AgentID>1</AgentID>" + strings.Repeat("<x>", 10_000)
	shapes["first of two"] = "<xml><Encrypt>" + ct + "</Encrypt><Encrypt>" + ct[4:] + "</Encrypt></xml>"
	for name, body := range shapes {
		t.Run(name, func(t *testing.T) {
			msg, err := c.Open([]byte(body), q)
			require.NoError(t, err)
			assert.Equal(t, "<xml>hi</xml>", string(msg))
		})
	}

	// The parse before the signature check is bounded: a body that needs
	// more than MaxEnvelopeTokens tokens to reach its Encrypt is refused.
	for name, body := range map[string]string{
		"many elements first": "<xml>" + strings.Repeat("<a>1</a>", MaxEnvelopeTokens) + "<Encrypt a=\"1\">" + ct + "</Encrypt></xml>",
		"many comments":       "<xml><Encrypt>" + strings.Repeat("<!-- c -->", MaxEnvelopeTokens) + ct + "</Encrypt></xml>",
		"nested Encrypt only": "<xml><a><Encrypt a=\"1\">" + ct + "</Encrypt></a></xml>",
		"root closes":         "<xml><a>x</a></xml><Encrypt a=\"1\">" + ct + "</Encrypt>",
	} {
		_, err := c.Open([]byte(body), q)
		assert.ErrorIs(t, err, ErrEnvelope, name)
	}

	// The reply envelope parses with encoding/xml into WeCom's fields.
	var reply struct {
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	require.NoError(t, xml.Unmarshal(s.ReplyXML(), &reply))
	assert.Equal(t, s.Encrypt, reply.Encrypt)
	assert.Equal(t, s.Signature, reply.MsgSignature)
	assert.Equal(t, "1700000000", reply.TimeStamp)
	assert.Equal(t, s.Nonce, reply.Nonce)
	assert.NoError(t, c.Verify(reply.MsgSignature, reply.TimeStamp, reply.Nonce, reply.Encrypt))
	assert.ErrorIs(t, c.Verify(reply.MsgSignature, reply.TimeStamp, "x", reply.Encrypt), ErrSignature)

	var ev struct{ ToUserName, AgentID, Encrypt string }
	require.NoError(t, xml.Unmarshal(s.EventXML("a]]>b", ""), &ev))
	assert.Equal(t, "a]]>b", ev.ToUserName)
	assert.Equal(t, ct, ev.Encrypt)

	v := s.URLValues()
	assert.Equal(t, s.Signature, v.Get("msg_signature"))
	assert.Equal(t, q, QueryFrom(v))
	q.EchoStr = ct
	assert.Equal(t, q, QueryFrom(q.Values()))
}

func TestSealRoundTrip(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	for _, n := range []int{0, 1, 11, 12, 13, 31, 32, 33, 600, 4096, 70000} {
		msg := bytes.Repeat([]byte{'x'}, n)
		s, err := c.Seal(msg, 1, "n")
		require.NoError(t, err)
		raw, _ := base64.StdEncoding.DecodeString(s.Encrypt)
		assert.Zero(t, len(raw)%32, "pads to 32")
		got, err := c.Open(s.EventXML(sampleCorpID, ""), s.Query())
		require.NoError(t, err, n)
		assert.Equal(t, string(msg), string(got))
	}
	// Two seals of one message differ (fresh random bytes).
	a, _ := c.Seal([]byte("m"), 1, "n")
	b, _ := c.Seal([]byte("m"), 1, "n")
	assert.NotEqual(t, a.Encrypt, b.Encrypt)
}

func TestOpenFuncError(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	s, err := c.Seal([]byte("m"), 1, "n")
	require.NoError(t, err)
	boom := errors.New("boom")
	err = c.OpenFunc(s.EventXML("", ""), s.Query(), func(msg []byte) error {
		assert.Equal(t, "m", string(msg))
		return boom
	})
	assert.ErrorIs(t, err, boom)
}

func TestConcurrent(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				msg := bytes.Repeat([]byte{byte('a' + g)}, 1+i*7)
				s, err := c.Seal(msg, int64(i), "")
				if !assert.NoError(t, err) {
					return
				}
				got, err := c.Open(s.EventXML("", ""), s.Query())
				if !assert.NoError(t, err) || !assert.Equal(t, msg, got) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestUppercaseSignatureAndMisc(t *testing.T) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	require.NoError(t, err)
	assert.Equal(t, sampleCorpID, c.ReceiverID())
	s, err := c.Seal([]byte("m"), 1, "n")
	require.NoError(t, err)
	q := s.Query()
	q.Signature = strings.ToUpper(q.Signature)
	msg, err := c.Open(s.EventXML("", ""), q)
	require.NoError(t, err)
	assert.Equal(t, "m", string(msg))

	_, _, err = c.Decrypt([]byte("!!"))
	assert.ErrorIs(t, err, ErrBase64)

	// A huge message does not pin its buffer in the pool.
	big := bytes.Repeat([]byte{'x'}, maxPooledBuf+1)
	s, err = c.Seal(big, 1, "n")
	require.NoError(t, err)
	msg, err = c.Open(s.EventXML("", ""), s.Query())
	require.NoError(t, err)
	assert.Len(t, msg, len(big))
}
