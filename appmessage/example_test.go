package appmessage_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/appmessage"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// Telling members that a mass message waits for them to confirm it. A
// userid that is not in the directory comes back, lower-cased, with the
// success.
func ExampleService_Send() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	_ = s.AddUser(wecomtest.User{UserID: "zhangsan"})
	_ = s.AddUser(wecomtest.User{UserID: "lisi"})
	client, err := s.Client(wecom.WithAgentID(s.AgentID))
	if err != nil {
		log.Fatal(err)
	}
	svc := appmessage.New(client)

	res, err := svc.Send(context.Background(), &appmessage.SendRequest{
		ToUser: []string{"zhangsan", "lisi", "WangWu"},
		Text:   &message.Text{Content: "您有一条客户群发待确认，请在「客户联系」中发送。"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("invalid:", res.InvalidUsers)
	fmt.Println("reached:", s.AppMessages()[0].Recipients)
	// Output:
	// invalid: [wangwu]
	// reached: [zhangsan lisi]
}

// A card with a button; once the member pressed it, the card's button
// turns into a grey "已确认" with the response code of the send.
func ExampleService_UpdateTemplateCard() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	_ = s.AddUser(wecomtest.User{UserID: "zhangsan"})
	client, err := s.Client(wecom.WithAgentID(s.AgentID))
	if err != nil {
		log.Fatal(err)
	}
	svc := appmessage.New(client)
	ctx := context.Background()

	res, err := svc.Send(ctx, &appmessage.SendRequest{
		ToUser: []string{"zhangsan"},
		TemplateCard: &appmessage.TemplateCard{
			CardType:   appmessage.CardButtonInteraction,
			TaskID:     "groupmsg-confirm-1",
			MainTitle:  &appmessage.MainTitle{Title: "群发待确认", Desc: "周末会员日"},
			ButtonList: []appmessage.Button{{Text: "我知道了", Key: "ack"}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.UpdateTemplateCard(ctx, &appmessage.UpdateTemplateCardRequest{
		ResponseCode: res.ResponseCode, UserIDs: []string{"zhangsan"}, ReplaceName: "已确认",
	}); err != nil {
		log.Fatal(err)
	}
	up := s.AppMessages()[0].CardUpdates[0]
	fmt.Println(up.UserIDs, up.ReplaceName)
	// Output:
	// [zhangsan] 已确认
}
