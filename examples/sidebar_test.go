package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// sidebarDemo is the example's demo data (examples/sidebar demoData).
var sidebarDemo = wecomtest.Demo{Users: 4, Customers: 12}

// sidebarApp is a running examples/sidebar.
type sidebarApp struct {
	url            string // http://127.0.0.1:PORT/
	member         string // the demo member the simulated sign-in returns
	externalUserID string // the demo customer the stub bridge returns
	stderr         *syncBuffer
	cmd            *exec.Cmd
	done           chan error
}

var logField = regexp.MustCompile(`(\w+)=(\S+)`)

// startSidebar builds and runs the example on a free loopback port and
// waits for it to listen.
func startSidebar(t *testing.T) *sidebarApp {
	t.Helper()
	cmd := exec.Command(filepath.Join(build(t), "sidebar"), "-addr", "127.0.0.1:0")
	cmd.Env = cleanEnv()
	pr, pw := io.Pipe()
	app := &sidebarApp{stderr: &syncBuffer{}, cmd: cmd, done: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(app.stderr, pw)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() { app.done <- cmd.Wait(); pw.Close() }()

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr)
	}()
	timeout := time.After(30 * time.Second)
	for app.url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("exited before listening; stderr:\n%s", app.stderr.String())
			}
			fields := map[string]string{}
			for _, m := range logField.FindAllStringSubmatch(l, -1) {
				fields[m[1]] = m[2]
			}
			if fields["external_userid"] != "" {
				app.member, app.externalUserID = fields["member"], fields["external_userid"]
			}
			if fields["msg"] == "listening" {
				app.url = fields["url"]
			}
		case <-timeout:
			t.Fatalf("not listening after 30s; stderr:\n%s", app.stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	require.NotEmpty(t, app.externalUserID, "the demo names its member and customer")
	return app
}

// stop interrupts the example and expects a clean exit.
func (a *sidebarApp) stop(t *testing.T) {
	t.Helper()
	interrupt(t, a.cmd)
	select {
	case err := <-a.done:
		require.NoError(t, err, "stderr:\n%s", a.stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("no exit 15s after SIGINT")
	}
	assert.Contains(t, a.stderr.String(), "embedded demo WeCom")
	assert.Contains(t, a.stderr.String(), "msg=stopped")
	assert.NotContains(t, a.stderr.String(), "level=ERROR")
}

// expectedCustomer is what the page must show: the demo customer's name
// and the tags the demo member put on them, from the same demo data.
func expectedCustomer(t *testing.T, member, externalUserID string) (name string, tags []string) {
	t.Helper()
	srv := demoServer(t, sidebarDemo)
	c, follows, ok := srv.Customer(externalUserID)
	require.True(t, ok, "the demo customer %s is in the demo data", externalUserID)
	tagName := map[string]string{}
	for _, g := range srv.TagGroups() {
		for _, tg := range g.Tags {
			tagName[tg.ID] = tg.Name
		}
	}
	for _, f := range follows {
		if f.UserID == member {
			for _, id := range f.TagIDs {
				require.Contains(t, tagName, id)
				tags = append(tags, tagName[id])
			}
		}
	}
	require.NotEmpty(t, tags, "the demo chat is with a tagged customer")
	return c.Name, tags
}

// chromium returns the browser binary, skipping the test when there is
// none unless WECOM_REQUIRE_CHROMIUM=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WECOM_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("chromium not found and WECOM_REQUIRE_CHROMIUM=1 (Debian: apt-get install chromium)")
	}
	t.Skip("chromium not found (Debian: apt-get install chromium); set WECOM_REQUIRE_CHROMIUM=1 to fail instead")
	return ""
}

// headless runs chromium on pageURL with args added and returns stdout.
func headless(t *testing.T, bin, pageURL string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=10000",
	}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, pageURL)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "chromium stderr:\n%s", errb.String())
	return out.String()
}

// TestSidebarBrowser loads the sidebar in headless Chromium as a member
// would open it: sign-in through the (simulated) OAuth redirect, the
// signatures checked by the stub bridge against the embedded WeCom, and
// the current customer shown with their tags and follow info.
func TestSidebarBrowser(t *testing.T) {
	bin := chromium(t)
	app := startSidebar(t)
	name, tags := expectedCustomer(t, app.member, app.externalUserID)

	dom := headless(t, bin, app.url, "--dump-dom")
	assert.Contains(t, dom, `<span id="config-status" class="pill ok">wx.config OK</span>`)
	assert.Contains(t, dom, `<span id="signature-status" class="pill ok">Signature OK</span>`, "the stub bridge accepted the agentConfig signature")
	assert.Contains(t, dom, `<span id="entry" class="pill ok">entry single_chat_tools</span>`)
	assert.Contains(t, dom, `<b id="member">`+app.member+`</b>`, "signed in as the demo member")
	assert.Contains(t, dom, `<p id="customer-name" class="name">`+html.EscapeString(name)+`</p>`)
	for _, tag := range tags {
		assert.Contains(t, dom, `</small>`+html.EscapeString(tag)+`</span>`, "tag %s shown", tag)
	}
	assert.Contains(t, dom, "<dt>添加 Added</dt>", "follow info shown")
	assert.Contains(t, dom, `<div id="error" class="card" hidden="">`, "no error shown")

	if path := os.Getenv("WECOM_SIDEBAR_SCREENSHOT"); path != "" {
		abs, err := filepath.Abs(path)
		require.NoError(t, err)
		headless(t, bin, app.url, "--hide-scrollbars", "--window-size=420,560", "--screenshot="+abs)
		st, err := os.Stat(abs)
		require.NoError(t, err)
		assert.Greater(t, st.Size(), int64(1000))
	}
	app.stop(t)
}

// TestSidebarHTTP walks the same flow over plain HTTP (no browser): the
// sign-in redirects, the signatures rendered into the page, the bridge's
// check refusing a tampered one, the customer API and a reported
// signature dropping the ticket.
func TestSidebarHTTP(t *testing.T) {
	app := startSidebar(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	var hops []string
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		hops = append(hops, r.URL.String())
		return nil
	}}

	// A member who is not signed in goes through the authorize URL.
	res, err := hc.Get(app.url)
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", page)
	require.Len(t, hops, 3, "authorize, callback, page: %v", hops)
	auth, err := url.Parse(hops[0])
	require.NoError(t, err)
	assert.Equal(t, "/demo/authorize", auth.Path)
	q := auth.Query()
	assert.Equal(t, wecomtest.DefaultCorpID, q.Get("appid"))
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, "snsapi_base", q.Get("scope"))
	assert.Equal(t, strings.TrimSuffix(app.url, "/")+"/oauth/callback", q.Get("redirect_uri"))
	assert.Regexp(t, `^[a-zA-Z0-9]{16}$`, q.Get("state"))
	assert.Equal(t, "1000002", q.Get("agentid"))
	cb, err := url.Parse(hops[1])
	require.NoError(t, err)
	assert.Equal(t, "/oauth/callback", cb.Path)
	assert.Equal(t, q.Get("state"), cb.Query().Get("state"))
	assert.NotEmpty(t, cb.Query().Get("code"))

	// The page carries both signatures for its own URL.
	m := regexp.MustCompile(`window\.boot = (.*?);</script>`).FindSubmatch(page)
	require.NotNil(t, m, "%s", page)
	var boot struct {
		Member      string         `json:"member"`
		Config      map[string]any `json:"config"`
		AgentConfig map[string]any `json:"agentConfig"`
	}
	require.NoError(t, json.Unmarshal(m[1], &boot))
	assert.Equal(t, app.member, boot.Member)
	assert.Equal(t, app.url, boot.Config["url"])
	assert.Equal(t, wecomtest.DefaultCorpID, boot.Config["corpid"])
	assert.NotContains(t, boot.Config, "agentid")
	assert.Equal(t, float64(wecomtest.DefaultAgentID), boot.AgentConfig["agentid"])
	assert.NotContains(t, string(page), "ticket", "no ticket reaches the page")

	post := func(path string, v any) map[string]any {
		t.Helper()
		b, err := json.Marshal(v)
		require.NoError(t, err)
		res, err := hc.Post(strings.TrimSuffix(app.url, "/")+path, "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		var out map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		return out
	}
	// The stub bridge accepts both, and refuses a tampered one.
	assert.Equal(t, float64(0), post("/demo/bridge/verify", boot.Config)["errcode"])
	assert.Equal(t, float64(0), post("/demo/bridge/verify", boot.AgentConfig)["errcode"])
	tampered := map[string]any{}
	for k, v := range boot.AgentConfig {
		tampered[k] = v
	}
	tampered["url"] = app.url + "?other=1"
	assert.Equal(t, float64(40093), post("/demo/bridge/verify", tampered)["errcode"])

	// The customer API answers for the member's own customer.
	res, err = hc.Get(strings.TrimSuffix(app.url, "/") + "/api/customer?external_userid=" + app.externalUserID)
	require.NoError(t, err)
	var cust struct {
		ExternalUserID string `json:"external_userid"`
		Name           string `json:"name"`
		Tags           []struct {
			Group, Name string
		} `json:"tags"`
		Follow struct {
			AddedOn string `json:"added_on"`
			AddWay  string `json:"add_way"`
		} `json:"follow"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&cust))
	res.Body.Close()
	name, tags := expectedCustomer(t, app.member, app.externalUserID)
	assert.Equal(t, app.externalUserID, cust.ExternalUserID)
	assert.Equal(t, name, cust.Name)
	var gotTags []string
	for _, tg := range cust.Tags {
		gotTags = append(gotTags, tg.Name)
		assert.NotEmpty(t, tg.Group)
	}
	assert.ElementsMatch(t, tags, gotTags)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, cust.Follow.AddedOn)
	assert.NotEmpty(t, cust.Follow.AddWay)

	// A page reporting its current signature drops the ticket once.
	assert.Equal(t, true, post("/api/signature-rejected", boot.AgentConfig)["dropped"])
	assert.Equal(t, false, post("/api/signature-rejected", boot.AgentConfig)["dropped"], "already replaced")

	// Without a session the API refuses.
	res, err = http.Get(strings.TrimSuffix(app.url, "/") + "/api/customer?external_userid=" + app.externalUserID)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	// A callback with a forged state is refused.
	res, err = hc.Get(strings.TrimSuffix(app.url, "/") + "/oauth/callback?code=x&state=forged")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)

	app.stop(t)
	assert.Contains(t, app.stderr.String(), "member signed in")
}
