package wecomtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
