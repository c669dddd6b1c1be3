// Package crypto implements WeCom's callback message crypto: the
// msg_signature, URL verification (echostr), decrypting the events WeCom
// POSTs and encrypting passive replies.
//
// The scheme: signature = SHA1 hex of the sorted concatenation of token,
// timestamp, nonce and ciphertext. Key = base64(EncodingAESKey + "="),
// 32 bytes; AES-256-CBC with IV = key[:16]; plaintext = 16 random bytes ‖
// uint32 big-endian length ‖ message ‖ receiver id, PKCS#7-padded to a
// multiple of 32 bytes; ciphertext in standard base64.
//
// A Crypter is safe for concurrent use and never panics on input; every
// failure is one of the exported errors (ErrSignature, ErrBase64, ...).
// It does no HTTP: package callback builds the http.Handler on it.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"sync"
)

// Crypter encrypts and decrypts the messages of one callback
// configuration (token, EncodingAESKey, receiver id).
type Crypter struct {
	token      string
	receiverID string
	key        [32]byte
	block      cipher.Block // built once; safe for concurrent use
	pool       sync.Pool    // *scratch
}

// scratch is the per-call working memory: one buffer holding the
// signature input and then the decoded ciphertext, and a CBC decrypter
// whose IV is reset on reuse.
type scratch struct {
	buf []byte
	dec cipher.BlockMode
}

// maxPooledBuf keeps one huge message from pinning its buffer forever.
const maxPooledBuf = 256 << 10

type ivSetter interface{ SetIV([]byte) }

// New returns a Crypter for the callback token, the 43-character
// EncodingAESKey and the receiver id: the corp ID for a self-built app,
// the suite ID for a third-party suite. An empty receiverID skips the
// receiver check (the signature and the key still authenticate every
// message).
func New(token, encodingAESKey, receiverID string) (*Crypter, error) {
	if token == "" {
		return nil, ErrToken
	}
	key, err := ParseKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, ErrKey
	}
	c := &Crypter{token: token, receiverID: receiverID, key: key, block: block}
	c.pool.New = func() any { return &scratch{} }
	return c, nil
}

// ReceiverID returns the receiver id the Crypter checks and seals with.
func (c *Crypter) ReceiverID() string { return c.receiverID }

// ParseKey decodes a 43-character EncodingAESKey into the AES-256 key.
func ParseKey(encodingAESKey string) ([32]byte, error) {
	var key [32]byte
	if len(encodingAESKey) != 43 {
		return key, ErrKey
	}
	var src [44]byte
	copy(src[:], encodingAESKey)
	src[43] = '='
	// Not Strict: WeCom's console generates 43 random letters and digits,
	// so the last one often carries stray low bits that every official
	// sample ignores.
	n, err := base64.StdEncoding.Decode(key[:], src[:])
	if err != nil || n != 32 {
		return [32]byte{}, ErrKey
	}
	return key, nil
}

// Signature returns msg_signature: the SHA1 hex of token, timestamp, nonce
// and ciphertext, sorted and concatenated.
func Signature(token, timestamp, nonce, ciphertext string) string {
	var buf []byte
	sum := signatureSum(&buf, token, timestamp, nonce, []byte(ciphertext))
	return hex.EncodeToString(sum[:])
}

// signatureSum computes the signature digest, using *buf as scratch.
func signatureSum(buf *[]byte, token, timestamp, nonce string, ct []byte) [sha1.Size]byte {
	// Sort the four parts by index, without allocating: 3 stands for ct,
	// compared through a string conversion the compiler does not copy.
	parts := [3]string{token, timestamp, nonce}
	less := func(a, b int) bool {
		switch {
		case a == 3:
			return string(ct) < parts[b]
		case b == 3:
			return parts[a] < string(ct)
		}
		return parts[a] < parts[b]
	}
	order := [4]int{0, 1, 2, 3}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && less(order[j], order[j-1]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	b := (*buf)[:0]
	for _, i := range order {
		if i == 3 {
			b = append(b, ct...)
		} else {
			b = append(b, parts[i]...)
		}
	}
	*buf = b
	return sha1.Sum(b)
}

// verifyBytes checks signature (hex, either case) against the digest of
// the parts in constant time.
func (c *Crypter) verifyBytes(s *scratch, signature, timestamp, nonce string, ct []byte) error {
	var want [sha1.Size]byte
	if !decodeHex(want[:], signature) {
		return ErrSignature
	}
	got := signatureSum(&s.buf, c.token, timestamp, nonce, ct)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return ErrSignature
	}
	return nil
}

// Verify checks that signature is the msg_signature of timestamp, nonce
// and ciphertext under the Crypter's token: nil or ErrSignature.
func (c *Crypter) Verify(signature, timestamp, nonce, ciphertext string) error {
	s := c.get()
	defer c.put(s)
	return c.verifyBytes(s, signature, timestamp, nonce, []byte(ciphertext))
}

func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (c *Crypter) get() *scratch { return c.pool.Get().(*scratch) }

func (c *Crypter) put(s *scratch) {
	if cap(s.buf) > maxPooledBuf {
		s.buf = nil
	}
	c.pool.Put(s)
}

// decrypter returns s's CBC decrypter, reset to the IV.
func (c *Crypter) decrypter(s *scratch) cipher.BlockMode {
	if s.dec != nil {
		if r, ok := s.dec.(ivSetter); ok {
			r.SetIV(c.key[:aes.BlockSize])
			return s.dec
		}
	}
	s.dec = cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize])
	return s.dec
}
