// Command sidebar is a chat-toolbar sidebar (聊天工具栏侧边栏): the page a
// member opens beside a chat with a customer, showing that customer's
// name, tags and the member's follow info. It is a plain net/http server
// with html/template:
//
//   - the member signs in with OAuth2 (package oauth): the page redirects to
//     the authorize URL and the callback exchanges the code for the userid;
//   - the page gets its wx.config and wx.agentConfig signatures rendered in
//     (package jssdk; the tickets are cached and fetched once however many
//     members open the page);
//   - the page asks the JS-SDK for the current customer (getCurExternalContact)
//     and the server reads them with externalcontact GetCustomer;
//   - a page whose signature WeCom refuses reports it, and the server drops
//     the ticket if it is still the current one (jssdk Reject).
//
// Against a real WeCom set WECOM_CORP_ID, WECOM_SECRET (the secret of the
// self-built app that hosts the sidebar, with customer-contact permission)
// and WECOM_AGENT_ID, serve -addr behind the app's trusted domain and set
// -public-url to the URL members reach it at. With none set it runs against
// an embedded demo WeCom: the authorize step is simulated (a code issued
// for a demo member) and the WeCom JS bridge is replaced by a stub script
// that returns a demo customer and checks the page's signatures against
// the embedded server.
//
//	go run ./examples/sidebar -addr 127.0.0.1:8080   # then open http://127.0.0.1:8080/
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/jssdk"
	"github.com/wecomkit/wecom/oauth"
	"github.com/wecomkit/wecom/wecomtest"
)

//go:embed page.html
var pageHTML string

//go:embed sidebar.js
var sidebarJS string

//go:embed bridge_stub.js
var bridgeStubJS string

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	publicURL := flag.String("public-url", "", "the URL members reach the sidebar at, such as https://sidebar.example.com (default: from each request's Host)")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()
	if err := run(ctx, log, *addr, *publicURL); err != nil {
		log.Error("sidebar failed", "err", err)
		stop()
		os.Exit(1)
	}
}

// demoData is the embedded WeCom's data: a few members and customers.
var demoData = wecomtest.Demo{Users: 4, Customers: 12}

func run(ctx context.Context, log *slog.Logger, addr, publicURL string) error {
	cfg, closeDemo, err := demo.Load(log, demoData)
	if err != nil {
		return err
	}
	defer closeDemo()

	agentID := 0
	if cfg.Embedded() {
		agentID = cfg.Server.AgentID
	} else if agentID, err = strconv.Atoi(os.Getenv("WECOM_AGENT_ID")); err != nil || agentID <= 0 {
		return errors.New("set WECOM_AGENT_ID to the agentid of the app that hosts the sidebar")
	}
	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log), wecom.WithAgentID(agentID))...)
	if err != nil {
		return err
	}
	app, err := newApp(log, client, cfg.Server, publicURL)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: app.routes(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("listening", "url", "http://"+ln.Addr().String()+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	log.Info("stopped")
	return err
}

// app is the sidebar's state: the SDK services, the session key and, in
// demo mode, the embedded WeCom.
type app struct {
	log       *slog.Logger
	client    *wecom.Client
	tickets   *jssdk.Service
	signIn    *oauth.Service
	customers *externalcontact.Service
	page      *template.Template
	key       []byte // signs session cookies
	publicURL string
	// demo is the embedded WeCom, nil against a real one; demoMember and
	// demoCustomer are whom the simulated sign-in and JS bridge return.
	demo                     *wecomtest.Server
	demoMember, demoCustomer string
}

func newApp(log *slog.Logger, c *wecom.Client, srv *wecomtest.Server, publicURL string) (*app, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	page, err := template.New("page").Parse(pageHTML)
	if err != nil {
		return nil, err
	}
	a := &app{
		log:       log,
		client:    c,
		tickets:   jssdk.New(c, nil),
		signIn:    oauth.New(c),
		customers: externalcontact.New(c),
		page:      page,
		key:       key,
		publicURL: strings.TrimSuffix(publicURL, "/"),
		demo:      srv,
	}
	if srv != nil {
		a.demoMember, a.demoCustomer = pickDemoChat(srv)
		if a.demoCustomer == "" {
			return nil, errors.New("the demo data has no member with a tagged customer")
		}
		log.Info("demo: the sidebar signs in a demo member and the stub JS bridge opens a chat with a demo customer",
			"member", a.demoMember, "external_userid", a.demoCustomer)
	}
	return a, nil
}

// pickDemoChat returns the active member with the customer-contact
// feature who put the most tags on one customer, and that customer: the
// demo's chat.
func pickDemoChat(srv *wecomtest.Server) (userID, externalUserID string) {
	most := 0
	for _, u := range srv.Users() {
		if !u.CustomerContact || u.Resigned || u.Inactive {
			continue
		}
		for _, f := range srv.FollowsOf(u.UserID) {
			if n := len(f.TagIDs); n > most {
				most, userID, externalUserID = n, u.UserID, f.ExternalUserID
			}
		}
	}
	return userID, externalUserID
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.sidebar)
	mux.HandleFunc("GET /oauth/callback", a.oauthCallback)
	mux.HandleFunc("GET /api/customer", a.customer)
	mux.HandleFunc("POST /api/signature-rejected", a.signatureRejected)
	mux.HandleFunc("GET /static/sidebar.js", serveJS(sidebarJS))
	if a.demo != nil {
		mux.HandleFunc("GET /demo/authorize", a.demoAuthorize)
		mux.HandleFunc("GET /demo/bridge.js", serveJS(bridgeStubJS))
		mux.HandleFunc("POST /demo/bridge/verify", a.demoVerify)
	}
	return mux
}

func serveJS(src string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = io.WriteString(w, src)
	}
}

// base returns the sidebar's origin as the member's browser sees it.
func (a *app) base(r *http.Request) string {
	if a.publicURL != "" {
		return a.publicURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Sessions: the member's userid in a cookie signed with the app's key.

const (
	sessionCookie = "sidebar_session"
	stateCookie   = "sidebar_oauth_state"
)

func (a *app) mac(v string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

func (a *app) member(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	userID, sig, ok := strings.Cut(c.Value, ".")
	if !ok || userID == "" || !hmac.Equal([]byte(sig), []byte(a.mac(userID))) {
		return "", false
	}
	return userID, true
}

// randomState is an OAuth state: letters and digits, as WeCom requires.
func randomState() (string, error) {
	return jssdk.Nonce() // 16 letters and digits from crypto/rand
}

// sidebar serves the page: a member who is not signed in is sent to sign
// in first; a signed-in one gets the page with its signatures.
func (a *app) sidebar(w http.ResponseWriter, r *http.Request) {
	userID, ok := a.member(r)
	if !ok {
		a.startSignIn(w, r)
		return
	}
	pageURL := a.base(r) + r.URL.RequestURI()
	cfg, err := a.tickets.SignConfig(r.Context(), pageURL)
	if err != nil {
		a.fail(w, r, "sign wx.config", err)
		return
	}
	agent, err := a.tickets.SignAgentConfig(r.Context(), pageURL)
	if err != nil {
		a.fail(w, r, "sign wx.agentConfig", err)
		return
	}
	data := struct {
		Member string
		Demo   bool
		Boot   any
	}{
		Member: userID,
		Demo:   a.demo != nil,
		Boot: map[string]any{
			"member":      userID,
			"config":      cfg,
			"agentConfig": agent,
			"demo":        a.demo != nil,
		},
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // the signatures are for this load
	if err := a.page.Execute(w, data); err != nil {
		a.log.Warn("render page", "err", err)
	}
}

func (a *app) startSignIn(w http.ResponseWriter, r *http.Request) {
	state, err := randomState()
	if err != nil {
		a.fail(w, r, "make state", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/oauth/", HttpOnly: true, MaxAge: 300, SameSite: http.SameSiteLaxMode})
	authURL, err := a.signIn.AuthorizeURL(&oauth.AuthorizeRequest{
		RedirectURI: a.base(r) + "/oauth/callback",
		Scope:       oauth.ScopeBase,
		State:       state,
	})
	if err != nil {
		a.fail(w, r, "authorize URL", err)
		return
	}
	if a.demo != nil {
		// The embedded demo has no open.weixin.qq.com: the same query goes
		// to a local stand-in that signs in the demo member.
		u, _ := url.Parse(authURL)
		authURL = "/demo/authorize?" + u.RawQuery
	}
	http.Redirect(w, r, authURL, http.StatusFound)
}

// oauthCallback is the redirect URI: it checks the state and exchanges the
// code for the visitor.
func (a *app) oauthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := r.Cookie(stateCookie)
	if err != nil || q.Get("state") == "" || !hmac.Equal([]byte(c.Value), []byte(q.Get("state"))) {
		http.Error(w, "sign-in expired or forged: open the sidebar again", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: "/oauth/", MaxAge: -1})
	id, err := a.signIn.GetUserInfo(r.Context(), q.Get("code"))
	if err != nil {
		a.fail(w, r, "sign in", err)
		return
	}
	switch v := id.(type) {
	case *oauth.Member:
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v.UserID + "." + a.mac(v.UserID), Path: "/",
			HttpOnly: true, MaxAge: 8 * 3600, SameSite: http.SameSiteLaxMode})
		a.log.Info("member signed in", "userid", v.UserID)
		http.Redirect(w, r, "/", http.StatusFound)
	case *oauth.NonMember:
		http.Error(w, "this sidebar is for members of the corp", http.StatusForbidden)
	}
}

// customerView is what the page shows of a customer.
type customerView struct {
	ExternalUserID string      `json:"external_userid"`
	Name           string      `json:"name"`
	CorpName       string      `json:"corp_name,omitempty"`
	Avatar         string      `json:"avatar,omitempty"`
	WeCom          bool        `json:"wecom"` // a WeCom user, not a WeChat one
	Follow         *followView `json:"follow,omitempty"`
	OtherFollowers []string    `json:"other_followers"`
	Tags           []tagView   `json:"tags"`
}

type followView struct {
	Remark      string `json:"remark,omitempty"`
	Description string `json:"description,omitempty"`
	AddedOn     string `json:"added_on"`
	AddWay      string `json:"add_way"`
	State       string `json:"state,omitempty"`
}

type tagView struct {
	Group string `json:"group"`
	Name  string `json:"name"`
}

// customer answers the page's request for the current chat's customer,
// seen by the signed-in member.
func (a *app) customer(w http.ResponseWriter, r *http.Request) {
	userID, ok := a.member(r)
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	ext := r.URL.Query().Get("external_userid")
	if ext == "" {
		http.Error(w, "external_userid missing", http.StatusBadRequest)
		return
	}
	d, err := a.customers.GetCustomer(r.Context(), ext)
	if err != nil {
		a.fail(w, r, "get customer", err)
		return
	}
	v := customerView{
		ExternalUserID: d.ExternalContact.ExternalUserID,
		Name:           d.ExternalContact.Name,
		CorpName:       d.ExternalContact.CorpName,
		Avatar:         d.ExternalContact.Avatar,
		WeCom:          d.ExternalContact.Type == externalcontact.ContactTypeWeCom,
		OtherFollowers: []string{},
		Tags:           []tagView{},
	}
	for _, f := range d.FollowUsers {
		if f.UserID != userID {
			v.OtherFollowers = append(v.OtherFollowers, f.UserID)
			continue
		}
		v.Follow = &followView{
			Remark:      f.Remark,
			Description: f.Description,
			AddedOn:     time.Unix(f.CreateTime, 0).Format("2006-01-02"),
			AddWay:      f.AddWay.String(),
			State:       f.State,
		}
		for _, t := range f.Tags {
			v.Tags = append(v.Tags, tagView{Group: t.GroupName, Name: t.TagName})
		}
	}
	if v.Follow == nil {
		http.Error(w, "this customer is not yours", http.StatusForbidden)
		return
	}
	writeJSON(w, v)
}

// signatureRejected takes a signature the JS-SDK refused and drops the
// ticket behind it if it is still current.
func (a *app) signatureRejected(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.member(r); !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	var sig jssdk.Signature
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&sig); err != nil {
		http.Error(w, "bad signature report", http.StatusBadRequest)
		return
	}
	dropped, err := a.tickets.Reject(r.Context(), &sig)
	if err != nil {
		a.fail(w, r, "reject signature", err)
		return
	}
	a.log.Warn("the page reported a refused signature", "kind", sig.Kind(), "ticket_dropped", dropped)
	writeJSON(w, map[string]bool{"dropped": dropped})
}

// demoAuthorize stands in for open.weixin.qq.com on the embedded demo: it
// checks the authorize URL's query and sends the browser back with a code
// for the demo member.
func (a *app) demoAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("appid") != a.client.CorpID() || q.Get("response_type") != "code" || q.Get("scope") == "" {
		http.Error(w, "demo authorize: not an authorize URL of this corp", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host != r.Host {
		http.Error(w, "demo authorize: redirect_uri outside the trusted domain (50001)", http.StatusBadRequest)
		return
	}
	code, err := a.demo.OAuthCode(a.demoMember)
	if err != nil {
		a.fail(w, r, "demo code", err)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// demoVerify is the stub bridge's check of a signature, as WeCom's client
// makes it: against the tickets the embedded server issued.
func (a *app) demoVerify(w http.ResponseWriter, r *http.Request) {
	var sig wecomtest.JSSDKSignature
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&sig); err != nil {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	resp := map[string]any{"errcode": 0, "errmsg": "ok", "external_userid": a.demoCustomer}
	if err := a.demo.VerifyJSSDKSignature(sig); err != nil {
		var ae *wecomtest.APIError
		if errors.As(err, &ae) {
			resp = map[string]any{"errcode": ae.Code, "errmsg": ae.Message}
		} else {
			resp = map[string]any{"errcode": -1, "errmsg": err.Error()}
		}
	}
	writeJSON(w, resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// fail logs err and answers 502 without the details: a WeCom error names
// endpoints and codes, not for the page.
func (a *app) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.Error(what, "path", r.URL.Path, "err", err)
	msg := what + " failed"
	if code := wecom.ErrorCode(err); code != 0 {
		msg += fmt.Sprintf(" (WeCom errcode %d)", int(code))
	}
	http.Error(w, msg, http.StatusBadGateway)
}
