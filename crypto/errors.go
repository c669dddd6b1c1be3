package crypto

// Error is a failure of the message crypto. Each failure has one exported
// value (ErrSignature, ErrKey, ...) to test with errors.Is; Code is the
// error code WeCom's official samples use for it (-40001 ... -40011), for
// people who log or compare those.
type Error struct {
	Code int
	msg  string
}

// Error implements error.
func (e *Error) Error() string { return "wecom crypto: " + e.msg }

// The failures of the message crypto. They never carry the token, the key
// or any message content.
var (
	// ErrSignature: msg_signature does not match the token, timestamp,
	// nonce and ciphertext, or it is missing or not 40 hex digits.
	ErrSignature = &Error{Code: -40001, msg: "signature mismatch"}
	// ErrEnvelope: the POST body is not an XML envelope with a non-empty
	// Encrypt element.
	ErrEnvelope = &Error{Code: -40002, msg: "malformed XML envelope"}
	// ErrKey: the EncodingAESKey is not 43 characters of base64 for a
	// 32-byte key.
	ErrKey = &Error{Code: -40004, msg: "invalid EncodingAESKey"}
	// ErrToken: the callback token is empty.
	ErrToken = &Error{Code: -40003, msg: "empty callback token"}
	// ErrReceiverID: the decrypted message is addressed to another
	// receiver (corp ID or suite ID).
	ErrReceiverID = &Error{Code: -40005, msg: "receiver id mismatch"}
	// ErrEncrypt: encryption failed (no randomness available).
	ErrEncrypt = &Error{Code: -40006, msg: "encryption failed"}
	// ErrCiphertextSize: the ciphertext is empty, shorter than two AES
	// blocks or not a whole number of blocks.
	ErrCiphertextSize = &Error{Code: -40007, msg: "ciphertext size is not a whole number of blocks of at least 32 bytes"}
	// ErrPadding: the PKCS#7 padding of the plaintext is invalid.
	ErrPadding = &Error{Code: -40008, msg: "invalid padding"}
	// ErrLength: the message length in the plaintext is out of range.
	ErrLength = &Error{Code: -40008, msg: "message length out of range"}
	// ErrBase64: the ciphertext (Encrypt or echostr) is not valid base64.
	ErrBase64 = &Error{Code: -40010, msg: "invalid base64 ciphertext"}
)
