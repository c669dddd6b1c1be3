package wecomtest

import (
	"errors"
	"log/slog"
	"os"
	"strconv"

	"github.com/wecomkit/wecom"
)

// Env is where a program connects: a real WeCom described by the WECOM_*
// environment, or an embedded demo server. It gives programs (the SDK's
// examples among them) their two modes with one call, so that a program
// run on a machine without a WeCom account still shows real output.
type Env struct {
	CorpID         string
	Secret         string
	AgentID        int    // WECOM_AGENT_ID; the demo server's agent id
	BaseURL        string // empty: WeCom itself
	Token          string // the callback token
	EncodingAESKey string // the callback key
	// Server is the embedded WeCom in demo mode, nil against a real one.
	Server *Server
}

// Embedded reports whether the program runs against the embedded server.
func (e *Env) Embedded() bool { return e.Server != nil }

// Options returns the wecom.Options for this environment (base URL, agent
// id).
func (e *Env) Options() []wecom.Option {
	var opts []wecom.Option
	if e.BaseURL != "" {
		opts = append(opts, wecom.WithBaseURL(e.BaseURL))
	}
	if e.AgentID > 0 {
		opts = append(opts, wecom.WithAgentID(e.AgentID))
	}
	return opts
}

// Client returns a wecom.Client for this environment, with opts appended.
func (e *Env) Client(opts ...wecom.Option) (*wecom.Client, error) {
	return wecom.New(e.CorpID, e.Secret, append(e.Options(), opts...)...)
}

// Close stops the embedded server, if any.
func (e *Env) Close() {
	if e.Server != nil {
		e.Server.Close()
	}
}

// EnvOrDemo reads WECOM_CORP_ID, WECOM_SECRET, WECOM_AGENT_ID,
// WECOM_BASE_URL, WECOM_TOKEN and WECOM_ENCODING_AES_KEY. Without a corp id
// and secret it starts an embedded server seeded with d (and opts), and
// says so on log. Close the Env when done.
//
// Since 2023-12-01, corps new to customer contact call its API with the
// secret of a self-built app listed under 客户联系 > 可调用接口的应用: set
// WECOM_SECRET to that app's secret and WECOM_AGENT_ID to its agentid.
func EnvOrDemo(log *slog.Logger, d Demo, opts ...Option) (*Env, error) {
	e := &Env{
		CorpID:         os.Getenv("WECOM_CORP_ID"),
		Secret:         os.Getenv("WECOM_SECRET"),
		BaseURL:        os.Getenv("WECOM_BASE_URL"),
		Token:          os.Getenv("WECOM_TOKEN"),
		EncodingAESKey: os.Getenv("WECOM_ENCODING_AES_KEY"),
	}
	if v := os.Getenv("WECOM_AGENT_ID"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil || id <= 0 {
			return nil, errors.New("wecomtest: WECOM_AGENT_ID must be a positive number")
		}
		e.AgentID = id
	}
	if e.CorpID != "" && e.Secret != "" {
		return e, nil
	}
	if e.CorpID != "" || e.Secret != "" {
		return nil, errors.New("wecomtest: set both WECOM_CORP_ID and WECOM_SECRET, or neither for the embedded demo server")
	}
	srv, err := NewServer(append([]Option{WithDemo(d)}, opts...)...)
	if err != nil {
		return nil, err
	}
	if log != nil {
		log.Info("WECOM_CORP_ID and WECOM_SECRET not set: using an embedded demo WeCom (package wecomtest)", "url", srv.URL)
	}
	return &Env{
		CorpID:         srv.CorpID,
		Secret:         srv.Secret,
		AgentID:        srv.AgentID,
		BaseURL:        srv.URL,
		Token:          srv.CallbackToken,
		EncodingAESKey: srv.EncodingAESKey,
		Server:         srv,
	}, nil
}
