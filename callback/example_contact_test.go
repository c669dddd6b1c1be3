package callback_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// A member who leaves the corp (delete_user, which reaches the callback
// URL of the address-book assistant or of a 代开发 app) starts the
// resigned transfer (离职继承) of their customers to a colleague. In
// production the handler would queue the work and answer at once (WeCom
// waits 5 seconds); here it moves the customers inline.
func ExampleDeleteUser_resignedTransfer() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	s.SetContactEvents(wecomtest.ContactEventsCurrent)
	for _, u := range []wecomtest.User{{UserID: "zhangsan", CustomerContact: true}, {UserID: "lisi", CustomerContact: true}} {
		if err := s.AddUser(u); err != nil {
			log.Fatal(err)
		}
	}
	for _, name := range []string{"小鱼儿", "Amy", "向日葵"} {
		if _, err := s.AddCustomer(wecomtest.Customer{Name: name}, wecomtest.Follow{UserID: "zhangsan"}); err != nil {
			log.Fatal(err)
		}
	}
	client, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	ec := externalcontact.New(client)

	h, err := callback.New(s.CallbackToken, s.EncodingAESKey, s.CorpID)
	if err != nil {
		log.Fatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.DeleteUser) error {
		var ids []string
		for c, err := range ec.AllUnassignedCustomers(ctx, nil) {
			if err != nil {
				return err
			}
			if c.HandoverUserID == ev.UserID {
				ids = append(ids, c.ExternalUserID)
			}
		}
		for chunk := range slices.Chunk(ids, 100) { // at most 100 a call
			out, err := ec.TransferResignedCustomers(ctx, &externalcontact.TransferResignedCustomersRequest{
				HandoverUserID: ev.UserID, TakeoverUserID: "lisi", ExternalUserIDs: chunk,
			})
			if err != nil {
				return err
			}
			started := 0
			for _, o := range out {
				if o.OK() {
					started++
				}
			}
			fmt.Printf("%s left: %d of %d customers on their way to lisi\n", ev.UserID, started, len(out))
		}
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	s.SetCallback(srv.URL, 5*time.Second, 10*time.Millisecond, 0)

	// The admin deletes zhangsan from the directory.
	if err := s.ResignUser("zhangsan"); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitForDeliveries(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("delivered:", s.Deliveries()[0].Delivered)
	// Output:
	// zhangsan left: 3 of 3 customers on their way to lisi
	// delivered: true
}
