package staff_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wecomkit/wecom/staff"
	"github.com/wecomkit/wecom/wecomtest"
)

// Reading the whole directory: one row per member and department from
// user/list_id, which works for every 通讯录同步 IP, and the tree from
// department/simplelist.
func ExampleService_AllUserIDs() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddDepartment(wecomtest.Department{ID: 2, Name: "销售部"}); err != nil {
		log.Fatal(err)
	}
	_ = s.AddUser(wecomtest.User{UserID: "zhangsan", DepartmentIDs: []int{1, 2}})
	_ = s.AddUser(wecomtest.User{UserID: "lisi", DepartmentIDs: []int{2}})
	client, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	svc := staff.New(client)
	ctx := context.Background()

	for row, err := range svc.AllUserIDs(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(row.UserID, "in", row.Department)
	}
	members, err := svc.ListUserDepartments(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(members)
	tree, err := svc.ListDepartmentIDs(ctx, 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range tree {
		fmt.Printf("department %d below %d\n", d.ID, d.ParentID)
	}
	// Output:
	// zhangsan in 1
	// zhangsan in 2
	// lisi in 2
	// [{zhangsan [1 2]} {lisi [2]}]
	// department 1 below 0
	// department 2 below 1
}

// A member's profile. An app that is not the address-book app gets no
// sensitive fields (mobile, gender, email, avatar, address, ...).
func ExampleService_GetUser() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	_ = s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三"})
	_ = s.UpdateProfile("zhangsan", wecomtest.Profile{Position: "店长", Mobile: "13800000000"})
	client, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	m, err := staff.New(client).GetUser(context.Background(), "zhangsan")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s %s mobile=%q\n", m.Name, m.Position, m.Status, m.Mobile)
	// Output:
	// 张三 店长 active mobile=""
}
