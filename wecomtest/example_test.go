package wecomtest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// countCustomers is "your code": it takes a *wecom.Client like any
// production code would.
func countCustomers(ctx context.Context, c *wecom.Client, userID string) (int, error) {
	ids, err := externalcontact.New(c).ListCustomers(ctx, userID)
	return len(ids), err
}

// In a test, use wecomtest.Start(t) instead: it closes the server when
// the test ends.
func Example() {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true})
	_, _ = srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})

	client, err := srv.Client() // a *wecom.Client pointed at srv
	if err != nil {
		log.Fatal(err)
	}
	n, err := countCustomers(context.Background(), client, "zhangsan")
	fmt.Println(n, err)
	fmt.Println(len(srv.RequestsTo("/cgi-bin/externalcontact/list")))
	// Output:
	// 1 <nil>
	// 1
}

// Faults make the next calls of a path fail as WeCom does; the client
// retries what is safe to retry.
func ExampleServer_FailNext() {
	srv, _ := wecomtest.NewServer()
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	_, _ = srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	srv.FailNext("/cgi-bin/externalcontact/list", 2, wecomtest.FaultBusy)

	client, err := srv.Client(wecom.WithRetryPolicy(wecom.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}))
	if err != nil {
		log.Fatal(err)
	}
	n, err := countCustomers(context.Background(), client, "zhangsan")
	fmt.Println(n, err, len(srv.RequestsTo("/cgi-bin/externalcontact/list")))
	// Output: 1 <nil> 3
}
