package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/url"
	"strconv"
)

// Sealed is an encrypted, signed message: a passive reply, or an event
// as WeCom would POST it (for simulators and tests).
type Sealed struct {
	Encrypt   string // base64 ciphertext
	Signature string // msg_signature over token, Timestamp, Nonce, Encrypt
	Timestamp string
	Nonce     string
}

// Seal encrypts msg for the Crypter's receiver id with fresh random bytes
// and signs it with timestamp (Unix seconds) and nonce. An empty nonce is
// replaced by a random one.
func (c *Crypter) Seal(msg []byte, timestamp int64, nonce string) (*Sealed, error) {
	var random [16]byte
	if _, err := io.ReadFull(rand.Reader, random[:]); err != nil {
		return nil, ErrEncrypt
	}
	if nonce == "" {
		var err error
		if nonce, err = randomNonce(); err != nil {
			return nil, err
		}
	}
	return c.seal(random, msg, strconv.FormatInt(timestamp, 10), nonce), nil
}

func (c *Crypter) seal(random [16]byte, msg []byte, timestamp, nonce string) *Sealed {
	ct := c.encrypt(random, msg)
	var buf []byte
	sum := signatureSum(&buf, c.token, timestamp, nonce, []byte(ct))
	return &Sealed{Encrypt: ct, Signature: hex.EncodeToString(sum[:]), Timestamp: timestamp, Nonce: nonce}
}

// encrypt builds random ‖ len ‖ msg ‖ receiver id, pads it to 32 bytes
// and returns the base64 AES-256-CBC ciphertext.
func (c *Crypter) encrypt(random [16]byte, msg []byte) string {
	n := 16 + 4 + len(msg) + len(c.receiverID)
	pad := 32 - n%32
	p := make([]byte, 0, n+pad)
	p = append(p, random[:]...)
	p = binary.BigEndian.AppendUint32(p, uint32(len(msg)))
	p = append(p, msg...)
	p = append(p, c.receiverID...)
	for range pad {
		p = append(p, byte(pad))
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(p, p)
	return base64.StdEncoding.EncodeToString(p)
}

// Query returns the query WeCom sends with the message: msg_signature,
// timestamp and nonce.
func (s *Sealed) Query() Query {
	return Query{Signature: s.Signature, Timestamp: s.Timestamp, Nonce: s.Nonce}
}

// ReplyXML returns the passive-reply envelope:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
func (s *Sealed) ReplyXML() []byte {
	var b bytes.Buffer
	b.WriteString("<xml><Encrypt><![CDATA[")
	b.WriteString(s.Encrypt)
	b.WriteString("]]></Encrypt><MsgSignature><![CDATA[")
	b.WriteString(s.Signature)
	b.WriteString("]]></MsgSignature><TimeStamp>")
	b.WriteString(s.Timestamp)
	b.WriteString("</TimeStamp><Nonce><![CDATA[")
	writeCDATA(&b, s.Nonce)
	b.WriteString("]]></Nonce></xml>")
	return b.Bytes()
}

// EventXML returns the body WeCom POSTs to a callback URL:
// <xml><ToUserName/><AgentID/><Encrypt/></xml>. agentID may be empty.
func (s *Sealed) EventXML(toUserName, agentID string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName><![CDATA[")
	writeCDATA(&b, toUserName)
	b.WriteString("]]></ToUserName><AgentID><![CDATA[")
	writeCDATA(&b, agentID)
	b.WriteString("]]></AgentID><Encrypt><![CDATA[")
	b.WriteString(s.Encrypt)
	b.WriteString("]]></Encrypt></xml>")
	return b.Bytes()
}

// URLValues returns the query as url.Values (without echostr).
func (s *Sealed) URLValues() url.Values { return s.Query().Values() }

// writeCDATA writes v for use inside a CDATA section: "]]>" cannot appear
// there, so it is split across two sections.
func writeCDATA(b *bytes.Buffer, v string) {
	b.Write(bytes.ReplaceAll([]byte(v), cdataClose, []byte("]]]]><![CDATA[>")))
}

const nonceChars = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomNonce() (string, error) {
	var r [16]byte
	if _, err := io.ReadFull(rand.Reader, r[:]); err != nil {
		return "", ErrEncrypt
	}
	for i, v := range r {
		r[i] = nonceChars[int(v)%len(nonceChars)]
	}
	return string(r[:]), nil
}
