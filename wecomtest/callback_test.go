package wecomtest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/wecomtest"
)

// callbackServer runs a callback.Handler for s behind an httptest server.
func callbackServer(t *testing.T, s *wecomtest.Server, opts ...callback.Option) (*callback.Handler, string) {
	t.Helper()
	h, err := callback.New(s.CallbackToken, s.EncodingAESKey, s.CorpID, opts...)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func waitDeliveries(t *testing.T, s *wecomtest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.WaitForDeliveries(ctx))
}

func TestCallbackDelivery(t *testing.T) {
	s := wecomtest.Start(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
	h, url := callbackServer(t, s)
	var (
		mu  sync.Mutex
		got []*callback.AddExternalContact
	)
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
		return nil
	})
	s.SetCallback(url, time.Second, 10*time.Millisecond, 3)

	before := s.Clock().Now().Unix()
	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan", State: "spring-fair"})
	require.NoError(t, err)
	waitDeliveries(t, s)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	ev := got[0]
	assert.Equal(t, s.CorpID, ev.ToUserName)
	assert.Equal(t, "sys", ev.FromUserName)
	assert.Equal(t, "event", ev.MsgType)
	assert.Equal(t, callback.EventChangeExternalContact, ev.Event)
	assert.Equal(t, "add_external_contact", ev.ChangeType)
	assert.Equal(t, "zhangsan", ev.UserID)
	assert.Equal(t, c.ExternalUserID, ev.ExternalUserID)
	assert.Equal(t, "spring-fair", ev.State)
	assert.NotEmpty(t, ev.WelcomeCode)
	assert.Equal(t, s.Events()[0].Get("WelcomeCode"), ev.WelcomeCode)
	assert.GreaterOrEqual(t, ev.CreateTime, before)
	assert.Equal(t, string(s.Events()[0].XML(s.CorpID)), ev.Raw)

	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.True(t, d[0].Delivered)
	assert.Equal(t, 1, d[0].Attempts)
	assert.Empty(t, d[0].LastError)
}

func TestCallbackRedelivery(t *testing.T) {
	s := wecomtest.Start(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true}))
	h, url := callbackServer(t, s)
	var (
		mu    sync.Mutex
		calls []string
	)
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, ev.ExternalUserID)
		if len(calls) == 1 {
			return errors.New("database busy")
		}
		return nil
	})
	s.SetCallback(url, time.Second, 10*time.Millisecond, 3)

	c, err := s.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	waitDeliveries(t, s)

	mu.Lock()
	assert.Equal(t, []string{c.ExternalUserID, c.ExternalUserID}, calls, "failed once, redelivered, accepted")
	mu.Unlock()
	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.True(t, d[0].Delivered)
	assert.Equal(t, 2, d[0].Attempts)
	assert.Equal(t, "add_external_contact", d[0].Event.ChangeType)
}

func TestCallbackGivesUp(t *testing.T) {
	s := wecomtest.Start(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true}))
	h, url := callbackServer(t, s)
	var calls int
	var mu sync.Mutex
	h.OnOther(func(ctx context.Context, ev callback.Event) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return errors.New("always down")
	})
	s.SetCallback(url, time.Second, 5*time.Millisecond, 2)
	_, err := s.AddCustomer(wecomtest.Customer{Name: "王五"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	waitDeliveries(t, s)

	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.False(t, d[0].Delivered)
	assert.Equal(t, 3, d[0].Attempts)
	assert.Contains(t, d[0].LastError, "500")
	assert.Equal(t, 3, calls, "each failure released the dedup key")
}

func TestCallbackWrongCredentials(t *testing.T) {
	s := wecomtest.Start(t)
	// A handler configured with another token rejects every delivery.
	h, err := callback.New("anotherToken", s.EncodingAESKey, s.CorpID)
	require.NoError(t, err)
	var calls int
	h.OnOther(func(context.Context, callback.Event) error { calls++; return nil })
	srv := httptest.NewServer(h)
	defer srv.Close()
	s.SetCallback(srv.URL, time.Second, time.Millisecond, 1)
	s.SendEvent(wecomtest.Event{Event: "change_external_chat", ChangeType: "dismiss", Fields: []wecomtest.Field{{Name: "ChatId", Value: "wrX"}}})
	waitDeliveries(t, s)
	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.False(t, d[0].Delivered)
	assert.Contains(t, d[0].LastError, "403")
	assert.Zero(t, calls)
}

func TestCallbackTypedChatEvent(t *testing.T) {
	s := wecomtest.Start(t)
	h, url := callbackServer(t, s)
	got := make(chan *callback.ExternalChatUpdate, 1)
	callback.On(h, func(ctx context.Context, ev *callback.ExternalChatUpdate) error { got <- ev; return nil })
	s.SetCallback(url, time.Second, time.Millisecond, 0)
	s.SendEvent(wecomtest.Event{Event: "change_external_chat", ChangeType: "update", Fields: []wecomtest.Field{
		{Name: "ChatId", Value: "wrCHAT"},
		{Name: "UpdateDetail", Value: "del_member"},
		{Name: "QuitScene", Value: "1", Number: true},
		{Name: "MemChangeCnt", Value: "2", Number: true},
		{Name: "MemChangeList", Items: []string{"a", "b]]>c"}},
	}})
	waitDeliveries(t, s)
	ev := <-got
	assert.Equal(t, "wrCHAT", ev.ChatID)
	assert.Equal(t, callback.UpdateDelMember, ev.UpdateDetail)
	assert.Equal(t, callback.QuitRemoved, ev.QuitScene)
	assert.Equal(t, 2, ev.MemChangeCnt)
	assert.Equal(t, []string{"a", "b]]>c"}, ev.MemChangeList)
}
