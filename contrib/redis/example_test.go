package redis_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
	wecomredis "github.com/wecomkit/wecom/contrib/redis"
	"github.com/wecomkit/wecom/externalcontact"
)

// Wiring one instance of a fleet: every instance runs the same code
// against the same Redis, and together they fetch one token per token
// lifetime, stay under one budget per API and handle each callback event
// once.
func Example() {
	rdb := goredis.NewClient(&goredis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()

	// The token, shared and refreshed under a fleet-wide lease.
	store, err := wecomredis.NewStore(rdb)
	if err != nil {
		log.Fatal(err)
	}
	// WeCom's per-API quota for the whole fleet of 8 instances; each paces
	// itself with an eighth of it while Redis is unavailable.
	limiter, err := wecomredis.NewLimiter(rdb, wecom.PerAPIQuota, nil, wecomredis.WithFleetSize(8))
	if err != nil {
		log.Fatal(err)
	}
	client, err := wecom.New(os.Getenv("WECOM_CORP_ID"), os.Getenv("WECOM_SECRET"),
		wecom.WithTokenCache(store), wecom.WithLimiter(limiter))
	if err != nil {
		log.Fatal(err)
	}
	contacts := externalcontact.New(client)

	// Callbacks: a redelivered event may land on any instance; Dedup
	// leases it to one handler at a time and remembers it done for the
	// fleet. Async mode appends each verified event to the Redis Streams
	// queue before WeCom is answered "success", whatever the handler
	// takes; a crash of this instance loses nothing.
	dedup, err := wecomredis.NewDedup(rdb)
	if err != nil {
		log.Fatal(err)
	}
	queue, err := wecomredis.NewQueue(rdb, "callbacks")
	if err != nil {
		log.Fatal(err)
	}
	h, err := callback.New(os.Getenv("WECOM_CALLBACK_TOKEN"), os.Getenv("WECOM_ENCODING_AES_KEY"), client.CorpID(),
		callback.WithDedup(dedup, callback.DefaultDedupTTL), callback.WithQueue(queue))
	if err != nil {
		log.Fatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		c, err := contacts.GetCustomer(ctx, ev.ExternalUserID)
		if err != nil {
			return err // released and retried with backoff; dead-lettered in the end
		}
		log.Printf("%s added %s, a %s", ev.UserID, ev.ExternalUserID, c.ExternalContact.Type)
		return nil
	})
	// Workers (here, or in processes of their own built the same way)
	// take the events from the queue; those a dead worker held come back
	// after the queue's visibility timeout.
	worker, err := callback.NewWorker(h, queue, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := worker.Start(); err != nil {
		log.Fatal(err)
	}

	http.Handle("/wecom/callback", h)
	srv := &http.Server{Addr: ":8080", ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Print(err)
	}
	// On the way out (after srv.Shutdown): the events the workers have
	// not finished stay in the queue for the other instances.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = h.Shutdown(ctx)
	_ = worker.Shutdown(ctx)
}
