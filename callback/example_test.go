package callback_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/crypto"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	token  = "wecomtestCallbackToken"
	aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	corpID = "ww5f3c9a1e2b7d4c60"
)

// deliver plays WeCom: it seals event XML and POSTs it to url.
func deliver(url, event string) string {
	c, err := crypto.New(token, aesKey, corpID)
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Seal([]byte(event), time.Now().Unix(), "")
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.Post(url+"?"+s.URLValues().Encode(), "text/xml", strings.NewReader(string(s.EventXML(corpID, "1000002"))))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// Mounting the handler on a net/http ServeMux (any router works: it is an
// http.Handler) and handling new customers.
func ExampleNew() {
	h, err := callback.New(token, aesKey, corpID)
	if err != nil {
		log.Fatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		fmt.Printf("%s added %s (state %q)\n", ev.UserID, ev.ExternalUserID, ev.State)
		return nil
	})

	mux := http.NewServeMux()
	mux.Handle("/wecom/callback", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	fmt.Println(deliver(srv.URL+"/wecom/callback", `<xml><ToUserName><![CDATA[ww5f3c9a1e2b7d4c60]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmEXAMPLE]]></ExternalUserID><State><![CDATA[spring-fair]]></State><WelcomeCode><![CDATA[CODE]]></WelcomeCode></xml>`))
	// Output:
	// zhangsan added wmEXAMPLE (state "spring-fair")
	// 200 success
}

// A catch-all sees every event without a typed handler, including the
// ones this package does not model.
func ExampleHandler_OnOther() {
	h, err := callback.New(token, aesKey, corpID)
	if err != nil {
		log.Fatal(err)
	}
	h.OnOther(func(ctx context.Context, ev callback.Event) error {
		switch ev := ev.(type) {
		case *callback.ExternalChatUpdate:
			fmt.Println("chat", ev.ChatID, ev.UpdateDetail, ev.MemChangeList)
		case *callback.UnknownEvent:
			fmt.Println("unknown", ev.Event, ev.Get("ProductId"))
		default:
			fmt.Printf("%T\n", ev)
		}
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	deliver(srv.URL, `<xml><Event><![CDATA[change_external_chat]]></Event><ChangeType><![CDATA[update]]></ChangeType><ChatId><![CDATA[wrCHAT]]></ChatId><UpdateDetail><![CDATA[add_member]]></UpdateDetail><MemChangeList><Item><![CDATA[a]]></Item><Item><![CDATA[b]]></Item></MemChangeList></xml>`)
	deliver(srv.URL, `<xml><Event><![CDATA[product_album_audit]]></Event><ProductId><![CDATA[p1]]></ProductId></xml>`)
	deliver(srv.URL, `<xml><Event><![CDATA[change_external_tag]]></Event><ChangeType><![CDATA[shuffle]]></ChangeType></xml>`)
	// Output:
	// chat wrCHAT add_member [a b]
	// unknown product_album_audit p1
	// *callback.ExternalTagShuffle
}

// Acknowledging once the event is in an in-memory queue and handling it
// in the background; Shutdown handles what is queued before it returns.
// (The memory queue does not survive the process: see WithQueue.)
func ExampleWithAsync() {
	h, err := callback.New(token, aesKey, corpID, callback.WithAsync(4, 1000))
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan string, 1)
	callback.On(h, func(ctx context.Context, ev *callback.DelFollowUser) error {
		done <- ev.ExternalUserID + " deleted " + ev.UserID
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	fmt.Println(deliver(srv.URL, `<xml><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmEXAMPLE]]></ExternalUserID></xml>`))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-done)
	// Output:
	// 200 success
	// wmEXAMPLE deleted zhangsan
}

// Durable async mode: the handler answers "success" once the event is in
// the queue; a Worker (in this process or any other sharing the queue)
// handles it, retrying failures. NewMemoryQueue stands in here for a
// durable queue such as contrib/redis's.
func ExampleNewWorker() {
	queue := callback.NewMemoryQueue(nil)
	h, err := callback.New(token, aesKey, corpID, callback.WithQueue(queue))
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan string, 1)
	attempts := 0
	callback.On(h, func(ctx context.Context, ev *callback.DelFollowUser) error {
		if attempts++; attempts == 1 {
			return fmt.Errorf("database busy") // retried after a backoff
		}
		done <- fmt.Sprintf("%s deleted %s (attempt %d)", ev.ExternalUserID, ev.UserID, attempts)
		return nil
	})
	w, err := callback.NewWorker(h, queue, &callback.WorkerOptions{Backoff: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	fmt.Println(deliver(srv.URL, `<xml><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[del_follow_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmEXAMPLE]]></ExternalUserID></xml>`))
	fmt.Println(<-done)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := queue.WaitEmpty(ctx); err != nil {
		log.Fatal(err)
	}
	if err := w.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 200 success
	// wmEXAMPLE deleted zhangsan (attempt 2)
}

// Receiving the events of wecomtest, the in-memory WeCom: a new customer
// reaches the typed handler, signed and encrypted as WeCom would send it.
func Example_wecomtest() {
	s, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true}); err != nil {
		log.Fatal(err)
	}

	h, err := callback.New(s.CallbackToken, s.EncodingAESKey, s.CorpID)
	if err != nil {
		log.Fatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		fmt.Println(ev.ChangeType, ev.UserID, ev.State, ev.WelcomeCode != "")
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	s.SetCallback(srv.URL, time.Second, 10*time.Millisecond, 3)

	if _, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan", State: "spring-fair"}); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitForDeliveries(ctx); err != nil {
		log.Fatal(err)
	}
	d := s.Deliveries()[0]
	fmt.Println(d.Delivered, d.Attempts)
	// Output:
	// add_external_contact zhangsan spring-fair true
	// true 1
}
