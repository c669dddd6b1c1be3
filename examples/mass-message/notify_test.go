package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// On the demo, every member with a task of the mass message gets exactly
// one app message about it, and nobody else gets one.
func TestNotifyMembers(t *testing.T) {
	srv := wecomtest.Start(t, wecomtest.WithDemo(demoData))
	cfg := &demo.Config{CorpID: srv.CorpID, Secret: srv.Secret, BaseURL: srv.URL, Server: srv}
	client, err := srv.Client()
	require.NoError(t, err)
	ec := externalcontact.New(client)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	groups, err := ec.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	res, err := ec.AddMsgTemplate(ctx, &externalcontact.AddMsgTemplateRequest{
		TagFilter: &externalcontact.MsgTemplateTagFilter{GroupList: []externalcontact.MsgTemplateTagGroup{{TagList: []string{groups[0].Tags[0].ID}}}},
		Text:      &message.Text{Content: "周末会员日"},
	})
	require.NoError(t, err)

	var logs bytes.Buffer
	notifyMembers(ctx, slog.New(slog.NewTextHandler(&logs, nil)), client, appAgentID(cfg), ec, res.MsgID)

	tasks := srv.MsgTemplates()[0].Tasks
	require.Greater(t, len(tasks), 1)
	withTask := map[string]bool{}
	for _, tk := range tasks {
		withTask[tk.UserID] = true
		got := srv.AppMessagesTo(tk.UserID)
		require.Len(t, got, 1, "one app message for %s", tk.UserID)
		assert.Equal(t, notifyText, got[0].Content)
		assert.Equal(t, srv.AgentID, got[0].AgentID)
	}
	for _, u := range srv.Users() {
		if !withTask[u.UserID] {
			assert.Empty(t, srv.AppMessagesTo(u.UserID), "%s has no task", u.UserID)
		}
	}
	msgs := srv.AppMessages()
	require.Len(t, msgs, 1, "one send for all of them")
	assert.Empty(t, msgs[0].Dropped)
	assert.Empty(t, msgs[0].InvalidUsers)
	assert.Contains(t, logs.String(), "members notified")

	// Without an agentid (a real WeCom and no WECOM_AGENT_ID) nothing is sent.
	t.Setenv("WECOM_AGENT_ID", "")
	assert.Equal(t, 0, appAgentID(&demo.Config{}))
	t.Setenv("WECOM_AGENT_ID", "1000005")
	assert.Equal(t, 1000005, appAgentID(&demo.Config{}))
	assert.Equal(t, srv.AgentID, appAgentID(cfg), "the embedded demo knows its own")
	logs.Reset()
	notifyMembers(ctx, slog.New(slog.NewTextHandler(&logs, nil)), client, 0, ec, res.MsgID)
	assert.Contains(t, logs.String(), "set WECOM_AGENT_ID")
	assert.Len(t, srv.AppMessages(), 1)
}
