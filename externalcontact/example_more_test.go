package externalcontact_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// Greet a new customer with the welcome code of the add_external_contact
// callback, within its 20 seconds. A code works once.
func ExampleService_SendWelcomeMsg() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	_, _ = srv.AddCustomer(wecomtest.Customer{Name: "小鱼儿"}, wecomtest.Follow{UserID: "zhangsan"})
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	// In production the code arrives in the callback event.
	events := srv.Events()
	code := events[len(events)-1].Get("WelcomeCode")

	req := &externalcontact.SendWelcomeMsgRequest{
		WelcomeCode: code,
		Text:        &message.Text{Content: "您好，我是您的专属顾问张三，有问题随时找我。"},
		Attachments: []message.Attachment{message.LinkAttachment(message.Link{Title: "新客礼包", URL: "https://example.com/gift"})},
	}
	fmt.Println("first:", svc.SendWelcomeMsg(ctx, req))
	fmt.Println("again fails:", svc.SendWelcomeMsg(ctx, req) != nil)
	// Output:
	// first: <nil>
	// again fails: true
}

// Create an acquisition link, let customers come through it, and read who
// came and what is left of the quota.
func ExampleService_CreateAcquisitionLink() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	_ = srv.AddUser(wecomtest.User{UserID: "lisi", CustomerContact: true})
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	link, err := svc.CreateAcquisitionLink(ctx, &externalcontact.CreateAcquisitionLinkRequest{
		LinkName: "春季直播间",
		Range:    externalcontact.AcquisitionRange{UserList: []string{"zhangsan", "lisi"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.SetAcquisitionQuota(100, 100)
	for _, name := range []string{"小鱼儿", "Amy", "向日葵"} {
		_, _ = srv.AcquireCustomer(link.LinkID, "live_0302", wecomtest.Customer{Name: name})
	}
	for c, err := range svc.AllAcquisitionCustomers(ctx, &externalcontact.ListAcquisitionCustomersRequest{LinkID: link.LinkID}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(c.UserID, c.State, c.ChatStatus)
	}
	quota, _ := svc.GetAcquisitionQuota(ctx)
	fmt.Println("quota left:", quota.Balance)
	// Output:
	// zhangsan live_0302 not chatted
	// lisi live_0302 not chatted
	// zhangsan live_0302 not chatted
	// quota left: 97
}

// Block messages that move a deal off the platform, for one member.
func ExampleService_AddInterceptRule() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer()
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	id, err := svc.AddInterceptRule(ctx, &externalcontact.AddInterceptRuleRequest{
		RuleName:        "禁止私下交易",
		WordList:        []string{"私下转账", "加我微信"},
		SemanticsList:   []externalcontact.InterceptSemantic{externalcontact.InterceptPhoneNumber},
		InterceptType:   externalcontact.InterceptWarnAndBlock,
		ApplicableRange: externalcontact.InterceptRange{UserList: []string{"zhangsan"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rule, _ := svc.GetInterceptRule(ctx, id)
	fmt.Println(rule.RuleName, rule.WordList, rule.InterceptType, rule.SemanticsList)
	// Output:
	// 禁止私下交易 [私下转账 加我微信] warn and block [phone number]
}
