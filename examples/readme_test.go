package examples_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/media"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// The README's Go snippets, each inside a function that gives it its free
// variables, so that they compile against today's API.
// TestReadmeSnippetsCompile checks that every snippet of README.md is here,
// line for line.

func readmeQuickstart(ctx context.Context, corpID, secret string, agentID int) error {
	// secret: a self-built app's secret (see below); agentID: that app's id.
	client, err := wecom.New(corpID, secret, wecom.WithAgentID(agentID))
	if err != nil {
		return err
	}
	svc := externalcontact.New(client)

	staff, err := svc.ListFollowUsers(ctx)
	if err != nil {
		return err
	}
	for rel, err := range svc.AllCustomersOf(ctx, &externalcontact.BatchGetCustomersRequest{UserIDs: staff}) {
		if err != nil {
			return err
		}
		fmt.Println(rel.FollowInfo.UserID, rel.ExternalContact.Name)
	}
	return nil
}

func readmeErrors(ctx context.Context, svc *externalcontact.Service, id string) {
	_, err := svc.GetCustomer(ctx, id)
	var werr *wecom.Error
	if errors.As(err, &werr) {
		log.Println(werr.Code, werr.Path, werr.Hint) // never the token
	}
	if wecom.IsMaybeApplied(err) {
		// a change (a mass message, a transfer) failed in a way that WeCom may
		// still have applied it: check before trying again
	}
	if wecom.IsAppliedUnreadable(err) {
		// WeCom answered errcode 0 (it was done) but the answer could not be
		// decoded: do not repeat it
	}
}

func readmeCallbacks(token, encodingAESKey, corpID string, ec *externalcontact.Service, picture *media.Uploaded) error {
	h, err := callback.New(token, encodingAESKey, corpID, callback.WithAsync(4, 1000))
	if err != nil {
		return err
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		// The welcome code is valid for 20 seconds, once.
		return ec.SendWelcomeMsg(ctx, &externalcontact.SendWelcomeMsgRequest{
			WelcomeCode: ev.WelcomeCode,
			Text:        &message.Text{Content: "您好，欢迎光临！"},
			Attachments: []message.Attachment{message.ImageAttachment(picture.MediaID)}, // from media.New(client).Upload
		})
	})
	http.Handle("/wecom/callback", h) // or chi, gin, echo: it is an http.Handler
	defer h.Shutdown(context.Background())
	return nil
}

func TestCountCustomers(t *testing.T) {
	srv := wecomtest.Start(t) // closed when the test ends
	srv.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true})
	srv.AddCustomer(wecomtest.Customer{Name: "李四"}, wecomtest.Follow{UserID: "zhangsan"})
	srv.FailNext("/cgi-bin/externalcontact/list", 1, wecomtest.FaultBusy) // WeCom busy once

	client, _ := srv.Client()
	n, err := countCustomers(context.Background(), client, "zhangsan") // your code
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// countCustomers is the README's "your code".
func countCustomers(ctx context.Context, c *wecom.Client, userID string) (int, error) {
	ids, err := externalcontact.New(c).ListCustomers(ctx, userID)
	return len(ids), err
}

var _ = []any{readmeQuickstart, readmeErrors, readmeCallbacks}

// normalizedLines is the code with each line trimmed and blank lines left
// out, one line per element, for a comparison that ignores indentation.
func normalizedLines(code string) string {
	var out []string
	for _, l := range strings.Split(code, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestReadmeSnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	self, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	here := normalizedLines(string(self))
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(blocks), 4, "the README's Go snippets")
	for _, b := range blocks {
		require.Contains(t, here, normalizedLines(b[1]), "a README snippet is not compiled here: copy it into readme_test.go")
	}
}
