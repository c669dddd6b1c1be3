// Command tag-customers puts a corp tag on every customer who matches a
// rule, creating the tag (and its group) when it does not exist yet, and
// prints one JSON line per customer it tagged. Running it again tags only
// customers who newly match: it is safe to run on a schedule.
//
// The rule here is the channel a customer came through: the `state` of the
// contact way (「联系我」) they added, such as store_001 for the QR code
// of store 1. Change match to tag by anything else a relation carries.
//
//	go run ./examples/tag-customers -group 来源渠道 -tag 门店客户 -state-prefix store_
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

type options struct {
	group, tag, statePrefix string
	dryRun                  bool
}

// line is one customer the program tagged (or would tag, with -dry-run).
type line struct {
	ExternalUserID string `json:"external_userid"`
	UserID         string `json:"userid"`
	Name           string `json:"name"`
	State          string `json:"state"`
	TagID          string `json:"tag_id"`
	DryRun         bool   `json:"dry_run,omitempty"`
}

func main() {
	var o options
	flag.StringVar(&o.group, "group", "来源渠道", "tag group (created when missing)")
	flag.StringVar(&o.tag, "tag", "门店客户", "tag to put on matching customers (created when missing)")
	flag.StringVar(&o.statePrefix, "state-prefix", "store_", "tag customers whose contact-way state starts with this")
	flag.BoolVar(&o.dryRun, "dry-run", false, "print what would be tagged, change nothing")
	verbose := flag.Bool("v", false, "debug logs")
	flag.Parse()

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()
	if err := run(ctx, log, os.Stdout, o); err != nil {
		log.Error("tagging failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, o options) error {
	if o.group == "" || o.tag == "" {
		return fmt.Errorf("-group and -tag must not be empty")
	}
	cfg, closeDemo, err := demo.Load(log, wecomtest.Demo{})
	if err != nil {
		return err
	}
	defer closeDemo()
	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log))...)
	if err != nil {
		return err
	}
	svc := externalcontact.New(client)

	tagID, created, err := ensureTag(ctx, svc, o.group, o.tag)
	if err != nil {
		return err
	}
	log.Info("tag", "group", o.group, "tag", o.tag, "tag_id", tagID, "created", created)

	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	var matched, tagged, already int
	for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) {
		if err != nil {
			return err
		}
		f := rel.FollowInfo
		if !strings.HasPrefix(f.State, o.statePrefix) {
			continue
		}
		matched++
		if slices.Contains(f.TagIDs, tagID) {
			already++
			continue
		}
		// Tags belong to a relation: the same customer followed by two
		// members is tagged for each of them.
		if !o.dryRun {
			err := svc.MarkTags(ctx, &externalcontact.MarkTagsRequest{
				UserID: f.UserID, ExternalUserID: rel.ExternalContact.ExternalUserID, AddTags: []string{tagID},
			})
			if err != nil {
				return fmt.Errorf("tag %s of %s: %w", rel.ExternalContact.ExternalUserID, f.UserID, err)
			}
		}
		tagged++
		if err := enc.Encode(line{ExternalUserID: rel.ExternalContact.ExternalUserID, UserID: f.UserID,
			Name: rel.ExternalContact.Name, State: f.State, TagID: tagID, DryRun: o.dryRun}); err != nil {
			return err
		}
	}
	log.Info("done", "matched", matched, "tagged", tagged, "already_tagged", already, "dry_run", o.dryRun)
	return nil
}

// ensureTag returns the id of the tag named tag in the group named group,
// creating either when missing.
func ensureTag(ctx context.Context, svc *externalcontact.Service, group, tag string) (id string, created bool, err error) {
	groups, err := svc.ListCorpTags(ctx, nil)
	if err != nil {
		return "", false, err
	}
	req := &externalcontact.AddCorpTagsRequest{GroupName: group, Tags: []externalcontact.TagSpec{{Name: tag}}}
	for _, g := range groups {
		if g.GroupName != group {
			continue
		}
		for _, t := range g.Tags {
			if t.Name == tag {
				return t.ID, false, nil
			}
		}
		req = &externalcontact.AddCorpTagsRequest{GroupID: g.GroupID, Tags: []externalcontact.TagSpec{{Name: tag}}}
	}
	g, err := svc.AddCorpTags(ctx, req)
	if err != nil {
		return "", false, fmt.Errorf("create tag %s/%s: %w", group, tag, err)
	}
	for _, t := range g.Tags {
		if t.Name == tag {
			return t.ID, true, nil
		}
	}
	return "", false, fmt.Errorf("create tag %s/%s: WeCom did not return it", group, tag)
}
