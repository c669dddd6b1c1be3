package wecomtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecomkit/wecom/crypto"
)

// Event is a callback event as WeCom sends it, before encryption: the
// common header (ToUserName, FromUserName "sys", CreateTime, MsgType
// "event") is added by the server; Fields follow Event and ChangeType in
// order.
type Event struct {
	Event      string // change_external_contact, change_external_chat, ...
	ChangeType string
	Fields     []Field
	// CreateTime is the event's time (Unix seconds); 0 means the server
	// clock's now when it is emitted.
	CreateTime int64
}

// Field is one element of an event.
type Field struct {
	Name  string
	Value string
	// Number writes the value bare rather than in CDATA (CreateTime,
	// JoinScene, MemChangeCnt, ...).
	Number bool
	// Items, when set, makes the element a list: <Name><Item>a</Item>...</Name>.
	Items []string
}

// Get returns the value of the named field.
func (e Event) Get(name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// XML renders the event as WeCom's flat event XML for corpID.
func (e Event) XML(corpID string) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	cdata(&b, "ToUserName", corpID)
	cdata(&b, "FromUserName", "sys")
	b.WriteString("<CreateTime>" + strconv.FormatInt(e.CreateTime, 10) + "</CreateTime>")
	cdata(&b, "MsgType", "event")
	cdata(&b, "Event", e.Event)
	if e.ChangeType != "" {
		cdata(&b, "ChangeType", e.ChangeType)
	}
	for _, f := range e.Fields {
		writeField(&b, f)
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// writeField writes one element of a callback: a list of <Item>s, a bare
// number, or text in CDATA.
func writeField(b *bytes.Buffer, f Field) {
	switch {
	case f.Items != nil:
		b.WriteString("<" + f.Name + ">")
		for _, it := range f.Items {
			cdata(b, "Item", it)
		}
		b.WriteString("</" + f.Name + ">")
	case f.Number:
		b.WriteString("<" + f.Name + ">" + f.Value + "</" + f.Name + ">")
	default:
		cdata(b, f.Name, f.Value)
	}
}

func cdata(b *bytes.Buffer, name, v string) {
	b.WriteString("<" + name + "><![CDATA[")
	// "]]>" cannot appear inside CDATA: split it across two sections.
	b.WriteString(strings.ReplaceAll(v, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}

// Delivery is the fate of one event sent to the callback URL.
type Delivery struct {
	Event     Event
	Attempts  int
	Delivered bool   // a 200 answer with body "success" or empty
	LastError string // of the last failed attempt
}

// sealer encrypts and signs event XML into a POST body and query.
type sealer func(plaintext []byte, now time.Time) (body []byte, query url.Values, err error)

type events struct {
	s        *Server
	mu       sync.Mutex
	all      []Event
	out      *deliveryQueue[Event, Delivery]
	url      string
	timeout  time.Duration
	interval time.Duration
	retries  int
	client   *http.Client
	seal     sealer
	// thirdParty marks the callback URL as a third-party app's data URL
	// (SetTenantCallback with a suite that is not 代开发): WeCom sends that
	// app's customer events to the suite's instruction URL, not there.
	thirdParty bool
	// instruct, set on a Provider's tenants, hands every customer event
	// to the instruction URLs of the third-party suites the tenant
	// installed. It is called with the Server's mu held and takes no
	// Server or Provider lock.
	instruct func(Event)
}

// isCustomerEvent reports whether event is one a third-party app receives
// as an instruction callback rather than on its data URL.
func isCustomerEvent(event string) bool {
	switch event {
	case "change_external_contact", "change_external_chat", "change_external_tag":
		return true
	}
	return false
}

func newEvents(s *Server) *events {
	e := &events{s: s, timeout: 5 * time.Second, interval: 5 * time.Second, retries: 3, client: &http.Client{}}
	e.out = newDeliveryQueue(e.deliver)
	e.seal = newSealer(s.CallbackToken, s.EncodingAESKey, s.CorpID, s.AgentID)
	return e
}

// newSealer seals events as WeCom does: encrypted for corpID with the
// callback credentials, in the <ToUserName/><AgentID/><Encrypt/> body,
// signed in the query (msg_signature, timestamp, nonce).
func newSealer(token, encodingAESKey, corpID string, agentID int) sealer {
	c, err := crypto.New(token, encodingAESKey, corpID)
	agent := strconv.Itoa(agentID)
	return func(plaintext []byte, now time.Time) ([]byte, url.Values, error) {
		if err != nil {
			return nil, nil, err
		}
		sealed, err := c.Seal(plaintext, now.Unix(), "")
		if err != nil {
			return nil, nil, err
		}
		return sealed.EventXML(corpID, agent), sealed.URLValues(), nil
	}
}

// SetCallback makes the server deliver every later event to url (the
// callback URL configured in WeCom's admin console), signed and encrypted
// with the server's CallbackToken and EncodingAESKey. Like WeCom, it waits
// timeout for an answer and, unless the answer is "success" (or empty),
// delivers again up to retries times, interval apart. Pass "" to stop.
func (s *Server) SetCallback(url string, timeout, interval time.Duration, retries int) {
	e := s.events
	e.mu.Lock()
	defer e.mu.Unlock()
	e.url = url
	if timeout > 0 {
		e.timeout = timeout
	}
	if interval >= 0 {
		e.interval = interval
	}
	if retries >= 0 {
		e.retries = retries
	}
	if url != "" {
		e.out.start()
	}
}

// SendEvent emits ev as if a state change had happened: it is recorded
// and, when a callback is set, delivered.
func (s *Server) SendEvent(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emit(ev)
}

// Events returns every event emitted so far, in order.
func (s *Server) Events() []Event {
	e := s.events
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.all...)
}

// Deliveries returns the finished deliveries, in order.
func (s *Server) Deliveries() []Delivery {
	return s.events.out.delivered()
}

// WaitForDeliveries blocks until every emitted event has been delivered
// or given up on, or ctx ends.
func (s *Server) WaitForDeliveries(ctx context.Context) error {
	e := s.events
	for {
		e.mu.Lock()
		noURL := e.url == ""
		e.mu.Unlock()
		if noURL || e.out.idle() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// emit records ev and queues it for delivery: to the callback URL and,
// for a Provider's tenant, a customer event to the instruction URL of
// each third-party suite installed (in the instruction shape; not to a
// third-party app's data URL). Call it with s.mu held.
func (s *Server) emit(ev Event) {
	if ev.CreateTime == 0 {
		ev.CreateTime = s.clock.Now().Unix()
	}
	e := s.events
	customer := isCustomerEvent(ev.Event)
	e.mu.Lock()
	e.all = append(e.all, ev)
	if e.url != "" && !(customer && e.thirdParty) {
		e.out.push(ev)
	}
	instruct := e.instruct
	e.mu.Unlock()
	if customer && instruct != nil {
		instruct(ev)
	}
}

func (e *events) close() { e.out.close() }

// deliver posts ev to the callback URL as configured now, repeating it
// like WeCom; it runs on the delivery queue's goroutine.
func (e *events) deliver(ev Event) Delivery {
	e.mu.Lock()
	target, timeout, interval, retries := e.url, e.timeout, e.interval, e.retries
	e.mu.Unlock()
	d := Delivery{Event: ev}
	plain := ev.XML(e.s.CorpID)
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 && !e.sleep(interval) {
			break
		}
		d.Attempts++
		err := e.post(plain, target, timeout)
		if err == nil {
			d.Delivered = true
			return d
		}
		d.LastError = err.Error()
	}
	return d
}

// sleep waits d unless the server closes first.
func (e *events) sleep(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if e.out.isClosed() {
			return false
		}
		time.Sleep(min(10*time.Millisecond, time.Until(deadline)))
	}
	return true
}

func (e *events) post(plain []byte, target string, timeout time.Duration) error {
	if e.seal == nil {
		return errors.New("wecomtest: callback encryption is not available")
	}
	body, q, err := e.seal(plain, e.s.clock.Now())
	if err != nil {
		return err
	}
	return postSealed(e.client, target, body, q, timeout, "callback")
}

// postSealed POSTs a sealed callback body to target with the signature
// query q, as WeCom does, and checks the answer is "success" (or empty).
// what names the kind of callback in the error.
func postSealed(client *http.Client, target string, body []byte, q url.Values, timeout time.Duration, what string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	vals := u.Query()
	for k, v := range q {
		vals[k] = v
	}
	u.RawQuery = vals.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	r := strings.TrimSpace(string(reply))
	if resp.StatusCode != http.StatusOK || (r != "success" && r != "") {
		return errors.New(what + " answered " + resp.Status + ": " + strconvQuote(r))
	}
	return nil
}

func strconvQuote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// ---- events of the core state, emitted by fixtures and handlers ----

// emitContactChange emits a change_external_contact event. For
// add_external_contact and add_half_external_contact it issues a welcome
// code (valid 20 seconds) for send_welcome_msg.
func (s *Server) emitContactChange(changeType, userID, externalUserID, state string) {
	fields := []Field{{Name: "UserID", Value: userID}, {Name: "ExternalUserID", Value: externalUserID}}
	if changeType == "add_external_contact" || changeType == "add_half_external_contact" {
		if state != "" {
			fields = append(fields, Field{Name: "State", Value: state})
		}
		code := s.ids.ID("", 43)
		s.st.welcomeCodes[code] = welcomeCode{userID: userID, externalUserID: externalUserID, expires: s.clock.Now().Add(20 * time.Second)}
		fields = append(fields, Field{Name: "WelcomeCode", Value: code})
	}
	s.emit(Event{Event: "change_external_contact", ChangeType: changeType, Fields: fields})
}

// welcomeCode is a code from an add_external_contact event that
// send_welcome_msg accepts once, within 20 seconds.
type welcomeCode struct {
	userID, externalUserID string
	expires                time.Time
}
