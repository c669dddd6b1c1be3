package redis

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/provider"
)

func TestTicketStoreKeepsNewestPerSuiteAcrossInstances(t *testing.T) {
	r := startRedis(t)
	rdb := r.Client(t)
	prefix := testPrefix(t)
	ctx := context.Background()
	a, err := NewTicketStore(rdb, WithPrefix(prefix))
	require.NoError(t, err)
	now := time.Now().Unix()
	require.NoError(t, a.SetTicket(ctx, "s1", provider.Ticket{Value: "new", TimeStamp: now}))
	require.NoError(t, a.SetTicket(ctx, "s1", provider.Ticket{Value: "old", TimeStamp: now - 600}))
	require.NoError(t, a.SetTicket(ctx, "s2", provider.Ticket{Value: "other", TimeStamp: now - 60}))

	// Another instance, or this one after a restart: a new store on the
	// same Redis.
	b, err := NewTicketStore(r.Client(t), WithPrefix(prefix))
	require.NoError(t, err)
	got, ok, err := b.Ticket(ctx, "s1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, provider.Ticket{Value: "new", TimeStamp: now}, got)
	got, ok, err = b.Ticket(ctx, "s2")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "other", got.Value)
	_, ok, err = b.Ticket(ctx, "s3")
	require.NoError(t, err)
	assert.False(t, ok)

	// The key expires with the ticket: 30 minutes after its push.
	require.NoError(t, a.SetTicket(ctx, "s4", provider.Ticket{Value: "t4", TimeStamp: now - int64(provider.TicketLife/time.Second) + 100}))
	pttl, err := rdb.PTTL(ctx, prefix+"{suite:s4}:ticket").Result()
	require.NoError(t, err)
	assert.InDelta(t, (100 * time.Second).Seconds(), pttl.Seconds(), 5)
	require.NoError(t, a.SetTicket(ctx, "s5", provider.Ticket{Value: "stale", TimeStamp: now - int64(provider.TicketLife/time.Second) - 1}))
	_, ok, err = b.Ticket(ctx, "s5")
	require.NoError(t, err)
	assert.False(t, ok, "a ticket past its life is not stored")

	// A store read in the life's last moments: Ticket checks the age too.
	b.now = func() time.Time { return time.Now().Add(provider.TicketLife) }
	_, ok, err = b.Ticket(ctx, "s1")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestTicketStoreBoundsEachOp(t *testing.T) {
	// A Redis that accepts and never answers: each op ends at the op
	// timeout, whatever the client's own timeouts.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	rdb := goredis.NewClient(&goredis.Options{Addr: l.Addr().String(), ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		MaxRetries: -1, ContextTimeoutEnabled: true, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	s, err := NewTicketStore(rdb, WithPrefix(testPrefix(t)), WithOpTimeout(100*time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	err = s.SetTicket(ctx, "s1", provider.Ticket{Value: "secret-ticket", TimeStamp: time.Now().Unix()})
	require.Error(t, err)
	assert.True(t, isTimeout(err), "%v", err)
	assert.NotContains(t, err.Error(), "secret-ticket")
	_, _, err = s.Ticket(ctx, "s1")
	assert.True(t, isTimeout(err), "%v", err)
	_, err = NewTicketStore(nil)
	assert.Error(t, err)
}

// isTimeout reports a deadline: the context's, or the connection deadline
// go-redis sets from it.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
