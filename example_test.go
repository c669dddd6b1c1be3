package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// A Client is made once and shared: it caches the access token and
// refreshes it for every goroutine at once. Area packages wrap it.
func ExampleNew() {
	srv, err := wecomtest.NewServer(wecomtest.WithDemo(wecomtest.Demo{Users: 3, Customers: 5}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Against WeCom itself: wecom.New(corpID, secret).
	client, err := wecom.New(srv.CorpID, srv.Secret, wecom.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	svc := externalcontact.New(client)
	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(len(staff), "members serve customers;", n > 0)
	// Output: 3 members serve customers; true
}

// Do reaches an endpoint the SDK does not wrap (yet), with the token,
// retries, error checks and logging of every other call.
func ExampleClient_Do() {
	srv, err := wecomtest.NewServer(wecomtest.WithDemo(wecomtest.Demo{Users: 2}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := wecom.New(srv.CorpID, srv.Secret, wecom.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	var out struct {
		FollowUser []string `json:"follow_user"`
	}
	err = client.Do(context.Background(), &wecom.Request{
		Method:     http.MethodGet,
		Path:       "/cgi-bin/externalcontact/get_follow_user_list",
		Idempotent: true, // a read: safe to repeat after a timeout
	}, &out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out.FollowUser))
	// Output: 2
}

// Every failure is a *wecom.Error: the errcode, WeCom's message and hint,
// the endpoint (never the token), and whether a change may have been
// applied although the call failed.
func ExampleError() {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := wecom.New(srv.CorpID, srv.Secret, wecom.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	_, err = externalcontact.New(client).GetCustomer(context.Background(), "wm-no-such-customer")
	var werr *wecom.Error
	if errors.As(err, &werr) {
		fmt.Println(int(werr.Code), werr.Code, werr.Path)
		fmt.Println(werr.Code == wecom.CodeInvalidExternalUserID, wecom.IsRateLimited(err), wecom.IsMaybeApplied(err))
	}
	// Output:
	// 40096 invalid external_userid /cgi-bin/externalcontact/get
	// true false false
}
