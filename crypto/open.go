package crypto

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"net/url"
	"strings"
)

// Query holds the parameters WeCom signs a callback request with.
type Query struct {
	Signature string // msg_signature
	Timestamp string // timestamp (Unix seconds, as sent)
	Nonce     string // nonce
	EchoStr   string // echostr, in URL verification only (already URL-decoded)
}

// QueryFrom reads msg_signature, timestamp, nonce and echostr from v.
func QueryFrom(v url.Values) Query {
	return Query{
		Signature: v.Get("msg_signature"),
		Timestamp: v.Get("timestamp"),
		Nonce:     v.Get("nonce"),
		EchoStr:   v.Get("echostr"),
	}
}

// Values returns q as query parameters (echostr only when set).
func (q Query) Values() url.Values {
	v := url.Values{"msg_signature": {q.Signature}, "timestamp": {q.Timestamp}, "nonce": {q.Nonce}}
	if q.EchoStr != "" {
		v.Set("echostr", q.EchoStr)
	}
	return v
}

// The shapes the fast path recognises; anything else goes to encoding/xml.
var (
	tagEncrypt    = []byte("<Encrypt>")
	tagEncryptEnd = []byte("</Encrypt>")
	cdataOpen     = []byte("<![CDATA[")
	cdataClose    = []byte("]]>")
)

// Ciphertext returns the text of the envelope's Encrypt element. It finds
// it with a byte search when the element appears once, plainly or as one
// CDATA section, and otherwise parses the body with encoding/xml.
// The result may alias body.
func Ciphertext(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return nil, ErrEnvelope
	}
	if ct, ok := fastCiphertext(body); ok {
		if len(ct) == 0 {
			return nil, ErrEnvelope
		}
		return ct, nil
	}
	ct, ok := parseEnvelope(body)
	if !ok || len(ct) == 0 {
		return nil, ErrEnvelope
	}
	return ct, nil
}

// MaxEnvelopeTokens bounds the XML parse of an envelope the byte search
// could not read: the envelope is parsed before its signature is
// checked, and WeCom's has a root and three elements, so a body needing
// more tokens (elements, texts, comments) before its Encrypt ends is
// refused rather than parsed.
const MaxEnvelopeTokens = 64

// parseEnvelope reads the text of the first Encrypt child of the root
// with encoding/xml, and stops there: what follows is not parsed.
func parseEnvelope(body []byte) ([]byte, bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var (
		depth int
		in    bool // inside the Encrypt element
		ct    []byte
	)
	for range MaxEnvelopeTokens {
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "Encrypt" {
				in = true
			}
		case xml.EndElement:
			if in && depth == 2 {
				return ct, true
			}
			depth--
			if depth == 0 {
				return nil, false // the root closed without an Encrypt
			}
		case xml.CharData:
			if in && depth == 2 {
				ct = append(ct, t...)
			}
		}
	}
	return nil, false
}

func fastCiphertext(body []byte) ([]byte, bool) {
	i := bytes.Index(body, tagEncrypt)
	if i < 0 {
		return nil, false
	}
	rest := body[i+len(tagEncrypt):]
	var ct []byte
	if bytes.HasPrefix(rest, cdataOpen) {
		rest = rest[len(cdataOpen):]
		// The first "]]>" ends the section; it must also end the element
		// (else several sections: let the parser join them).
		j := bytes.Index(rest, cdataClose)
		if j < 0 || !bytes.HasPrefix(rest[j+len(cdataClose):], tagEncryptEnd) {
			return nil, false
		}
		ct = rest[:j]
		rest = rest[j+len(cdataClose)+len(tagEncryptEnd):]
	} else {
		j := bytes.IndexByte(rest, '<')
		if j < 0 || !bytes.HasPrefix(rest[j:], tagEncryptEnd) {
			return nil, false // markup, a comment or no end tag
		}
		ct = rest[:j]
		if bytes.IndexByte(ct, '&') >= 0 {
			return nil, false // entities
		}
		rest = rest[j+len(tagEncryptEnd):]
	}
	if bytes.Contains(rest, tagEncrypt) {
		return nil, false // a second Encrypt: let the parser decide
	}
	return ct, true
}

// Open verifies and decrypts an event: body is the POSTed XML envelope,
// q the request's query. It returns the decrypted message (the event
// XML) after checking the signature, the padding, the length and the
// receiver id.
func (c *Crypter) Open(body []byte, q Query) ([]byte, error) {
	var out []byte
	err := c.OpenFunc(body, q, func(msg []byte) error {
		out = append([]byte(nil), msg...)
		return nil
	})
	return out, err
}

// OpenFunc is Open without the copy: it calls fn with the decrypted
// message, which is valid only until fn returns, and returns fn's error.
func (c *Crypter) OpenFunc(body []byte, q Query, fn func(msg []byte) error) error {
	ct, err := Ciphertext(body)
	if err != nil {
		return err
	}
	s := c.get()
	defer c.put(s)
	msg, err := c.open(s, q.Signature, q.Timestamp, q.Nonce, ct)
	if err != nil {
		return err
	}
	return fn(msg)
}

// VerifyURL answers WeCom's URL verification: it checks the signature over
// q.EchoStr, decrypts it and returns the plaintext to reply with.
func (c *Crypter) VerifyURL(q Query) ([]byte, error) {
	if q.EchoStr == "" {
		return nil, ErrBase64
	}
	s := c.get()
	defer c.put(s)
	msg, err := c.open(s, q.Signature, q.Timestamp, q.Nonce, []byte(q.EchoStr))
	if err == ErrSignature && strings.IndexByte(q.EchoStr, ' ') >= 0 {
		// Some proxies and frameworks decode an unescaped '+' in the
		// query as a space; WeCom signed the '+'.
		msg, err = c.open(s, q.Signature, q.Timestamp, q.Nonce, []byte(strings.ReplaceAll(q.EchoStr, " ", "+")))
	}
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), msg...), nil
}

// Decrypt decrypts a base64 ciphertext without checking a signature and
// returns the message and the receiver id it was sealed for (not
// checked). Use it only where the signature was checked by other means.
func (c *Crypter) Decrypt(ciphertext []byte) (msg []byte, receiverID string, err error) {
	s := c.get()
	defer c.put(s)
	m, rid, err := c.decrypt(s, ciphertext)
	if err != nil {
		return nil, "", err
	}
	return append([]byte(nil), m...), string(rid), nil
}

// open verifies the signature and decrypts ct; the result aliases s.buf.
func (c *Crypter) open(s *scratch, signature, timestamp, nonce string, ct []byte) ([]byte, error) {
	if err := c.verifyBytes(s, signature, timestamp, nonce, ct); err != nil {
		return nil, err
	}
	msg, rid, err := c.decrypt(s, ct)
	if err != nil {
		return nil, err
	}
	if c.receiverID != "" && string(rid) != c.receiverID {
		return nil, ErrReceiverID
	}
	return msg, nil
}

// decrypt base64-decodes ct into s.buf, decrypts it in place and splits
// the plaintext. Results alias s.buf.
func (c *Crypter) decrypt(s *scratch, ct []byte) (msg, receiverID []byte, err error) {
	n := base64.StdEncoding.DecodedLen(len(ct))
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	buf := s.buf[:n]
	n, err = base64.StdEncoding.Decode(buf, ct)
	if err != nil {
		return nil, nil, ErrBase64
	}
	p := buf[:n]
	if len(p) < 2*16 || len(p)%16 != 0 {
		return nil, nil, ErrCiphertextSize
	}
	c.decrypter(s).CryptBlocks(p, p)
	pad := int(p[len(p)-1])
	if pad < 1 || pad > 32 || pad > len(p) {
		return nil, nil, ErrPadding
	}
	for _, b := range p[len(p)-pad:] {
		if int(b) != pad {
			return nil, nil, ErrPadding
		}
	}
	p = p[:len(p)-pad]
	if len(p) < 20 {
		return nil, nil, ErrLength
	}
	l := binary.BigEndian.Uint32(p[16:20])
	p = p[20:]
	if uint64(l) > uint64(len(p)) {
		return nil, nil, ErrLength
	}
	return p[:l], p[l:], nil
}
