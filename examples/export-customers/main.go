// Command export-customers writes every customer relation of every member
// who has the customer-contact feature to stdout as JSON lines: one line
// per (customer, member) pair. Progress and a summary go to stderr.
//
// Against a real WeCom set WECOM_CORP_ID and WECOM_SECRET (the
// customer-contact secret, or an app secret with customer-contact
// permission). With neither set it runs against an embedded demo WeCom.
//
//	go run ./examples/export-customers > customers.jsonl
//	go run ./examples/export-customers -concurrency 8 -v
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// line is one relation as written to stdout. The field names are WeCom's.
type line struct {
	ExternalUserID string   `json:"external_userid"`
	UserID         string   `json:"userid"`
	Name           string   `json:"name"`
	Type           int      `json:"type"`
	CorpName       string   `json:"corp_name,omitempty"`
	Remark         string   `json:"remark,omitempty"`
	TagIDs         []string `json:"tag_ids"`
	AddWay         int      `json:"add_way"`
	AddWayName     string   `json:"add_way_name"`
	State          string   `json:"state,omitempty"`
	CreateTime     int64    `json:"createtime"`
}

func main() {
	concurrency := flag.Int("concurrency", 4, "pages fetched at once")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()

	if err := run(ctx, log, os.Stdout, *concurrency); err != nil {
		log.Error("export failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, concurrency int) error {
	cfg, closeDemo, err := demo.Load(log, wecomtest.Demo{Users: 8, Customers: 60})
	if err != nil {
		return err
	}
	defer closeDemo()

	// Count every attempt the client repeats, for the summary.
	var retries atomic.Int64
	opts := append(cfg.Options(),
		wecom.WithLogger(log),
		wecom.WithObserver(func(_ context.Context, ci wecom.CallInfo) {
			if ci.Retry {
				retries.Add(1)
			}
		}),
	)
	client, err := wecom.New(cfg.CorpID, cfg.Secret, opts...)
	if err != nil {
		return err
	}
	svc := externalcontact.New(client)

	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		return fmt.Errorf("list members with the customer-contact feature: %w", err)
	}
	log.Info("exporting", "staff", len(staff))

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	customers := make(map[string]struct{})
	var last time.Time

	stats, err := svc.ExportCustomers(ctx, &externalcontact.ExportCustomersRequest{UserIDs: staff, Concurrency: concurrency}, func(rel externalcontact.CustomerRelation) error {
		c, f := rel.ExternalContact, rel.FollowInfo
		customers[c.ExternalUserID] = struct{}{}
		tags := f.TagIDs
		if tags == nil {
			tags = []string{}
		}
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			log.Info("progress", "customers", len(customers))
		}
		return enc.Encode(line{
			ExternalUserID: c.ExternalUserID,
			UserID:         f.UserID,
			Name:           c.Name,
			Type:           int(c.Type),
			CorpName:       c.CorpName,
			Remark:         f.Remark,
			TagIDs:         tags,
			AddWay:         int(f.AddWay),
			AddWayName:     f.AddWay.String(),
			State:          f.State,
			CreateTime:     f.CreateTime,
		})
	})
	if err != nil {
		if wecom.IsPermissionDenied(err) {
			return fmt.Errorf("%w (does the secret have the customer-contact permission?)", err)
		}
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	log.Info("done",
		"relations", stats.Relations,
		"customers", len(customers),
		"staff", stats.Staff,
		"pages", stats.Pages,
		"retries", retries.Load(),
		"duration", stats.Duration.Round(time.Millisecond),
	)
	return nil
}
