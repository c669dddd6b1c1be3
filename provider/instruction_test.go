package provider_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/crypto"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

type seen struct {
	corp string
	ev   callback.Event
}

func TestCustomerEventsInTheThirdPartyShapeDecodeAsSelfBuilt(t *testing.T) {
	evs := make(chan seen, 8)
	contacts := make(chan *provider.ContactChange, 2)
	changes := make(chan *provider.AuthChange, 2)
	others := make(chan *provider.Instruction, 2)
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], config: func(c *provider.InstructionConfig) {
		c.OnEvent = func(_ context.Context, corp string, ev callback.Event) error {
			evs <- seen{corp, ev}
			return nil
		}
		c.OnContactChange = func(_ context.Context, cc *provider.ContactChange) error { contacts <- cc; return nil }
		c.OnChangeAuth = func(_ context.Context, ac *provider.AuthChange) error { changes <- ac; return nil }
		c.OnOther = func(_ context.Context, in *provider.Instruction) error { others <- in; return nil }
	}})
	corp := tenantIDs[0]
	require.NoError(t, w.wc.SendCustomerEvent(w.ws.ID, corp, wecomtest.Event{Event: "change_external_contact", ChangeType: "add_external_contact",
		Fields: []wecomtest.Field{{Name: "UserID", Value: "zhangsan"}, {Name: "ExternalUserID", Value: "wmEXT"},
			{Name: "State", Value: "st"}, {Name: "WelcomeCode", Value: "WC"}}, CreateTime: 1700000000}))
	require.NoError(t, w.wc.SendCustomerEvent(w.ws.ID, corp, wecomtest.Event{Event: "change_external_chat", ChangeType: "update",
		Fields: []wecomtest.Field{{Name: "ChatId", Value: "wrCHAT"}, {Name: "UpdateDetail", Value: "add_member"},
			{Name: "JoinScene", Value: "3", Number: true}, {Name: "MemChangeCnt", Value: "2", Number: true},
			{Name: "MemChangeList", Items: []string{"a", "b"}}}}))
	require.NoError(t, w.wc.SendCustomerEvent(w.ws.ID, corp, wecomtest.Event{Event: "change_external_tag", ChangeType: "delete",
		Fields: []wecomtest.Field{{Name: "Id", Value: "etTAG"}, {Name: "TagType", Value: "tag"}}}))
	require.NoError(t, w.wc.SendInstruction(w.ws.ID, wecomtest.InfoField("InfoType", "change_contact"), wecomtest.InfoField("AuthCorpId", corp),
		wecomtest.InfoField("ChangeType", "update_user"), wecomtest.InfoField("UserID", "lisi"), wecomtest.InfoField("OpenUserID", "woLISI"),
		wecomtest.InfoField("NewUserID", "lisi2")))
	require.NoError(t, w.wc.SendInstruction(w.ws.ID, wecomtest.InfoField("InfoType", "change_auth"), wecomtest.InfoField("AuthCorpId", corp),
		wecomtest.InfoField("State", "S"), wecomtest.InfoField("ExtraInfo", "X")))
	require.NoError(t, w.wc.SendInstruction(w.ws.ID, wecomtest.InfoField("InfoType", "change_editon"), wecomtest.InfoField("AuthCorpId", corp)))
	w.wait()

	byType := map[string]seen{}
	for range 3 {
		select {
		case s := <-evs:
			byType[s.ev.EventHeader().Event] = s
		case <-time.After(5 * time.Second):
			t.Fatal("missing customer events")
		}
	}
	add, ok := byType["change_external_contact"].ev.(*callback.AddExternalContact)
	require.True(t, ok, "%T", byType["change_external_contact"].ev)
	assert.Equal(t, corp, byType["change_external_contact"].corp)
	assert.Equal(t, corp, add.ToUserName)
	assert.Equal(t, int64(1700000000), add.CreateTime)
	assert.Equal(t, "zhangsan", add.UserID)
	assert.Equal(t, "wmEXT", add.ExternalUserID)
	assert.Equal(t, "st", add.State)
	assert.Equal(t, "WC", add.WelcomeCode)
	assert.Contains(t, add.Raw, "<InfoType><![CDATA[change_external_contact]]></InfoType>", "Raw is what WeCom sent")

	up, ok := byType["change_external_chat"].ev.(*callback.ExternalChatUpdate)
	require.True(t, ok, "%T", byType["change_external_chat"].ev)
	assert.Equal(t, corp, up.ToUserName)
	assert.Equal(t, "wrCHAT", up.ChatID)
	assert.Equal(t, callback.UpdateDetail("add_member"), up.UpdateDetail)
	assert.Equal(t, callback.JoinScene(3), up.JoinScene)
	assert.Equal(t, 2, up.MemChangeCnt)
	assert.Equal(t, []string{"a", "b"}, up.MemChangeList)

	del, ok := byType["change_external_tag"].ev.(*callback.ExternalTagDelete)
	require.True(t, ok, "%T", byType["change_external_tag"].ev)
	assert.Equal(t, "etTAG", del.ID)
	assert.Equal(t, callback.TagType("tag"), del.TagType)

	cc := <-contacts
	assert.Equal(t, corp, cc.AuthCorpID)
	assert.Equal(t, "update_user", cc.ChangeType)
	assert.Equal(t, "lisi", cc.UserID)
	assert.Equal(t, "woLISI", cc.OpenUserID)
	assert.Equal(t, "lisi2", cc.NewUserID)
	uu, ok := cc.Event.(*callback.UpdateUser)
	require.True(t, ok, "%T", cc.Event)
	assert.Equal(t, corp, uu.ToUserName)
	assert.Equal(t, "lisi", uu.UserID)
	ac := <-changes
	assert.Equal(t, corp, ac.AuthCorpID)
	assert.Equal(t, "S", ac.State)
	assert.Equal(t, "X", ac.ExtraInfo)
	o := <-others
	assert.Equal(t, "change_editon", o.InfoType)
	assert.Equal(t, w.ws.ID, o.SuiteID)
	assert.NotZero(t, o.TimeStamp)
}

func TestInstructionsAreAnsweredWhateverTheAppDoes(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 8)
	w := newWorld(t, worldOptions{tenants: tenantIDs, config: func(c *provider.InstructionConfig) {
		c.Workers = 1
		c.OnAuthorized = func(ctx context.Context, a *provider.Authorized) error {
			started <- struct{}{}
			select { // an app that hangs
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
	}})
	t.Cleanup(func() { close(release) })
	w.pushTicket()
	for _, id := range tenantIDs {
		_, err := w.wc.Install(wecomtest.InstallRequest{SuiteID: w.ws.ID, CorpID: id})
		require.NoError(t, err)
	}
	w.wait()
	<-started
	ds := w.wc.InstructionDeliveries()
	require.Len(t, ds, 1+len(tenantIDs))
	for _, d := range ds {
		assert.True(t, d.Delivered, "%s: %s", d.InfoType, d.LastError)
		assert.Equal(t, 1, d.Attempts, d.InfoType)
	}
}

func TestInstructionHandlerRejects(t *testing.T) {
	w := newWorld(t, worldOptions{})
	ws := w.ws
	seal := func(receiver string, msg string) (string, url.Values) {
		c, err := crypto.New(ws.CallbackToken, ws.EncodingAESKey, receiver)
		require.NoError(t, err)
		s, err := c.Seal([]byte(msg), time.Now().Unix(), "nonce")
		require.NoError(t, err)
		return string(s.EventXML(receiver, "")), s.URLValues()
	}
	post := func(body string, q url.Values) int {
		resp, err := http.Post(w.url+"?"+q.Encode(), "text/xml", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	ticket := "<xml><SuiteId><![CDATA[" + ws.ID + "]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>" + strconv.FormatInt(time.Now().Unix(), 10) + "</TimeStamp><SuiteTicket><![CDATA[T1]]></SuiteTicket></xml>"

	body, q := seal("wwsomeoneelse", ticket)
	assert.Equal(t, http.StatusForbidden, post(body, q), "another receiver")
	body, q = seal(ws.ID, ticket)
	q.Set("msg_signature", strings.Repeat("0", 40))
	assert.Equal(t, http.StatusForbidden, post(body, q), "bad signature")
	body, q = seal(ws.ID, "<xml><ToUserName>x</ToUserName><Event>change_external_contact</Event></xml>")
	assert.Equal(t, http.StatusOK, post(body, q), "a self-built event goes to OnEvent")
	assert.Equal(t, http.StatusBadRequest, post("not xml", q))

	body, q = seal(ws.ID, ticket)
	assert.Equal(t, http.StatusOK, post(body, q))
	for i := 0; i < 5000 && w.tickets.last() != "T1"; i++ {
		time.Sleep(time.Millisecond) // stored by a worker after the answer
	}
	tk, ok, err := w.suite.Tickets().Ticket(context.Background(), ws.ID)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "T1", tk.Value)

	// URL verification.
	c, err := crypto.New(ws.CallbackToken, ws.EncodingAESKey, ws.ID)
	require.NoError(t, err)
	s, err := c.Seal([]byte("echo-1234"), time.Now().Unix(), "n")
	require.NoError(t, err)
	vq := s.URLValues()
	vq.Set("echostr", s.Encrypt)
	resp, err := http.Get(w.url + "?" + vq.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "echo-1234", string(buf[:n]))
}

func TestRedeliveredInstructionIsHandledOnce(t *testing.T) {
	changes := make(chan *provider.AuthChange, 4)
	w := newWorld(t, worldOptions{config: func(c *provider.InstructionConfig) {
		c.OnChangeAuth = func(_ context.Context, ac *provider.AuthChange) error { changes <- ac; return nil }
	}})
	c, err := crypto.New(w.ws.CallbackToken, w.ws.EncodingAESKey, w.ws.ID)
	require.NoError(t, err)
	s, err := c.Seal([]byte("<xml><SuiteId><![CDATA["+w.ws.ID+"]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>1700000000</TimeStamp><AuthCorpId><![CDATA[wwc]]></AuthCorpId></xml>"), time.Now().Unix(), "n")
	require.NoError(t, err)
	for range 3 {
		resp, err := http.Post(w.url+"?"+s.URLValues().Encode(), "text/xml", strings.NewReader(string(s.EventXML(w.ws.ID, ""))))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, w.handler.Shutdown(ctx))
	close(changes)
	n := 0
	for ac := range changes {
		assert.Equal(t, "wwc", ac.AuthCorpID)
		n++
	}
	assert.Equal(t, 1, n)
}

// One data URL for every tenant: the tenants' events are sealed with the
// suite's credentials for their own corp id; a handler that accepts the
// tenants (a lookup on the pool here) gets them all, each naming its corp,
// and refuses a corp that is not a tenant. (A third-party app's customer
// events go to the instruction URL instead, so the events here are app
// events: enter_agent.)
func TestOneDataURLForAllTenants(t *testing.T) {
	w := newWorld(t, worldOptions{tenants: tenantIDs})
	tenants := map[string]bool{tenantIDs[0]: true, tenantIDs[1]: true}
	h, err := callback.New(w.ws.CallbackToken, w.ws.EncodingAESKey, "",
		callback.WithReceiverFunc(func(id string) bool { return tenants[id] }), callback.WithClock(w.wc.Clock().Now))
	require.NoError(t, err)
	got := make(chan string, 4)
	h.OnOther(func(_ context.Context, ev callback.Event) error {
		got <- ev.EventHeader().ToUserName + "/" + ev.(*callback.UnknownEvent).Get("EventKey")
		return nil
	})
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	for _, id := range tenantIDs[:2] {
		require.NoError(t, w.wc.SetTenantCallback(w.ws.ID, id, hs.URL))
		w.wc.Tenant(id).SendEvent(wecomtest.Event{Event: "enter_agent", Fields: []wecomtest.Field{{Name: "EventKey", Value: "u-" + id}}})
	}
	seenCorps := map[string]bool{}
	for range 2 {
		select {
		case s := <-got:
			seenCorps[s] = true
		case <-time.After(10 * time.Second):
			t.Fatal("missing data callbacks")
		}
	}
	for _, id := range tenantIDs[:2] {
		assert.True(t, seenCorps[id+"/u-"+id], id)
	}
	// The third corp is no tenant of this handler: refused, so WeCom
	// keeps delivering it.
	stranger := tenantIDs[2]
	require.NoError(t, w.wc.SetTenantCallback(w.ws.ID, stranger, hs.URL))
	w.wc.Tenant(stranger).SetCallback(hs.URL, time.Second, 0, 0) // no redelivery
	w.wc.Tenant(stranger).SendEvent(wecomtest.Event{Event: "enter_agent", Fields: []wecomtest.Field{{Name: "EventKey", Value: "x"}}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, w.wc.Tenant(stranger).WaitForDeliveries(ctx))
	ds := w.wc.Tenant(stranger).Deliveries()
	require.NotEmpty(t, ds)
	assert.False(t, ds[len(ds)-1].Delivered)
	assert.Contains(t, ds[len(ds)-1].LastError, "403")
	assert.Empty(t, got)
}

// On a durable queue (here callback's MemoryQueue through WithQueue's
// contract), an app callback that fails is retried by the handler's
// Worker, and the retry reuses the exchange: the single-use auth code is
// not sent twice.
func TestFailedAuthorizationIsRetriedWithoutReexchange(t *testing.T) {
	q := callback.NewMemoryQueue(nil)
	var calls atomic.Int32
	ok := make(chan *provider.Authorized, 1)
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], config: func(c *provider.InstructionConfig) {
		c.Queue = q
		c.OnAuthorized = func(_ context.Context, a *provider.Authorized) error {
			if calls.Add(1) == 1 {
				return errors.New("database down")
			}
			ok <- a
			return nil
		}
	}})
	w.pushTicket()
	_, err := w.wc.Install(wecomtest.InstallRequest{SuiteID: w.ws.ID, CorpID: tenantIDs[0]})
	require.NoError(t, err)
	select {
	case a := <-ok:
		assert.Equal(t, tenantIDs[0], a.CorpID)
		assert.Equal(t, w.wc.PermanentCodeOf(w.ws.ID, tenantIDs[0]), a.Authorization.PermanentCode)
	case <-time.After(20 * time.Second):
		t.Fatal("the authorization was not retried")
	}
	assert.Equal(t, int32(2), calls.Load())
	assert.Len(t, w.wc.RequestsTo("/cgi-bin/service/v2/get_permanent_code"), 1, "one exchange")
}

// End to end: a member of an installed tenant adds a customer; wecomtest
// pushes it to the instruction URL in the third-party shape and the
// handler gives OnEvent the same typed event as the self-built shape,
// naming the corp.
func TestTenantCustomerEventReachesOnEvent(t *testing.T) {
	evs := make(chan seen, 4)
	w := newWorld(t, worldOptions{tenants: tenantIDs[:1], config: func(c *provider.InstructionConfig) {
		c.OnEvent = func(_ context.Context, corp string, ev callback.Event) error {
			evs <- seen{corp, ev}
			return nil
		}
	}})
	corp := tenantIDs[0]
	w.pushTicket()
	w.install(corp)
	srv := w.wc.Tenant(corp)
	require.NoError(t, srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
	c, err := srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan", State: "fair"})
	require.NoError(t, err)
	w.wait()
	select {
	case s := <-evs:
		assert.Equal(t, corp, s.corp)
		add, ok := s.ev.(*callback.AddExternalContact)
		require.True(t, ok, "%T", s.ev)
		assert.Equal(t, corp, add.ToUserName)
		assert.Equal(t, "zhangsan", add.UserID)
		assert.Equal(t, c.ExternalUserID, add.ExternalUserID)
		assert.Equal(t, "fair", add.State)
		assert.Equal(t, srv.Events()[0].Get("WelcomeCode"), add.WelcomeCode)
		assert.Contains(t, add.Raw, "<SuiteId><![CDATA["+w.ws.ID+"]]></SuiteId>")
	case <-time.After(10 * time.Second):
		t.Fatal("the tenant's add_external_contact did not reach OnEvent")
	}
}
