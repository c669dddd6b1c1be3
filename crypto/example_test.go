package crypto_test

import (
	"fmt"

	"github.com/wecomkit/wecom/crypto"
)

// Answering WeCom's URL verification with the values of WeCom's own
// sample code.
func ExampleCrypter_VerifyURL() {
	c, err := crypto.New("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
	if err != nil {
		panic(err)
	}
	reply, err := c.VerifyURL(crypto.Query{
		Signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
		Timestamp: "1409659589",
		Nonce:     "263014780",
		EchoStr:   "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
	})
	fmt.Println(string(reply), err)
	// Output: 1616140317555161061 <nil>
}

// Sealing a message and opening it again, as WeCom and the app do on
// either side of a callback.
func ExampleCrypter_Open() {
	c, err := crypto.New("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
	if err != nil {
		panic(err)
	}
	sealed, err := c.Seal([]byte("<xml><Event><![CDATA[change_external_contact]]></Event></xml>"), 1700000000, "")
	if err != nil {
		panic(err)
	}
	body, query := sealed.EventXML("wx5823bf96d3bd56c7", "1000002"), sealed.Query()

	msg, err := c.Open(body, query)
	fmt.Println(string(msg), err)

	query.Timestamp = "1700000001" // tampered
	_, err = c.Open(body, query)
	fmt.Println(err, err == crypto.ErrSignature)
	// Output:
	// <xml><Event><![CDATA[change_external_contact]]></Event></xml> <nil>
	// wecom crypto: signature mismatch true
}
