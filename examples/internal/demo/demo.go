// Package demo gives the example programs their two modes: against a real
// WeCom when WECOM_CORP_ID and WECOM_SECRET are set, and otherwise against
// an embedded wecomtest server seeded with demo data, so that
// `go run ./examples/<name>` shows real output on a machine with no WeCom
// account. A program copied out of examples/ needs only Config.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// Config is where an example connects: the WECOM_* environment, or the
// embedded server.
type Config struct {
	CorpID         string
	Secret         string
	BaseURL        string // empty: WeCom itself
	Token          string // callback token
	EncodingAESKey string // callback key
	// Server is the embedded WeCom in demo mode, nil against a real one.
	Server *wecomtest.Server
}

// Embedded reports whether the example runs against the embedded server.
func (c *Config) Embedded() bool { return c.Server != nil }

// Options returns the wecom.Options for this configuration.
func (c *Config) Options() []wecom.Option {
	if c.BaseURL == "" {
		return nil
	}
	return []wecom.Option{wecom.WithBaseURL(c.BaseURL)}
}

// Load reads WECOM_CORP_ID, WECOM_SECRET, WECOM_BASE_URL, WECOM_TOKEN and
// WECOM_ENCODING_AES_KEY. Without a corp id and secret it starts an
// embedded server with demo data (d) and says so on the logger. close
// stops the embedded server.
func Load(log *slog.Logger, d wecomtest.Demo, opts ...wecomtest.Option) (cfg *Config, close func(), err error) {
	cfg = &Config{
		CorpID:         os.Getenv("WECOM_CORP_ID"),
		Secret:         os.Getenv("WECOM_SECRET"),
		BaseURL:        os.Getenv("WECOM_BASE_URL"),
		Token:          os.Getenv("WECOM_TOKEN"),
		EncodingAESKey: os.Getenv("WECOM_ENCODING_AES_KEY"),
	}
	if cfg.CorpID != "" && cfg.Secret != "" {
		return cfg, func() {}, nil
	}
	if cfg.CorpID != "" || cfg.Secret != "" {
		return nil, nil, fmt.Errorf("set both WECOM_CORP_ID and WECOM_SECRET, or neither for the embedded demo server")
	}
	srv, err := wecomtest.NewServer(append([]wecomtest.Option{wecomtest.WithDemo(d)}, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	log.Info("WECOM_CORP_ID and WECOM_SECRET not set: using an embedded demo WeCom (package wecomtest)", "url", srv.URL)
	return &Config{
		CorpID:         srv.CorpID,
		Secret:         srv.Secret,
		BaseURL:        srv.URL,
		Token:          srv.CallbackToken,
		EncodingAESKey: srv.EncodingAESKey,
		Server:         srv,
	}, srv.Close, nil
}

// Logger returns a text logger on stderr at level (debug when verbose).
func Logger(verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// SignalContext returns a context canceled on SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
