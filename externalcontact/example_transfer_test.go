package externalcontact_test

import (
	"context"
	"fmt"
	"github.com/wecomkit/wecom"
	"time"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// A member has left: hand their waiting customers to a colleague and check
// the takeover a day later.
func ExampleService_TransferResignedCustomers() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true, Resigned: true})
	_ = srv.AddUser(wecomtest.User{UserID: "lisi", Name: "李四", CustomerContact: true})
	for _, name := range []string{"小鱼儿", "王芳"} {
		_, _ = srv.AddCustomer(wecomtest.Customer{Name: name}, wecomtest.Follow{UserID: "zhangsan"})
	}
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	var ids []string
	for c, err := range svc.AllUnassignedCustomers(ctx, &externalcontact.ListUnassignedCustomersRequest{Limit: 1000}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, c.ExternalUserID)
	}
	fmt.Println("waiting for a new owner:", len(ids))

	out, err := svc.TransferResignedCustomers(ctx, &externalcontact.TransferResignedCustomersRequest{
		HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: ids,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range out {
		fmt.Println("started:", o.OK())
	}
	results, _, _ := svc.ListResignedTransferResults(ctx, &externalcontact.ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	fmt.Println("now:", results[0].Status)

	srv.Clock().Advance(24 * time.Hour)
	results, _, _ = svc.ListResignedTransferResults(ctx, &externalcontact.ListTransferResultsRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
	fmt.Println("a day later:", results[0].Status, results[1].Status)
	fmt.Println("lisi's customers:", len(srv.FollowsOf("lisi")))
	// Output:
	// waiting for a new owner: 2
	// started: true
	// started: true
	// now: waiting
	// a day later: done done
	// lisi's customers: 2
}

// Move a customer between two members and wait, with a bounded context,
// until the customer accepted or refused.
func ExampleService_WaitTransfers() {
	ctx := context.Background()
	srv, _ := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	_ = srv.AddUser(wecomtest.User{UserID: "lisi", CustomerContact: true})
	c, _ := srv.AddCustomer(wecomtest.Customer{Name: "小鱼儿"}, wecomtest.Follow{UserID: "zhangsan"})
	client, _ := srv.Client()
	svc := externalcontact.New(client)

	_, _ = svc.TransferCustomers(ctx, &externalcontact.TransferCustomersRequest{
		HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: []string{c.ExternalUserID},
		TransferSuccessMsg: "您好，后续由我的同事李四为您服务。",
	})
	_ = srv.RefuseTransfer(c.ExternalUserID) // the customer says no

	waitCtx, cancel := context.WithTimeout(ctx, 25*time.Hour)
	defer cancel()
	results, err := svc.WaitTransfers(waitCtx, &externalcontact.WaitTransfersRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserIDs: []string{c.ExternalUserID},
		WaitOptions: wecom.WaitOptions{PollInterval: time.Minute, MaxPollInterval: 30 * time.Minute}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(results[0].Status)
	// Output:
	// refused
}
