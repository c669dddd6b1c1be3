package externalcontact_test

import (
	"context"
	"fmt"
	"log"
	"sort"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// exampleServer starts a wecomtest WeCom with two members and three
// customers, and a Service talking to it.
func exampleServer() (*wecomtest.Server, *externalcontact.Service) {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range []wecomtest.User{{UserID: "zhangsan", Name: "张三", CustomerContact: true}, {UserID: "lisi", Name: "李四", CustomerContact: true}} {
		if err := s.AddUser(u); err != nil {
			log.Fatal(err)
		}
	}
	add := func(id, name string, follows ...string) {
		var fs []wecomtest.Follow
		for _, u := range follows {
			fs = append(fs, wecomtest.Follow{UserID: u, AddWay: 1, State: "store_001"})
		}
		if _, err := s.AddCustomer(wecomtest.Customer{ExternalUserID: id, Name: name}, fs...); err != nil {
			log.Fatal(err)
		}
	}
	add("wmCustomerA", "王小明", "zhangsan")
	add("wmCustomerB", "赵丽", "zhangsan", "lisi")
	add("wmCustomerC", "Coco", "lisi")
	client, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	return s, externalcontact.New(client)
}

func ExampleService_AllCustomersOf() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rel.FollowInfo.UserID, rel.ExternalContact.Name, rel.FollowInfo.AddWay, rel.FollowInfo.State)
	}
	// Output:
	// zhangsan 王小明 qr_code store_001
	// zhangsan 赵丽 qr_code store_001
	// lisi 赵丽 qr_code store_001
	// lisi Coco qr_code store_001
}

func ExampleService_ExportCustomers() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	perCustomer := map[string]int{}
	st, err := svc.ExportCustomers(ctx, &externalcontact.ExportCustomersRequest{UserIDs: staff, Concurrency: 8}, func(rel externalcontact.CustomerRelation) error {
		// Called on this goroutine, once per (customer, member) pair.
		perCustomer[rel.ExternalContact.Name]++
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(perCustomer))
	for n := range perCustomer {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%s is served by %d member(s)\n", n, perCustomer[n])
	}
	fmt.Printf("%d relations of %d members in %d pages\n", st.Relations, st.Staff, st.Pages)
	// Output:
	// Coco is served by 1 member(s)
	// 王小明 is served by 1 member(s)
	// 赵丽 is served by 2 member(s)
	// 4 relations of 2 members in 2 pages
}

func ExampleService_GetCustomer() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	err := svc.Remark(ctx, &externalcontact.RemarkRequest{UserID: "lisi", ExternalUserID: "wmCustomerB", Remark: "赵总", Description: "老客户"})
	if err != nil {
		log.Fatal(err)
	}
	d, err := svc.GetCustomer(ctx, "wmCustomerB")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.ExternalContact.Name, d.ExternalContact.Type)
	for _, f := range d.FollowUsers {
		fmt.Printf("%s: remark %q, description %q\n", f.UserID, f.Remark, f.Description)
	}
	// Output:
	// 赵丽 wechat
	// zhangsan: remark "", description ""
	// lisi: remark "赵总", description "老客户"
}

func ExampleService_MarkTags() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	group, err := svc.AddCorpTags(ctx, &externalcontact.AddCorpTagsRequest{
		GroupName: "客户等级",
		Tags:      []externalcontact.TagSpec{{Name: "VIP"}, {Name: "普通"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	vip := group.Tags[0].ID
	err = svc.MarkTags(ctx, &externalcontact.MarkTagsRequest{UserID: "zhangsan", ExternalUserID: "wmCustomerA", AddTags: []string{vip}})
	if err != nil {
		log.Fatal(err)
	}
	d, err := svc.GetCustomer(ctx, "wmCustomerA")
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range d.FollowUsers[0].Tags {
		fmt.Println(t.GroupName, t.TagName, t.Type)
	}
	// Output:
	// 客户等级 VIP corp
}

func ExampleService_AddContactWay() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	// A QR code for one store: customers who scan it carry its state.
	configID, _, err := svc.AddContactWay(ctx, &externalcontact.AddContactWayRequest{
		Type:       externalcontact.ContactWaySingle,
		Scene:      externalcontact.ContactWaySceneQRCode,
		State:      "store_042",
		SkipVerify: externalcontact.Bool(true),
		User:       []string{"zhangsan"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// In wecomtest, simulate a customer scanning the code.
	c, err := s.ScanContactWay(configID, wecomtest.Customer{Name: "新客户"})
	if err != nil {
		log.Fatal(err)
	}
	d, err := svc.GetCustomer(ctx, c.ExternalUserID)
	if err != nil {
		log.Fatal(err)
	}
	f := d.FollowUsers[0]
	fmt.Println(d.ExternalContact.Name, f.UserID, f.AddWay, f.State)
	// Output:
	// 新客户 zhangsan qr_code store_042
}
