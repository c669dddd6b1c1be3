package wecomtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

// echo registers a test endpoint that answers with the body it got.
func echo(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/test/echo", func(c *call) (any, error) {
		var in map[string]any
		if err := c.decode(&in); err != nil {
			return nil, err
		}
		return map[string]any{"got": in}, nil
	})
}

func rawCall(t *testing.T, s *Server, method, path string, q url.Values, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path+"?"+q.Encode(), strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func token(t *testing.T, s *Server) string {
	_, out := rawCall(t, s, "GET", "/cgi-bin/gettoken", url.Values{"corpid": {s.CorpID}, "corpsecret": {s.Secret}}, "")
	require.EqualValues(t, 0, out["errcode"])
	require.EqualValues(t, 7200, out["expires_in"])
	return out["access_token"].(string)
}

func TestGettokenAndTokenChecks(t *testing.T) {
	clk := NewManualClock(time.Unix(1_700_000_000, 0))
	s := Start(t, WithClock(clk))
	echo(s)

	_, out := rawCall(t, s, "GET", "/cgi-bin/gettoken", url.Values{"corpid": {"wrong"}, "corpsecret": {s.Secret}}, "")
	assert.EqualValues(t, 40013, out["errcode"])
	_, out = rawCall(t, s, "GET", "/cgi-bin/gettoken", url.Values{"corpid": {s.CorpID}, "corpsecret": {"wrong"}}, "")
	assert.EqualValues(t, 40001, out["errcode"])
	assert.Contains(t, out["errmsg"], "hint: [")

	tok := token(t, s)
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{}, `{"a":1}`)
	assert.EqualValues(t, 41001, out["errcode"])
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {"nope"}}, `{"a":1}`)
	assert.EqualValues(t, 40014, out["errcode"])
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{"a":1}`)
	assert.EqualValues(t, 0, out["errcode"])
	assert.Equal(t, "ok", out["errmsg"])
	assert.Equal(t, map[string]any{"a": float64(1)}, out["got"])

	clk.Advance(7200 * time.Second)
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{"a":1}`)
	assert.EqualValues(t, 42001, out["errcode"])

	tok2 := token(t, s)
	s.RevokeTokens()
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok2}}, `{}`)
	assert.EqualValues(t, 40014, out["errcode"])
	assert.Equal(t, 2, s.TokensIssued())
}

func TestValidationAnswers(t *testing.T) {
	s := Start(t)
	echo(s)
	tok := token(t, s)
	_, out := rawCall(t, s, "GET", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, "")
	assert.EqualValues(t, 43002, out["errcode"])
	_, out = rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{not json`)
	assert.EqualValues(t, 47001, out["errcode"])
	status, _ := rawCall(t, s, "POST", "/cgi-bin/no/such/api", url.Values{"access_token": {tok}}, `{}`)
	assert.Equal(t, 404, status)
}

func TestRecordingDropsTheToken(t *testing.T) {
	s := Start(t)
	echo(s)
	tok := token(t, s)
	rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}, "debug": {"1"}}, `{"k":"v"}`)
	reqs := s.RequestsTo("/cgi-bin/test/echo")
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, url.Values{"debug": {"1"}}, reqs[0].Query)
	assert.JSONEq(t, `{"k":"v"}`, string(reqs[0].Body))
	assert.Equal(t, 0, reqs[0].ErrCode)
	assert.Len(t, s.Requests(), 2)
	s.ResetRequests()
	assert.Empty(t, s.Requests())
}

func TestRateLimitPerAPIAndWindow(t *testing.T) {
	clk := NewManualClock(time.Unix(1_700_000_040, 0))
	s := Start(t, WithClock(clk), WithAPIRateLimit("/cgi-bin/test/echo", 3))
	echo(s)
	tok := token(t, s)
	codes := []float64{}
	for i := 0; i < 5; i++ {
		_, out := rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{}`)
		codes = append(codes, out["errcode"].(float64))
	}
	assert.Equal(t, []float64{0, 0, 0, 45009, 45009}, codes)
	clk.Advance(time.Minute)
	_, out := rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{}`)
	assert.EqualValues(t, 0, out["errcode"], "a new minute window")
}

func TestFaultInjection(t *testing.T) {
	s := Start(t)
	echo(s)
	c, err := s.Client(wecom.WithRetryPolicy(wecom.NoRetry))
	require.NoError(t, err)
	ctx := context.Background()
	do := func() error {
		return c.Do(ctx, &wecom.Request{Method: "POST", Path: "/cgi-bin/test/echo", Body: map[string]int{"n": 1}}, nil)
	}
	require.NoError(t, do())

	s.FailNext("/cgi-bin/test/echo", 1, FaultRateLimited)
	assert.True(t, wecom.IsRateLimited(do()))
	require.NoError(t, do(), "only the next call")

	s.FailNext("/cgi-bin/test/echo", 1, FaultBadGateway)
	var e *wecom.Error
	require.ErrorAs(t, do(), &e)
	assert.Equal(t, 502, e.HTTPStatus)
	assert.True(t, e.MaybeApplied)

	s.FailNext("/cgi-bin/test/echo", 1, FaultDropped)
	require.ErrorAs(t, do(), &e)
	assert.Equal(t, 0, e.HTTPStatus)

	before := s.TokensIssued()
	s.FailNext("/cgi-bin/test/echo", 1, FaultTokenRevoked)
	require.NoError(t, do(), "the client refreshes the revoked token and repeats once")
	assert.Equal(t, before+1, s.TokensIssued())

	s.FailNext("/cgi-bin/test/echo", 1, Fault{Code: -1, AfterApply: true})
	assert.True(t, wecom.IsBusy(do()))
	reqs := s.RequestsTo("/cgi-bin/test/echo")
	assert.Equal(t, -1, reqs[len(reqs)-1].ErrCode)

	s.FailNext("", 1, Fault{Delay: 30 * time.Millisecond})
	start := time.Now()
	require.NoError(t, do())
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

func TestFaultRateIsSeeded(t *testing.T) {
	run := func() []int {
		s := Start(t, WithSeed(42))
		echo(s)
		tok := token(t, s)
		s.SetFaultRate(0.3, FaultBusy, FaultRateLimited)
		var codes []int
		for i := 0; i < 50; i++ {
			_, out := rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{}`)
			codes = append(codes, int(out["errcode"].(float64)))
		}
		s.ClearFaults()
		_, out := rawCall(t, s, "POST", "/cgi-bin/test/echo", url.Values{"access_token": {tok}}, `{}`)
		assert.EqualValues(t, 0, out["errcode"])
		return codes
	}
	a, b := run(), run()
	assert.Equal(t, a, b)
	failed := 0
	for _, c := range a {
		if c != 0 {
			failed++
		}
	}
	assert.InDelta(t, 15, failed, 10)
}

func TestDemoIsDeterministic(t *testing.T) {
	d := Demo{Seed: 7, Users: 5, Customers: 40, Relations: 55, GroupChats: 3}
	a := Start(t, WithDemo(d))
	b := Start(t, WithDemo(d))
	assert.Equal(t, a.Users(), b.Users())
	assert.Equal(t, a.CustomerIDs(), b.CustomerIDs())
	assert.Equal(t, a.TagGroups(), b.TagGroups())
	assert.Equal(t, a.GroupChats(), b.GroupChats())
	assert.Len(t, a.Users(), 6, "5 active and 1 resigned")
	// Customers and Relations count what the 5 active members serve; the
	// resigned member left 40/5 customers of their own on top.
	served, relations, left := map[string]bool{}, 0, 0
	for _, u := range a.Users() {
		for _, f := range a.FollowsOf(u.UserID) {
			if u.Resigned {
				left++
				continue
			}
			served[f.ExternalUserID] = true
			relations++
		}
	}
	assert.Len(t, served, 40, "customers of the active members")
	assert.Equal(t, 55, relations, "relations of the active members")
	assert.Equal(t, 8, left, "the resigned member's")
	assert.Len(t, a.CustomerIDs(), 48)
	assert.Equal(t, 63, a.RelationCount())
	assert.Len(t, a.GroupChats(), 3)
	assert.Len(t, a.TagGroups(), 4)
	for _, id := range a.CustomerIDs() {
		assert.Regexp(t, `^wm[A-Za-z0-9]{30}$`, id)
		_, fs, ok := a.Customer(id)
		require.True(t, ok)
		assert.NotEmpty(t, fs)
	}
	var resigned int
	for _, u := range a.Users() {
		assert.Regexp(t, `^[a-z]+[0-9x]*$`, u.UserID)
		assert.NotEmpty(t, u.Name)
		if u.Resigned {
			resigned++
			assert.NotEmpty(t, a.FollowsOf(u.UserID))
		}
	}
	assert.Equal(t, 1, resigned)
}

func TestFixtures(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.AddUser(User{UserID: "zhangsan", Name: "张三", CustomerContact: true}))
	assert.Error(t, s.AddUser(User{UserID: "zhangsan"}))
	c, err := s.AddCustomer(Customer{Name: "李四"}, Follow{UserID: "zhangsan", Remark: "老客户", TagIDs: []string{"et1"}})
	require.NoError(t, err)
	got, fs, ok := s.Customer(c.ExternalUserID)
	require.True(t, ok)
	assert.Equal(t, "李四", got.Name)
	assert.Equal(t, 1, got.Type)
	require.Len(t, fs, 1)
	assert.Equal(t, "老客户", fs[0].Remark)
	assert.NotZero(t, fs[0].CreateTime)
	_, err = s.AddCustomer(Customer{Name: "x"}, Follow{UserID: "nobody"})
	assert.Error(t, err)

	g, err := s.AddTagGroup(TagGroup{GroupName: "等级", Tags: []Tag{{Name: "VIP"}}})
	require.NoError(t, err)
	assert.Regexp(t, `^et`, g.GroupID)
	assert.Regexp(t, `^et`, g.Tags[0].ID)

	chat, err := s.AddGroupChat(GroupChat{Name: "福利群", Owner: "zhangsan"})
	require.NoError(t, err)
	back, ok := s.GroupChat(chat.ChatID)
	require.True(t, ok)
	assert.Equal(t, "福利群", back.Name)

	evs := s.Events()
	require.Len(t, evs, 1)
	assert.Equal(t, "add_external_contact", evs[0].ChangeType)
	assert.Equal(t, c.ExternalUserID, evs[0].Get("ExternalUserID"))
	assert.NotEmpty(t, evs[0].Get("WelcomeCode"))
}

func TestEventXML(t *testing.T) {
	ev := Event{Event: "change_external_chat", ChangeType: "update", CreateTime: 1403610513, Fields: []Field{
		{Name: "ChatId", Value: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"},
		{Name: "UpdateDetail", Value: "add_member"},
		{Name: "JoinScene", Value: "1", Number: true},
		{Name: "MemChangeList", Items: []string{"Jack", "Rose"}},
		{Name: "Odd", Value: "a]]>b"},
	}}
	assert.Equal(t, `<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChangeType><![CDATA[update]]></ChangeType><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene><MemChangeList><Item><![CDATA[Jack]]></Item><Item><![CDATA[Rose]]></Item></MemChangeList><Odd><![CDATA[a]]]]><![CDATA[>b]]></Odd></xml>`,
		string(ev.XML("ww1")))
}

func TestPaging(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	p, next, err := page("t", items, "", 2)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, p)
	p, next, err = page("t", items, next, 2)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4}, p)
	p, next, err = page("t", items, next, 2)
	require.NoError(t, err)
	assert.Equal(t, []int{5}, p)
	assert.Equal(t, "", next)
	_, _, err = page("other", items, encodeCursor("t", 2), 2)
	assert.Error(t, err)
	_, _, err = page("t", items, "!!", 2)
	assert.Error(t, err)
	_, _, err = page("t", items, encodeCursor("t", 99), 2)
	assert.Error(t, err)
	n, err := checkLimit(0, 50, 100)
	assert.Equal(t, 50, n)
	assert.NoError(t, err)
	_, err = checkLimit(101, 50, 100)
	assert.Error(t, err)
}

func TestNewServerRejectsBadOptions(t *testing.T) {
	_, err := NewServer(WithClock(nil))
	assert.Error(t, err)
	_, err = NewServer(WithTokenTTL(0))
	assert.Error(t, err)
	_, err = NewServer(WithCallbackCredentials("t", "short"))
	assert.Error(t, err)
	_, err = NewServer(WithSecret(""))
	assert.Error(t, err)
}

func TestResignUser(t *testing.T) {
	clk := NewManualClock(time.Unix(1_700_000_000, 0))
	s := Start(t, WithClock(clk))
	require.NoError(t, s.AddUser(User{UserID: "zhangsan", CustomerContact: true}))
	require.NoError(t, s.AddUser(User{UserID: "lisi", CustomerContact: true}))
	c, err := s.AddCustomer(Customer{Name: "王五"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	g, err := s.AddGroupChat(GroupChat{Name: "门店群", Owner: "zhangsan"})
	require.NoError(t, err)
	tok := token(t, s)
	q := url.Values{"access_token": {tok}}

	_, out := rawCall(t, s, "POST", "/cgi-bin/externalcontact/get_unassigned_list", q, `{"page_size":100}`)
	assert.Empty(t, out["info"], "nobody has left yet")

	clk.Advance(time.Hour)
	require.NoError(t, s.ResignUser("zhangsan"))
	assert.Error(t, s.ResignUser("nobody"))

	_, out = rawCall(t, s, "POST", "/cgi-bin/externalcontact/get_unassigned_list", q, `{"page_size":100}`)
	require.EqualValues(t, 0, out["errcode"])
	info := out["info"].([]any)
	require.Len(t, info, 1)
	row := info[0].(map[string]any)
	assert.Equal(t, "zhangsan", row["handover_userid"])
	assert.Equal(t, c.ExternalUserID, row["external_userid"])
	assert.EqualValues(t, 1_700_003_600, row["dimission_time"])

	_, out = rawCall(t, s, "POST", "/cgi-bin/externalcontact/groupchat/list", q, `{"status_filter":1,"limit":100}`)
	require.EqualValues(t, 0, out["errcode"])
	chats := out["group_chat_list"].([]any)
	require.Len(t, chats, 1)
	assert.Equal(t, g.ChatID, chats[0].(map[string]any)["chat_id"])

	_, out = rawCall(t, s, "GET", "/cgi-bin/externalcontact/get_follow_user_list", q, "")
	assert.Equal(t, []any{"lisi"}, out["follow_user"], "a member who left no longer serves customers")
}
