package wecomtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/crypto"
)

// post sends a raw call and returns the decoded answer.
func provPost(t *testing.T, p *Provider, method, pathAndQuery, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, p.URL+pathAndQuery, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func code(m map[string]any) int { return int(m["errcode"].(float64)) }

func TestProviderModeTokensAndRouting(t *testing.T) {
	clk := NewManualClock(time.Unix(1700000000, 0))
	p := StartProvider(t, WithClock(clk))
	s, err := p.AddSuite(Suite{})
	require.NoError(t, err)
	a, err := p.AddTenant("wwtenantA")
	require.NoError(t, err)
	b, err := p.AddTenant("wwtenantB")
	require.NoError(t, err)
	require.NoError(t, a.AddUser(User{UserID: "alice", Name: "Alice", CustomerContact: true}))
	require.NoError(t, b.AddUser(User{UserID: "bob", Name: "Bob", CustomerContact: true}))
	_, err = p.AddTenant("wwtenantA")
	assert.Error(t, err)

	suiteToken := func(ticket string) map[string]any {
		return provPost(t, p, "POST", "/cgi-bin/service/get_suite_token",
			`{"suite_id":"`+s.ID+`","suite_secret":"`+s.Secret+`","suite_ticket":"`+ticket+`"}`)
	}
	assert.Equal(t, codeInvalidSuiteTicket, code(suiteToken("nope")))
	tk, err := p.PushTicket(s.ID)
	require.NoError(t, err)
	st := suiteToken(tk)["suite_access_token"].(string)
	assert.Equal(t, float64(7200), suiteToken(tk)["expires_in"])
	m := provPost(t, p, "POST", "/cgi-bin/service/get_suite_token", `{"suite_id":"`+s.ID+`","suite_secret":"bad","suite_ticket":"`+tk+`"}`)
	assert.Equal(t, codeInvalidSecret, code(m))

	codes := map[string]string{}
	for _, corp := range []string{"wwtenantA", "wwtenantB"} {
		ac, err := p.Install(InstallRequest{SuiteID: s.ID, CorpID: corp})
		require.NoError(t, err)
		m := provPost(t, p, "POST", "/cgi-bin/service/v2/get_permanent_code?suite_access_token="+st, `{"auth_code":"`+ac+`"}`)
		require.Zero(t, code(m), m)
		codes[corp] = m["permanent_code"].(string)
		assert.Equal(t, codeInvalidAuthCode, code(provPost(t, p, "POST", "/cgi-bin/service/v2/get_permanent_code?suite_access_token="+st, `{"auth_code":"`+ac+`"}`)), "single use")
	}
	corpToken := func(corp string) string {
		m := provPost(t, p, "POST", "/cgi-bin/service/get_corp_token?suite_access_token="+st,
			`{"auth_corpid":"`+corp+`","permanent_code":"`+codes[corp]+`"}`)
		require.Zero(t, code(m), m)
		return m["access_token"].(string)
	}
	ta, tb := corpToken("wwtenantA"), corpToken("wwtenantB")
	// Each token reaches its own tenant's state.
	m = provPost(t, p, "GET", "/cgi-bin/externalcontact/get_follow_user_list?access_token="+ta, "")
	assert.Equal(t, []any{"alice"}, m["follow_user"])
	m = provPost(t, p, "GET", "/cgi-bin/externalcontact/get_follow_user_list?access_token="+tb, "")
	assert.Equal(t, []any{"bob"}, m["follow_user"])
	assert.Len(t, a.RequestsTo("/cgi-bin/externalcontact/get_follow_user_list"), 1)
	assert.Zero(t, p.WrongTokenCalls())

	// Wrong kinds, each answered and counted.
	assert.Equal(t, codeTokenMissing, code(provPost(t, p, "GET", "/cgi-bin/externalcontact/get_follow_user_list?suite_access_token="+st, "")))
	assert.Equal(t, codeInvalidToken, code(provPost(t, p, "GET", "/cgi-bin/externalcontact/get_follow_user_list?access_token="+st, "")))
	assert.Equal(t, codeInvalidSuiteToken, code(provPost(t, p, "GET", "/cgi-bin/service/get_pre_auth_code?access_token="+ta, "")))
	assert.Equal(t, codeInvalidSuiteToken, code(provPost(t, p, "POST", "/cgi-bin/service/corpid_to_opencorpid?suite_access_token="+st, `{"corpid":"wwtenantA"}`)))
	assert.Equal(t, 4, p.WrongTokenCalls())

	// Expiry on the clock: the suite token after 2 hours (42009).
	clk.Advance(7200 * time.Second)
	assert.Equal(t, codeSuiteTokenExpired, code(provPost(t, p, "GET", "/cgi-bin/service/get_pre_auth_code?suite_access_token="+st, "")))
	// The ticket pushes happened on the way: 12 of them.
	p.Tick()
	assert.Len(t, p.Instructions(), 1+2+12)

	// Cancel: the code and the corp tokens stop working; the other tenant
	// is untouched.
	require.NoError(t, p.CancelAuth(s.ID, "wwtenantA"))
	assert.False(t, p.Authorized(s.ID, "wwtenantA"))
	tk = p.Ticket(s.ID)
	st = suiteToken(tk)["suite_access_token"].(string)
	m = provPost(t, p, "POST", "/cgi-bin/service/get_corp_token?suite_access_token="+st, `{"auth_corpid":"wwtenantA","permanent_code":"`+codes["wwtenantA"]+`"}`)
	assert.Equal(t, codeInvalidPermanentCode, code(m))
	last := p.Instructions()[len(p.Instructions())-1]
	assert.Equal(t, "cancel_auth", last.InfoType)
	assert.Contains(t, string(last.XML), "<AuthCorpId><![CDATA[wwtenantA]]></AuthCorpId>")
	assert.Contains(t, string(last.XML), "<SuiteId><![CDATA["+s.ID+"]]></SuiteId>")
	assert.True(t, p.Authorized(s.ID, "wwtenantB"))
}

func TestProviderTicketsExpireAfterThirtyMinutes(t *testing.T) {
	clk := NewManualClock(time.Unix(1700000000, 0))
	p := StartProvider(t, WithClock(clk))
	s, err := p.AddSuite(Suite{})
	require.NoError(t, err)
	tk, err := p.PushTicket(s.ID)
	require.NoError(t, err)
	p.MissTicketPushes(s.ID, 2)
	get := func(ticket string) int {
		return code(provPost(t, p, "POST", "/cgi-bin/service/get_suite_token", `{"suite_id":"`+s.ID+`","suite_secret":"`+s.Secret+`","suite_ticket":"`+ticket+`"}`))
	}
	p.Advance(29 * time.Minute)
	assert.Zero(t, get(tk), "two pushes missed: still valid")
	assert.Equal(t, tk, p.Ticket(s.ID))
	p.Advance(time.Minute)
	assert.NotEqual(t, tk, p.Ticket(s.ID), "the third push arrived")
	assert.Equal(t, codeInvalidSuiteTicket, get(tk), "30 minutes after its push")
	assert.Zero(t, get(p.Ticket(s.ID)))
}

// sink collects the decrypted callbacks posted to it, opened for receiver.
type sink struct {
	t    *testing.T
	url  string
	mu   sync.Mutex
	msgs []string
}

func newSink(t *testing.T, token, key, receiver string) *sink {
	c, err := crypto.New(token, key, receiver)
	require.NoError(t, err)
	k := &sink{t: t}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg, err := c.Open(body, crypto.QueryFrom(r.URL.Query()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden) // another receiver or key
			return
		}
		k.mu.Lock()
		k.msgs = append(k.msgs, string(msg))
		k.mu.Unlock()
		_, _ = io.WriteString(w, "success")
	}))
	t.Cleanup(hs.Close)
	k.url = hs.URL
	return k
}

func (k *sink) got() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.msgs...)
}

// installed installs suite s in corpID and exchanges the auth code, as a
// SaaS does on create_auth.
func installed(t *testing.T, p *Provider, s Suite, corpID string) {
	t.Helper()
	tk, err := p.PushTicket(s.ID)
	require.NoError(t, err)
	m := provPost(t, p, "POST", "/cgi-bin/service/get_suite_token", `{"suite_id":"`+s.ID+`","suite_secret":"`+s.Secret+`","suite_ticket":"`+tk+`"}`)
	require.Zero(t, code(m), m)
	ac, err := p.Install(InstallRequest{SuiteID: s.ID, CorpID: corpID})
	require.NoError(t, err)
	m = provPost(t, p, "POST", "/cgi-bin/service/v2/get_permanent_code?suite_access_token="+m["suite_access_token"].(string), `{"auth_code":"`+ac+`"}`)
	require.Zero(t, code(m), m)
}

// A third-party app receives its tenants' customer events on the
// instruction URL, in the instruction shape, sealed for the suite id, and
// not on its data URL; a 代开发 app gets them in the self-built shape on
// its data URL; a tenant that has not installed (or cancelled) gets none
// pushed.
func TestProviderTenantCustomerEventsGoToTheInstructionURL(t *testing.T) {
	clk := NewManualClock(time.Unix(1700000000, 0))
	p := StartProvider(t, WithClock(clk))
	s, err := p.AddSuite(Suite{})
	require.NoError(t, err)
	cs, err := p.AddSuite(Suite{ID: "wwcustom0a1b2c3d4e5", Customized: true, CallbackToken: "customToken", EncodingAESKey: strings.Repeat("b", 43)})
	require.NoError(t, err)
	instr := newSink(t, s.CallbackToken, s.EncodingAESKey, s.ID)
	require.NoError(t, p.SetInstructionURL(s.ID, instr.url))
	customInstr := newSink(t, cs.CallbackToken, cs.EncodingAESKey, cs.ID)
	require.NoError(t, p.SetInstructionURL(cs.ID, customInstr.url))

	const corp, other, custom = "wwtenantA", "wwtenantB", "wwtenantC"
	tenants := map[string]*Server{}
	for _, id := range []string{corp, other, custom} {
		srv, err := p.AddTenant(id)
		require.NoError(t, err)
		require.NoError(t, srv.AddUser(User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
		tenants[id] = srv
	}
	installed(t, p, s, corp)
	installed(t, p, cs, custom)
	data := newSink(t, s.CallbackToken, s.EncodingAESKey, corp)
	require.NoError(t, p.SetTenantCallback(s.ID, corp, data.url))
	customData := newSink(t, cs.CallbackToken, cs.EncodingAESKey, custom)
	require.NoError(t, p.SetTenantCallback(cs.ID, custom, customData.url))
	wait := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, p.WaitForInstructions(ctx))
		for _, srv := range tenants {
			require.NoError(t, srv.WaitForDeliveries(ctx))
		}
	}
	wait()
	before := len(instr.got())

	a := tenants[corp]
	c, err := a.AddCustomer(Customer{Name: "李四"}, Follow{UserID: "zhangsan", State: "fair"})
	require.NoError(t, err)
	remark := "VIP"
	require.NoError(t, a.MemberEditsCustomer("zhangsan", c.ExternalUserID, CustomerEdit{Remark: &remark}))
	g, err := a.AdminAddsCorpTags("等级", "金牌")
	require.NoError(t, err)
	chat, err := a.AddGroupChat(GroupChat{Name: "群", Owner: "zhangsan"})
	require.NoError(t, err)
	require.NoError(t, a.AddUser(User{UserID: "lisi", Name: "李四", CustomerContact: true}))
	require.NoError(t, a.ChangeGroupChatOwner(chat.ChatID, "lisi"))
	// A non-customer event still goes to the data URL.
	a.SendEvent(Event{Event: "enter_agent"})
	// Tenants that have not installed the third-party suite push nothing
	// to it.
	_, err = tenants[other].AddCustomer(Customer{Name: "王五"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	cc, err := tenants[custom].AddCustomer(Customer{Name: "赵六"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	wait()

	got := instr.got()[before:]
	welcome := a.Events()[0].Get("WelcomeCode")
	require.NotEmpty(t, welcome)
	at := "<TimeStamp>1700000000</TimeStamp>"
	sid, auth := "<xml><SuiteId><![CDATA["+s.ID+"]]></SuiteId>", "<AuthCorpId><![CDATA["+corp+"]]></AuthCorpId>"
	want := []string{
		sid + auth + "<InfoType><![CDATA[change_external_contact]]></InfoType>" + at + "<ChangeType><![CDATA[add_external_contact]]></ChangeType>" +
			"<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[" + c.ExternalUserID + "]]></ExternalUserID><State><![CDATA[fair]]></State>" +
			"<WelcomeCode><![CDATA[" + welcome + "]]></WelcomeCode></xml>",
		sid + auth + "<InfoType><![CDATA[change_external_contact]]></InfoType>" + at + "<ChangeType><![CDATA[edit_external_contact]]></ChangeType>" +
			"<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[" + c.ExternalUserID + "]]></ExternalUserID></xml>",
		sid + auth + "<InfoType><![CDATA[change_external_tag]]></InfoType>" + at + "<ChangeType><![CDATA[create]]></ChangeType>" +
			"<Id><![CDATA[" + g.GroupID + "]]></Id><TagType><![CDATA[tag_group]]></TagType></xml>",
		sid + auth + "<InfoType><![CDATA[change_external_chat]]></InfoType>" + at + "<ChangeType><![CDATA[update]]></ChangeType>" +
			"<ChatId><![CDATA[" + chat.ChatID + "]]></ChatId><UpdateDetail><![CDATA[change_owner]]></UpdateDetail></xml>",
	}
	assert.Equal(t, want, got)
	ins := p.Instructions()
	assert.Equal(t, "change_external_chat", ins[len(ins)-1].InfoType)
	assert.Equal(t, s.ID, ins[len(ins)-1].SuiteID)

	// The third-party data URL got the enter_agent only.
	dg := data.got()
	require.Len(t, dg, 1)
	assert.Contains(t, dg[0], "<Event><![CDATA[enter_agent]]></Event>")
	// The tenant still records every event.
	assert.Len(t, a.Events(), 5)

	// The 代开发 app: the self-built shape on its data URL, nothing on
	// its instruction URL but the install.
	cd := customData.got()
	require.Len(t, cd, 1)
	assert.Contains(t, cd[0], "<ToUserName><![CDATA["+custom+"]]></ToUserName>")
	assert.Contains(t, cd[0], "<ExternalUserID><![CDATA["+cc.ExternalUserID+"]]></ExternalUserID>")
	for _, m := range customInstr.got() {
		assert.NotContains(t, m, "change_external", "代开发: no instruction")
	}

	// After cancel_auth nothing more is pushed.
	require.NoError(t, p.CancelAuth(s.ID, corp))
	n := len(p.Instructions())
	_, err = a.AddCustomer(Customer{Name: "孙七"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	assert.Len(t, p.Instructions(), n)
}
