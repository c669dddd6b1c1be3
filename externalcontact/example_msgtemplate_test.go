package externalcontact_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// Create a mass message, let the member send it, and read what reached
// each customer. An ambiguous failure is never retried: check before
// creating the message again.
func ExampleService_AddMsgTemplate() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	c, _ := srv.AddCustomer(wecomtest.Customer{Name: "小鱼儿"}, wecomtest.Follow{UserID: "zhangsan"})
	poster := srv.AddMedia(wecomtest.Media{Type: "image", FileName: "poster.png"})
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	res, err := svc.AddMsgTemplate(ctx, &externalcontact.AddMsgTemplateRequest{
		Sender:          "zhangsan",
		ExternalUserIDs: []string{c.ExternalUserID, "wmNotACustomer"},
		Text:            &message.Text{Content: "春季新品上市，会员专享八折"},
		Attachments:     []message.Attachment{message.ImageAttachment(poster.MediaID)},
	})
	if wecom.IsMaybeApplied(err) {
		fmt.Println("unknown whether it was created: list the mass messages before trying again")
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("unreachable:", res.FailList)

	_ = srv.ConfirmGroupMsg(res.MsgID, "zhangsan") // the member taps "send"
	for r, err := range svc.AllGroupMsgSendResults(ctx, &externalcontact.ListGroupMsgSendResultsRequest{MsgID: res.MsgID, UserID: "zhangsan"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.ExternalUserID == c.ExternalUserID, r.Status)
	}
	// Output:
	// unreachable: [wmNotACustomer]
	// true sent
}
