// Command saas-tenants is a multi-tenant service of a service provider
// (服务商): it receives the install callbacks of the corps that install its
// suite, keeps their permanent codes in a JSON file of its own (the SDK
// never stores them), and exports each tenant's customers as JSON lines on
// stdout: one line per (corp, customer, member) relation.
//
// With no WECOM_SUITE_* variables it runs against an embedded demo WeCom
// (package wecomtest's provider mode) where three demo corps install the
// suite. Against a real WeCom set WECOM_SUITE_ID, WECOM_SUITE_SECRET,
// WECOM_SUITE_TOKEN and WECOM_SUITE_AES_KEY (the instruction URL's
// credentials), serve the instruction URL with -listen, and run with
// -export once corps have installed.
//
//	go run ./examples/saas-tenants -store codes.json > customers.jsonl
//	go run ./examples/saas-tenants -listen :8080 -store codes.json   # real WeCom: instruction URL
//	go run ./examples/saas-tenants -export -store codes.json         # real WeCom: export
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/provider"
	"github.com/wecomkit/wecom/wecomtest"
)

// demoCorps are the corps that install the suite in the embedded demo.
var demoCorps = []string{"wwdemotenant00000001", "wwdemotenant00000002", "wwdemotenant00000003"}

// DemoData is what each demo corp is seeded with (its seed is its index+1).
var demoData = wecomtest.Demo{Users: 4, Customers: 25}

// line is one relation as written to stdout.
type line struct {
	CorpID         string `json:"corpid"`
	CorpName       string `json:"corp_name"`
	ExternalUserID string `json:"external_userid"`
	UserID         string `json:"userid"`
	Name           string `json:"name"`
	Remark         string `json:"remark,omitempty"`
}

func main() {
	storePath := flag.String("store", filepath.Join(os.TempDir(), "saas-tenants-codes.json"), "the JSON file of the tenants' permanent codes")
	listen := flag.String("listen", "", "real WeCom: serve the instruction URL on this address")
	export := flag.Bool("export", false, "real WeCom: export the tenants in the store and exit")
	verbose := flag.Bool("v", false, "debug logs")
	flag.Parse()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Stdout, *storePath, *listen, *export); err != nil {
		log.Error("saas-tenants failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, storePath, listen string, export bool) error {
	store, err := openStore(storePath)
	if err != nil {
		return err
	}
	cfg := suiteConfig{
		ID: os.Getenv("WECOM_SUITE_ID"), Secret: os.Getenv("WECOM_SUITE_SECRET"),
		Token: os.Getenv("WECOM_SUITE_TOKEN"), AESKey: os.Getenv("WECOM_SUITE_AES_KEY"), BaseURL: os.Getenv("WECOM_BASE_URL"),
	}
	var wc *wecomtest.Provider
	if cfg.ID == "" {
		if wc, err = startDemo(); err != nil {
			return err
		}
		defer wc.Close()
		ws, _ := wc.AddSuite(wecomtest.Suite{})
		cfg = suiteConfig{ID: ws.ID, Secret: ws.Secret, Token: ws.CallbackToken, AESKey: ws.EncodingAESKey, BaseURL: wc.URL}
		log.Info("WECOM_SUITE_ID not set: using an embedded demo WeCom (package wecomtest) where 3 demo corps install the suite", "url", wc.URL)
	}

	var opts []wecom.Option
	if cfg.BaseURL != "" {
		opts = append(opts, wecom.WithBaseURL(cfg.BaseURL))
	}
	suite, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: cfg.ID, SuiteSecret: cfg.Secret, Options: opts})
	if err != nil {
		return err
	}
	tenants, err := provider.NewTenants(suite, store, &provider.TenantsOptions{VerifyTenant: true})
	if err != nil {
		return err
	}
	installed := make(chan string, 16)
	handler, err := provider.NewInstructionHandler(suite, &provider.InstructionConfig{
		Token: cfg.Token, EncodingAESKey: cfg.AESKey, Tenants: tenants, Logger: log,
		OnAuthorized: func(ctx context.Context, a *provider.Authorized) error {
			if err := store.Put(a.CorpID, a.Authorization.AuthCorpInfo.CorpName, a.Authorization.PermanentCode); err != nil {
				return err
			}
			log.Info("tenant installed", "corpid", a.CorpID, "corp_name", a.Authorization.AuthCorpInfo.CorpName)
			installed <- a.CorpID
			return nil
		},
		OnCancelAuth: func(ctx context.Context, c *provider.AuthCancel) error {
			log.Info("tenant left: deleting its data", "corpid", c.AuthCorpID)
			return store.Delete(c.AuthCorpID)
		},
	})
	if err != nil {
		return err
	}
	if wc == nil && export {
		return exportAll(ctx, log, stdout, store, tenants)
	}
	addr := listen
	if wc != nil {
		addr = "127.0.0.1:0"
	}
	if addr == "" {
		return errors.New("against a real WeCom, pass -listen (serve the instruction URL) or -export")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = handler.Shutdown(sctx)
	}()
	log.Info("instruction URL", "url", "http://"+ln.Addr().String()+"/")

	if wc == nil { // a real WeCom: serve until interrupted
		<-ctx.Done()
		return nil
	}
	// The demo: WeCom pushes a ticket, three corps install the suite.
	if err := wc.SetInstructionURL(cfg.ID, "http://"+ln.Addr().String()+"/"); err != nil {
		return err
	}
	if _, err := wc.PushTicket(cfg.ID); err != nil {
		return err
	}
	for _, id := range demoCorps {
		if _, err := wc.Install(wecomtest.InstallRequest{SuiteID: cfg.ID, CorpID: id, State: "demo"}); err != nil {
			return err
		}
	}
	for range demoCorps {
		select {
		case <-installed:
		case <-time.After(30 * time.Second):
			return errors.New("the demo installs did not arrive")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return exportAll(ctx, log, stdout, store, tenants)
}

type suiteConfig struct{ ID, Secret, Token, AESKey, BaseURL string }

// startDemo starts the embedded provider with the demo corps.
func startDemo() (*wecomtest.Provider, error) {
	wc, err := wecomtest.NewProvider()
	if err != nil {
		return nil, err
	}
	for i, id := range demoCorps {
		if _, err := wc.AddTenant(id, wecomtest.WithSeed(uint64(i+1)), wecomtest.WithDemo(demoData)); err != nil {
			wc.Close()
			return nil, err
		}
	}
	return wc, nil
}

// exportAll writes every relation of every tenant in the store.
func exportAll(ctx context.Context, log *slog.Logger, stdout io.Writer, store *fileStore, tenants *provider.Tenants) error {
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	total := 0
	for _, t := range store.List() {
		client, err := tenants.Client(ctx, t.CorpID)
		if err != nil {
			return err
		}
		svc := externalcontact.New(client)
		staff, err := svc.ListFollowUsers(ctx)
		if err != nil {
			return fmt.Errorf("%s: list members: %w", t.CorpID, err)
		}
		n := 0
		for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) {
			if err != nil {
				return fmt.Errorf("%s: export: %w", t.CorpID, err)
			}
			n++
			if err := enc.Encode(line{CorpID: t.CorpID, CorpName: t.CorpName, ExternalUserID: rel.ExternalContact.ExternalUserID,
				UserID: rel.FollowInfo.UserID, Name: rel.ExternalContact.Name, Remark: rel.FollowInfo.Remark}); err != nil {
				return err
			}
		}
		log.Info("tenant exported", "corpid", t.CorpID, "staff", len(staff), "relations", n)
		total += n
	}
	if err := out.Flush(); err != nil {
		return err
	}
	log.Info("done", "tenants", len(store.List()), "relations", total)
	return nil
}

// fileStore is the app's own store of permanent codes: a JSON file
// readable by its owner only. A real service would use its database or a
// secrets manager; the SDK only asks it through provider.PermanentCodes.
type fileStore struct {
	path string
	mu   sync.Mutex
	m    map[string]tenantRecord
}

type tenantRecord struct {
	CorpID        string `json:"corpid"`
	CorpName      string `json:"corp_name"`
	PermanentCode string `json:"permanent_code"`
}

func openStore(path string) (*fileStore, error) {
	s := &fileStore{path: path, m: map[string]tenantRecord{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, err
	}
	var list []tenantRecord
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range list {
		s.m[r.CorpID] = r
	}
	return s, nil
}

// PermanentCode implements provider.PermanentCodes.
func (s *fileStore) PermanentCode(_ context.Context, corpID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[corpID]
	if !ok {
		return "", fmt.Errorf("%s: %w", corpID, provider.ErrUnknownTenant)
	}
	return r.PermanentCode, nil
}

func (s *fileStore) Put(corpID, name, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[corpID] = tenantRecord{CorpID: corpID, CorpName: name, PermanentCode: code}
	return s.save()
}

func (s *fileStore) Delete(corpID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, corpID)
	return s.save()
}

func (s *fileStore) List() []tenantRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tenantRecord, 0, len(s.m))
	for _, r := range s.m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CorpID < out[j].CorpID })
	return out
}

// save writes the file atomically (temp file and rename). Call with s.mu held.
func (s *fileStore) save() error {
	list := make([]tenantRecord, 0, len(s.m))
	for _, r := range s.m {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].CorpID < list[j].CorpID })
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}
