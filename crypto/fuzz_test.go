package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"testing"
)

var knownErrs = []error{ErrSignature, ErrEnvelope, ErrReceiverID, ErrCiphertextSize, ErrPadding, ErrLength, ErrBase64}

func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	for _, k := range knownErrs {
		if errors.Is(err, k) {
			return
		}
	}
	t.Fatalf("unexpected error %v", err)
}

// encryptRaw encrypts plaintext zero-extended to whole blocks, so the
// fuzzer controls what decryption sees.
func encryptRaw(c *Crypter, plain []byte) string {
	p := make([]byte, (len(plain)+15)/16*16)
	copy(p, plain)
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(p, p)
	return base64.StdEncoding.EncodeToString(p)
}

// Fuzz modes: how much of the input the harness makes valid, so the
// fuzzer reaches past the signature into base64, padding and length.
const (
	modeAsIs      = 0 // everything as given
	modeSign      = 1 // sign the ciphertext found in the input
	modePlaintext = 2 // the input is the plaintext: encrypt and sign it
)

func FuzzOpen(f *testing.F) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	if err != nil {
		f.Fatal(err)
	}
	s, _ := c.Seal([]byte(addContactXML), 1700000000, "n")
	f.Add(s.EventXML(sampleCorpID, "1"), s.Timestamp, s.Nonce, s.Signature, uint8(modeAsIs))
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string, mode uint8) {
		switch mode % 3 {
		case modeSign:
			if ct, err := Ciphertext(body); err == nil {
				sig = Signature(sampleToken, ts, nonce, string(ct))
			}
		case modePlaintext:
			ct := encryptRaw(c, body)
			body = envelope(ct)
			sig = Signature(sampleToken, ts, nonce, ct)
		}
		msg, err := c.Open(body, Query{Signature: sig, Timestamp: ts, Nonce: nonce})
		checkErr(t, err)
		if err == nil && mode%3 == modeAsIs && len(msg) > len(body) {
			t.Fatalf("message longer than its ciphertext")
		}
	})
}

func FuzzVerifyURL(f *testing.F) {
	c, err := New(sampleToken, sampleKey, sampleCorpID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==", "1409659589", "263014780", "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", uint8(modeAsIs))
	f.Fuzz(func(t *testing.T, echostr, ts, nonce, sig string, mode uint8) {
		switch mode % 3 {
		case modeSign:
			sig = Signature(sampleToken, ts, nonce, echostr)
		case modePlaintext:
			echostr = encryptRaw(c, []byte(echostr))
			sig = Signature(sampleToken, ts, nonce, echostr)
		}
		_, err := c.VerifyURL(Query{Signature: sig, Timestamp: ts, Nonce: nonce, EchoStr: echostr})
		checkErr(t, err)
	})
}
