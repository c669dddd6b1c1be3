package provider_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wecomkit/wecom/oauth"
	"github.com/wecomkit/wecom/provider"
)

func TestSecretsStayOutOfLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("x", "ticket", provider.Ticket{Value: "TICKET-SECRET", TimeStamp: 1},
		"auth", &provider.Authorization{PermanentCode: "CODE-SECRET", AuthCorpInfo: provider.AuthCorpInfo{CorpID: "wwc"}},
		"legacy", &provider.LegacyAuthorization{PermanentCode: "CODE-SECRET", AccessToken: "TOKEN-SECRET"},
		"user", &oauth.Member{UserID: "u", UserTicket: "UT-SECRET"})
	out := buf.String()
	for _, s := range []string{"TICKET-SECRET", "CODE-SECRET", "TOKEN-SECRET", "UT-SECRET"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "auth.corpid=wwc")
	assert.NotContains(t, fmt.Sprint(provider.Ticket{Value: "TICKET-SECRET"}), "TICKET-SECRET")
}
