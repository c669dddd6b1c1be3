package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// On the embedded demo the add_external_contact callback is answered with
// a welcome message: the text and the image the server uploaded through
// media/upload, whose media id the demo WeCom recorded in the message.
func TestWelcomeMessageOnAdd(t *testing.T) {
	for _, k := range []string{"WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID", "WECOM_BASE_URL", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"} {
		t.Setenv(k, "")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := wecomtest.EnvOrDemo(log, wecomtest.Demo{})
	require.NoError(t, err)
	defer cfg.Close()
	srv := cfg.Server

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, log, &out, "127.0.0.1:0", cfg) }()

	var msgs []wecomtest.WelcomeMsg
	for i := 0; i < 3000 && len(msgs) == 0; i++ { // at most 30 s
		time.Sleep(10 * time.Millisecond)
		msgs = srv.WelcomeMsgs()
	}
	require.Len(t, msgs, 1, "one welcome message, for the one customer added")
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after cancel")
	}

	var add line
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var l line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		if l.ChangeType == "add_external_contact" {
			add = l
		}
	}
	require.Equal(t, "sent", add.Welcome, "the printed line")
	require.NotEmpty(t, add.MediaID)

	m := msgs[0]
	assert.Equal(t, add.UserID, m.UserID)
	assert.Equal(t, add.ExternalUserID, m.ExternalUserID)
	assert.Equal(t, "您好，欢迎光临！回复「1」查看本周新品，有问题随时找我。", m.Text)
	assert.JSONEq(t, `[{"msgtype":"image","image":{"media_id":"`+add.MediaID+`"}}]`, string(m.Attachments))
	up, ok := srv.MediaByID(add.MediaID)
	require.True(t, ok, "the media id is one media/upload issued")
	assert.Equal(t, "image", up.Type)
	assert.Equal(t, "welcome.png", up.FileName)
	assert.Zero(t, up.AttachmentType, "temporary media, not an attachment")
	assert.Len(t, srv.RequestsTo("/cgi-bin/media/upload"), 1)
}
