package media_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/media"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// A welcome message with an image, end to end on wecomtest: a customer
// adds a member (the add_external_contact callback carries a welcome
// code), the image is uploaded as temporary media, and its media_id goes
// into send_welcome_msg.
func ExampleService_Upload() {
	start := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	srv, err := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(start)))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	// The customer scans zhangsan's QR code: WeCom sends add_external_contact.
	customer, err := srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan", State: "store_001"})
	if err != nil {
		log.Fatal(err)
	}
	welcomeCode := srv.Events()[0].Get("WelcomeCode") // a callback handler reads ev.WelcomeCode

	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	picture := []byte("\x89PNG\r\n\x1a\n a welcome picture") // a real program opens its file
	up, err := media.New(client).Upload(ctx, &media.UploadRequest{
		Type:        media.TypeImage,
		FileName:    "welcome.png",
		ContentType: "image/png",
		Reader:      bytes.NewReader(picture),
		Size:        int64(len(picture)),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded:", up.Type, "media_id valid until", up.CreateAt().Add(media.Lifetime).UTC().Format("2006-01-02 15:04 MST"))

	err = externalcontact.New(client).SendWelcomeMsg(ctx, &externalcontact.SendWelcomeMsgRequest{
		WelcomeCode: welcomeCode,
		Text:        &message.Text{Content: "您好，欢迎光临！"},
		Attachments: []message.Attachment{message.ImageAttachment(up.MediaID)},
	})
	if err != nil {
		log.Fatal(err)
	}

	sent := srv.WelcomeMsgs()[0]
	var atts []message.Attachment
	_ = json.Unmarshal(sent.Attachments, &atts)
	fmt.Println("to the new customer:", sent.ExternalUserID == customer.ExternalUserID)
	fmt.Println("text:", sent.Text)
	fmt.Println("image is the upload:", atts[0].MsgType == message.TypeImage && atts[0].Image.MediaID == up.MediaID)
	// Output:
	// uploaded: image media_id valid until 2023-11-17 22:13 UTC
	// to the new customer: true
	// text: 您好，欢迎光临！
	// image is the upload: true
}
